"""The API: the driver's path end to end, the scope matrix, confidentiality, and the one error shape."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from chelun.appeals.models import Appeal
from chelun.appeals.tests.factories import driver_user, submit
from chelun.orgs.choices import Role
from chelun.orgs.tests.factories import make_user

BASE = "/api/v1/appeals"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def post(client: Client, url: str, body: dict | None = None):
    return client.post(url, json.dumps(body or {}), content_type="application/json")


@pytest.fixture
def driver(tree):
    return driver_user("driver-1", org=tree.wuhou_branch)


def test_driver_submits_staff_accept_and_resolve_driver_confirms(tree, driver):
    d = client_for(driver)
    created = post(
        d, f"{BASE}/mine", {"category": "unpaid_freight", "description": "运费 8000 元未付", "region": "510107"}
    )
    assert created.status_code == 201
    body = created.json()
    assert (body["owner"], body["status"], body["reporter"]) == ("武侯区交通运输行业党委", "submitted", "本人")
    appeal_id = body["id"]
    staff = client_for(tree.wuhou_admin)
    assert post(staff, f"{BASE}/{appeal_id}/accept").status_code == 200
    resolved = post(staff, f"{BASE}/{appeal_id}/resolve", {"resolution": "货主已付清", "money_recovered_fen": 800000})
    assert resolved.json()["status"] == "resolved"
    confirmed = post(d, f"{BASE}/mine/{appeal_id}/confirm", {"rating": 5, "comment": "很快"})
    assert confirmed.status_code == 200
    assert [e["action"] for e in confirmed.json()["events"]] == ["submit", "accept", "resolve", "confirm"]


def test_second_accept_is_a_409_in_the_error_shape(tree, driver):
    appeal = submit(driver)
    staff = client_for(tree.wuhou_admin)
    assert post(staff, f"{BASE}/{appeal.pk}/accept").status_code == 200
    again = post(client_for(tree.province_admin), f"{BASE}/{appeal.pk}/accept")
    assert again.status_code == 409
    assert again.json() == {
        "message": "诉求当前为「已受理」，不能受理",
        "code": "transition_not_allowed",
        "extra": {"status": "accepted", "action": "accept"},
    }


@pytest.mark.parametrize(
    ("who", "list_ids", "detail", "accept"),
    [
        ("anonymous", None, 401, 401),
        ("no_role", [], 404, 404),
        ("sibling", [], 404, 404),
        ("viewer_same", ["it"], 200, 403),
        ("same", ["it"], 200, 200),
        ("parent", ["it"], 200, 200),
        ("driver_self", [], 404, 404),
    ],
)
def test_scope_matrix(tree, driver, who, list_ids, detail, accept):
    appeal = submit(driver)
    users = {
        "no_role": lambda: make_user("nobody"),
        "sibling": lambda: tree.jinjiang_admin,
        "viewer_same": lambda: make_user("viewer", org=tree.wuhou, role=Role.VIEWER),
        "same": lambda: tree.wuhou_admin,
        "parent": lambda: tree.province_admin,
        "driver_self": lambda: driver,
    }
    client = Client() if who == "anonymous" else client_for(users[who]())
    listed = client.get(f"{BASE}/queue")
    if list_ids is None:
        assert listed.status_code == 401
    else:
        assert [item["id"] for item in listed.json()["items"]] == [appeal.pk for _ in list_ids]
    assert client.get(f"{BASE}/{appeal.pk}").status_code == detail
    assert post(client, f"{BASE}/{appeal.pk}/accept").status_code == accept
    appeal.refresh_from_db()
    assert appeal.status == ("accepted" if accept == 200 else "submitted")


def test_a_driver_sees_only_their_own(tree, driver):
    mine = submit(driver)
    other = submit(driver_user("driver-2", org=tree.wuhou_branch))
    d = client_for(driver)
    assert [a["id"] for a in d.get(f"{BASE}/mine").json()["items"]] == [mine.pk]
    assert d.get(f"{BASE}/mine/{other.pk}").status_code == 404


def test_confirmation_by_anyone_but_the_driver_is_404_and_changes_nothing(tree, driver):
    appeal = submit(driver)
    staff = client_for(tree.wuhou_admin)
    post(staff, f"{BASE}/{appeal.pk}/accept")
    post(staff, f"{BASE}/{appeal.pk}/resolve", {"resolution": "已协调"})
    assert post(staff, f"{BASE}/mine/{appeal.pk}/confirm", {"rating": 5}).status_code == 404
    appeal.refresh_from_db()
    assert (appeal.status, appeal.rating) == ("resolved", None)


def test_a_category_needing_a_place_without_one_is_422_on_place(tree, driver):
    response = post(client_for(driver), f"{BASE}/mine", {"category": "road_hazard", "description": "路面塌陷"})
    assert response.status_code == 422
    assert response.json()["extra"] == {"fields": {"place": ["「道路隐患」须提供地点：请定位或选择地区"]}}
    assert Appeal.objects.count() == 0


def test_an_integrity_reports_reporter_is_hidden_except_from_the_discipline_role(tree, driver):
    appeal = submit(driver, code="integrity", description="某执法人员索要好处费")
    admin = client_for(tree.wuhou_admin)
    assert admin.get(f"{BASE}/queue").json()["items"][0]["reporter"] == "（保密）"
    assert admin.get(f"{BASE}/{appeal.pk}").json()["reporter"] == "（保密）"
    assert admin.get(f"{BASE}/{appeal.pk}").json()["events"][0]["by"] == "举报人"
    discipline = client_for(make_user("jijian", org=tree.wuhou, role=Role.SUPERVISOR))
    assert discipline.get(f"{BASE}/{appeal.pk}").json()["reporter"] == "张三"
    # Even the discipline role's list shows no name.
    assert discipline.get(f"{BASE}/queue").json()["items"][0]["reporter"] == "（保密）"


def test_the_audit_log_never_names_the_reporter(tree, driver):
    from auditlog.models import LogEntry

    appeal = submit(driver, code="integrity", description="举报")
    entry = LogEntry.objects.get(content_type__model="appeal", object_pk=str(appeal.pk))
    assert "driver" not in entry.changes_dict
    text = json.dumps(entry.changes_dict, ensure_ascii=False) + entry.object_repr
    assert driver.person.name not in text and driver.username not in text


def test_route_preview_says_where_it_would_go(tree, driver):
    response = client_for(tree.province_admin).get(f"{BASE}/route-preview", {"category": "legal", "region": "510104"})
    assert response.json() == {
        "organization_id": tree.jinjiang.pk,
        "organization": "锦江区交通运输行业党委",
        "rule_id": response.json()["rule_id"],
        "explanation": "司机所在地的县级行业党委",
    }
    assert response.json()["rule_id"] is not None  # the seeded default rule


def test_statistics_within_scope(tree, driver):
    from django.utils import timezone

    appeal = submit(driver, at=timezone.now())  # accepted at once: on time
    post(client_for(tree.wuhou_admin), f"{BASE}/{appeal.pk}/accept")
    from chelun.appeals.stats import appeal_stats_refresh

    appeal_stats_refresh(months=1)  # the periodic task's step
    rows = client_for(tree.province_admin).get(f"{BASE}/statistics", {"group": "owner"}).json()
    assert rows == [
        {
            "label": "武侯区交通运输行业党委",
            "total": 1,
            "ack_on_time_pct": 100.0,
            "resolve_on_time_pct": None,
            "rating_avg": None,
            "reopen_pct": 0.0,
            "money_recovered_fen": 0,
        }
    ]
    assert client_for(tree.jinjiang_admin).get(f"{BASE}/statistics").json() == []
