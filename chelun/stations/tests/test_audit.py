"""The audit log as an auditor reads it for 暖心之家: Chinese labels and readable values, operators' status and price
changes, funding entries, a filter by object type, and anonymous drivers told from the system."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from auditlog.context import set_actor
from auditlog.models import LogEntry
from django.test import Client
from django.urls import reverse

from chelun.core.audit import audited_model_choices
from chelun.stations import services
from chelun.stations.models import Feedback, Station
from chelun.stations.tests.factories import make_station

pytestmark = pytest.mark.django_db


@pytest.fixture
def station(tree):
    return make_station(org=tree.wuhou_branch, name="武侯暖心之家", truck_spaces=40)


def _audit(client: Client, tree, **params: str) -> list[tuple[str, str, str, str]]:
    """(object type, object, actor, changes) of each row the province admin sees."""
    client.force_login(tree.province_admin)
    response = client.get(reverse("core:audit"), params)
    assert response.status_code == 200
    assert "None" not in response.text
    return [(row[2], row[4], row[5], row[7]) for _entry, row in response.context["rows"]]


def test_a_reply_reads_in_chinese_with_no_python_values(client, tree, station):
    feedback = services.feedback_create(station=station, user=None, rating=2, issues=["dirty"], text="太脏")
    at = dt.datetime(2026, 11, 23, 2, 30, tzinfo=dt.UTC)  # 10:30 in Beijing

    with set_actor(tree.province_admin):
        services.feedback_reply(actor=tree.province_admin, feedback=feedback, reply="已打扫", at=at)

    rows = _audit(client, tree, model="stations.feedback", action=str(LogEntry.Action.UPDATE))
    assert len(rows) == 1
    kind, _obj, actor, changes = rows[0]
    assert (kind, actor) == ("评价反馈", "province-admin")
    assert set(changes.split("; ")) == {
        "答复: 空 → 已打扫",
        "答复时间: 空 → 2026-11-23 10:30",
        f"答复人: 空 → {tree.province_admin}（#{tree.province_admin.pk}）",
        "办理状态: 待答复 → 已答复",
    }


def test_operator_status_reports_are_audited_when_they_change_what_drivers_see(client, tree, station):
    services.station_status_set(actor=tree.province_admin, station=station, is_open=True, free_spaces=12)
    services.station_status_set(actor=tree.province_admin, station=station, is_open=True, free_spaces=12)  # repeat
    services.station_status_set(actor=tree.province_admin, station=station, is_open=False, free_spaces=12)

    rows = _audit(client, tree, model="stations.station", action=str(LogEntry.Action.UPDATE))

    assert [(r[2], r[3]) for r in rows] == [
        ("province-admin", "实时开放: 是 → 否"),
        ("province-admin", "实时开放: 空 → 是; 空余车位: 空 → 12"),
    ]


def test_price_changes_are_audited(client, tree, station):
    with set_actor(tree.province_admin):
        services.station_prices_set(actor=tree.province_admin, station=station, prices={"hot_meal": 1000})
        services.station_prices_set(actor=tree.province_admin, station=station, prices={"hot_meal": 1500})

    rows = _audit(client, tree, model="stations.stationprice")

    assert [(r[0], r[1], r[2]) for r in rows] == [
        ("价格", "热饭热菜 15.00元", "province-admin"),
        ("价格", "热饭热菜 10.00元", "province-admin"),
    ]
    assert rows[0][3] == "价格: 10.00 元 → 15.00 元"
    assert set(rows[1][3].split("; ")) == {
        "服务: 热饭热菜",
        "价格: 10.00 元",
        "按标准免费: 否",
        f"站点: 武侯暖心之家（#{station.pk}）",
    }


def test_funding_entries_are_audited_and_filterable_by_type(client, tree, station):
    month = dt.date(2026, 10, 1)
    with set_actor(tree.province_admin):
        services.cost_report_set(actor=tree.province_admin, station=station, month=month, amounts_fen={"staff": 500})
        services.subsidy_record(
            actor=tree.province_admin,
            station=station,
            month=month,
            source="union",
            amount_fen=300,
            idempotency_key="a1",
        )

    costs = _audit(client, tree, model="stations.costreport")
    subsidies = _audit(client, tree, model="stations.subsidycontribution")

    assert [(r[0], r[1]) for r in costs] == [("运营成本", f"站点 #{station.pk} 2026-10 人员")]
    assert set(costs[0][3].split("; ")) == {
        f"站点: 武侯暖心之家（#{station.pk}）",
        "月份: 2026-10-01",
        "类别: 人员",
        "金额: 5.00 元",
    }
    assert [(r[0], r[1]) for r in subsidies] == [("补贴", f"站点 #{station.pk} 2026-10 工会")]
    choices = dict(audited_model_choices())
    for label, name in (
        ("stations.station", "暖心之家"),
        ("stations.feedback", "评价反馈"),
        ("stations.stationprice", "价格"),
        ("stations.costreport", "运营成本"),
        ("stations.subsidycontribution", "补贴"),
        ("orgs.organization", "党组织"),
    ):
        assert choices[label] == name


def test_anonymous_feedback_names_an_anonymous_driver_by_device_hash(client, tree, station):
    driver = Client()
    response = driver.post(
        f"/api/v1/stations/{station.pk}/feedback",
        {"rating": 4, "issues": [], "text": "热水很好"},
        content_type="application/json",
        headers={"X-Device-Id": "phone-abc-123"},
    )
    assert response.status_code == 201

    rows = _audit(client, tree, model="stations.feedback")

    device = hashlib.sha256(b"phone-abc-123").hexdigest()[:10]
    assert [r[2] for r in rows] == [f"匿名司机（设备 {device}）"]
    assert Feedback.objects.get().user_id is None


def test_a_write_outside_any_request_is_the_systems(client, tree, station):
    Station.objects.get(pk=station.pk)  # created by make_station, a direct service call: no request, no actor

    rows = _audit(client, tree, model="stations.station")

    assert [r[2] for r in rows] == ["系统"]


def test_anonymous_feedback_on_the_station_page_names_the_phone_by_its_cookie(client, tree, station):
    driver = Client()
    driver.cookies["chelun_device"] = "cookie-phone-7"
    response = driver.post(reverse("stations:feedback", args=[station.pk]), {"rating": "5", "text": "很好"})
    assert response.status_code in (200, 302)
    no_cookie = Client().post(reverse("stations:feedback", args=[station.pk]), {"rating": "4", "text": "不错"})
    assert no_cookie.status_code in (200, 302)

    rows = _audit(client, tree, model="stations.feedback")

    device = hashlib.sha256(b"cookie-phone-7").hexdigest()[:10]
    assert [r[2] for r in rows] == ["匿名司机", f"匿名司机（设备 {device}）"]
