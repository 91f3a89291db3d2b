"""The API's shared behaviour (OpenAPI document, error shape, pagination) and the core router: regions and the
scoped audit log."""

import datetime as dt

import pytest
from auditlog.models import LogEntry
from django.test import Client

from chelun.accounts.services import api_token_create
from chelun.core.models import Region, RegionBoundary
from chelun.members.tests.factories import make_person
from chelun.orgs.models import RoleGrant

NOT_AUTHENTICATED = {"message": "请先登录", "code": "not_authenticated", "extra": {}}

EXPECTED_PATHS = {
    "/api/v1/accounts/token": {"post"},
    "/api/v1/accounts/otp/request": {"post"},
    "/api/v1/accounts/otp/verify": {"post"},
    "/api/v1/accounts/me": {"get"},
    "/api/v1/core/regions": {"get"},
    "/api/v1/core/regions/{code}": {"get"},
    "/api/v1/core/audit": {"get"},
    "/api/v1/orgs/": {"get", "post"},
    "/api/v1/orgs/{organization_id}": {"get", "patch"},
    "/api/v1/orgs/{organization_id}/children": {"get"},
    "/api/v1/orgs/{organization_id}/move": {"post"},
    "/api/v1/orgs/rules": {"get", "post"},
    "/api/v1/orgs/rules/{rule_id}": {"get"},
    "/api/v1/members/people": {"get", "post"},
    "/api/v1/members/people/{person_id}": {"get", "patch"},
    "/api/v1/members/people/{person_id}/driver-profile": {"put"},
    "/api/v1/members/people/{person_id}/party-profile": {"put"},
    "/api/v1/members/people/{person_id}/reveal": {"post"},
}


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- the document ------------------------------------------------------------------------------------------------


def test_openapi_document_lists_every_path_and_method(db):
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    doc = response.json()
    methods = {"get", "post", "put", "patch", "delete"}
    # Other apps mount their own routers too; these four are checked exactly.
    prefixes = ("/api/v1/accounts/", "/api/v1/core/", "/api/v1/orgs/", "/api/v1/members/")
    paths = {
        path: {method for method in operations if method in methods}
        for path, operations in doc["paths"].items()
        if path.startswith(prefixes)
    }
    assert paths == EXPECTED_PATHS
    assert doc["info"]["title"] == "车轮党建 API"
    assert set(doc["components"]["securitySchemes"]) == {"BearerToken", "SessionAuth"}
    # Errors are documented with the one shape.
    assert doc["paths"]["/api/v1/orgs/{organization_id}"]["patch"]["responses"]["409"]["content"]["application/json"][
        "schema"
    ] == {"$ref": "#/components/schemas/ErrorOut"}
    assert set(doc["components"]["schemas"]["ErrorOut"]["properties"]) == {"message", "code", "extra"}


def test_interactive_docs_page_loads(db):
    response = Client().get("/api/v1/docs")
    assert response.status_code == 200
    assert b"openapi.json" in response.content


def test_interactive_docs_need_no_internet(db):
    response = Client().get("/api/v1/docs")
    assert b"https://" not in response.content
    assert b"/static/ninja/swagger-ui-bundle.js" in response.content


# --- authentication ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/api/v1/core/regions", "/api/v1/core/regions/510107", "/api/v1/core/audit"])
def test_anonymous_is_refused_with_401(sichuan, url):
    response = Client().get(url)
    assert (response.status_code, response.json()) == (401, NOT_AUTHENTICATED)


def test_unknown_bearer_token_is_401(sichuan):
    response = Client().get("/api/v1/core/regions", headers={"Authorization": "Bearer not-a-real-token"})
    assert (response.status_code, response.json()) == (401, NOT_AUTHENTICATED)


def test_bearer_token_is_accepted(tree):
    _, key = api_token_create(user=tree.wuhou_admin, name="test")
    response = Client().get("/api/v1/core/regions?level=province", headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 200
    assert [r["code"] for r in response.json()["items"]] == ["510000"]


# --- regions -----------------------------------------------------------------------------------------------------


def test_region_list_filters_by_level_and_parent(tree):
    client = login(tree.wuhou_admin)
    prefectures = client.get("/api/v1/core/regions?level=prefecture&page_size=200").json()
    assert prefectures["count"] == 21
    assert prefectures["items"][0] == {
        "code": "510100",
        "name": "成都市",
        "short_name": "成都",
        "level": "prefecture",
        "level_label": "市（州）",
        "kind": "地级市",
        "parent_code": "510000",
        "lon": 104.06667,
        "lat": 30.66667,
        "area_km2": 14318,
    }
    chengdu = client.get("/api/v1/core/regions?parent=510100&page_size=200").json()
    assert chengdu["count"] == 20
    assert {"510104", "510107"} <= {r["code"] for r in chengdu["items"]}
    assert {r["parent_code"] for r in chengdu["items"]} == {"510100"}
    assert client.get("/api/v1/core/regions?q=武侯").json()["items"][0]["code"] == "510107"


def test_region_list_is_paginated_fifty_by_default_and_at_most_two_hundred(tree):
    client = login(tree.wuhou_admin)
    total = Region.objects.count()
    assert total == 205
    first = client.get("/api/v1/core/regions").json()
    assert (first["count"], len(first["items"]), first["items"][0]["code"]) == (205, 50, "510000")
    second = client.get("/api/v1/core/regions?page=2&page_size=10").json()
    codes = list(Region.objects.order_by("code").values_list("code", flat=True))
    assert [r["code"] for r in second["items"]] == codes[10:20]
    capped = client.get("/api/v1/core/regions?page_size=1000").json()
    assert len(capped["items"]) == 200
    beyond = client.get("/api/v1/core/regions?page=99").json()
    assert (beyond["count"], beyond["items"]) == (205, [])


@pytest.mark.parametrize(
    ("query", "field"),
    [("page=0", "page"), ("page_size=0", "page_size"), ("page=abc", "page"), ("level=city", "level")],
)
def test_region_list_rejects_bad_query_with_422(tree, query, field):
    response = login(tree.wuhou_admin).get(f"/api/v1/core/regions?{query}")
    body = response.json()
    assert (response.status_code, body["code"], list(body["extra"]["fields"])) == (422, "validation_error", [field])
    assert set(body) == {"message", "code", "extra"}


def test_region_list_with_unknown_parent_code_is_422(tree):
    response = login(tree.wuhou_admin).get("/api/v1/core/regions?parent=999999")
    assert response.status_code == 422
    assert response.json() == {
        "message": "未知的行政区划代码：999999",
        "code": "unknown_region",
        "extra": {"fields": {"parent": ["未知的行政区划代码：999999"]}},
    }


def test_region_detail_includes_boundary_only_when_asked(tree):
    client = login(tree.jinjiang_admin)
    plain = client.get("/api/v1/core/regions/510107").json()
    assert (plain["name"], plain["parent_code"], plain["boundary"]) == ("武侯区", "510100", None)
    with_boundary = client.get("/api/v1/core/regions/510107?boundary=true").json()
    assert with_boundary["boundary"] == RegionBoundary.objects.get(region__code="510107").geometry
    assert with_boundary["boundary"]["type"] in {"Polygon", "MultiPolygon"}


def test_region_detail_of_unknown_code_is_404(tree):
    response = login(tree.wuhou_admin).get("/api/v1/core/regions/999999")
    assert (response.status_code, response.json()) == (
        404,
        {"message": "行政区划不存在", "code": "not_found", "extra": {}},
    )


# --- audit log ---------------------------------------------------------------------------------------------------


@pytest.fixture
def people(tree):
    wuhou_person = make_person(org=tree.wuhou_branch, name="武侯张三")
    jinjiang_person = make_person(org=tree.jinjiang_branch, name="锦江李四")
    return wuhou_person, jinjiang_person


def _audit(client, query=""):
    response = client.get(f"/api/v1/core/audit{query}")
    assert response.status_code == 200, response.content
    return response.json()


def test_audit_log_is_scoped_to_the_callers_subtree(tree, people):
    wuhou_person, jinjiang_person = people
    wuhou_grant = RoleGrant.objects.get(user=tree.wuhou_admin)
    jinjiang_grant = RoleGrant.objects.get(user=tree.jinjiang_admin)
    wuhou_rows = _audit(login(tree.wuhou_admin))
    jinjiang_rows = _audit(login(tree.jinjiang_admin))
    # Newest first: the person, the admin's grant, then the two organisations of the subtree.
    assert [(r["model"], r["object_pk"], r["action"]) for r in wuhou_rows["items"]] == [
        ("members.person", str(wuhou_person.pk), "create"),
        ("orgs.rolegrant", str(wuhou_grant.pk), "create"),
        ("orgs.organization", str(tree.wuhou_branch.pk), "create"),
        ("orgs.organization", str(tree.wuhou.pk), "create"),
    ]
    assert [(r["model"], r["object_pk"], r["action"]) for r in jinjiang_rows["items"]] == [
        ("members.person", str(jinjiang_person.pk), "create"),
        ("orgs.rolegrant", str(jinjiang_grant.pk), "create"),
        ("orgs.organization", str(tree.jinjiang_branch.pk), "create"),
        ("orgs.organization", str(tree.jinjiang.pk), "create"),
    ]
    assert jinjiang_rows["count"] == 4
    province_pks = {r["object_pk"] for r in _audit(login(tree.province_admin), "?model=members.person")["items"]}
    assert province_pks == {str(wuhou_person.pk), str(jinjiang_person.pk)}


def test_audit_log_filters_and_shape(tree, people):
    wuhou_person, _ = people
    client = login(tree.wuhou_admin)
    client.post(
        f"/api/v1/members/people/{wuhou_person.pk}/reveal",
        {"field": "phone"},
        content_type="application/json",
        REMOTE_ADDR="10.9.8.7",
    )
    rows = _audit(client, "?action=access")
    assert rows["count"] == 1
    entry = rows["items"][0]
    stored = LogEntry.objects.get(action=LogEntry.Action.ACCESS)
    in_milliseconds = stored.timestamp.replace(
        microsecond=stored.timestamp.microsecond // 1000 * 1000
    )  # as JSON has it
    assert (entry.pop("id"), dt.datetime.fromisoformat(entry.pop("timestamp"))) == (stored.pk, in_milliseconds)
    assert entry == {
        "action": "access",
        "action_label": "查看明文",
        "model": "members.person",
        "object_pk": str(wuhou_person.pk),
        "object_repr": "武侯张三",
        "actor_username": "wuhou-admin",
        "remote_addr": "10.9.8.7",
        "changes": {"revealed": ["phone", ""]},
        "additional_data": {"org_path": tree.wuhou_branch.path, "revealed_field": "phone"},
    }
    assert _audit(client, "?actor=wuhou-admin")["count"] == 1
    assert _audit(client, "?actor=nobody")["count"] == 0
    assert _audit(client, "?model=orgs.organization")["count"] == 2
    assert _audit(client, "?since=2000-01-01&until=2000-12-31")["count"] == 0
    # the two organisations, the grant, the person's creation, the reveal
    assert _audit(client, "?since=2000-01-01")["count"] == 5


@pytest.mark.parametrize(("query", "field"), [("since=2024-13-01", "since"), ("action=peek", "action")])
def test_audit_log_rejects_bad_filters_with_422(tree, query, field):
    response = login(tree.wuhou_admin).get(f"/api/v1/core/audit?{query}")
    assert (response.status_code, response.json()["code"], list(response.json()["extra"]["fields"])) == (
        422,
        "validation_error",
        [field],
    )


def test_user_without_audit_role_sees_no_entries(tree, people):
    from chelun.orgs.tests.factories import make_user

    viewer = make_user("wuhou-viewer", org=tree.wuhou, role="viewer")
    assert _audit(login(viewer)) == {"items": [], "count": 0, "count_exact": True}
    # ...while the same subtree's admin sees its entries: two organisations, two grants, the person.
    assert _audit(login(tree.wuhou_admin))["count"] == 5
