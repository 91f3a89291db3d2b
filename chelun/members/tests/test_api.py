"""People over the API: scope, masked PII, validation in the one error shape, profiles, and the audited reveal."""

import datetime as dt

import pytest
from auditlog.models import LogEntry
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from chelun.accounts.services import api_token_create
from chelun.core.idcard import make_synthetic_id
from chelun.members import services
from chelun.members.models import DriverProfile, PartyMemberProfile, Person
from chelun.members.tests.factories import make_driver, make_person
from chelun.orgs.tests.factories import make_user, superuser

NOT_FOUND = {"message": "人员不存在", "code": "not_found", "extra": {}}
FORBIDDEN = {"message": "没有权限执行此操作", "code": "forbidden", "extra": {}}
WUHOU_ID = make_synthetic_id("510107", dt.date(1980, 3, 7), 21, "male")
WUHOU_PHONE = "13812345678"


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def send(client, method, url, body, **extra):
    return getattr(client, method)(url, body, content_type="application/json", **extra)


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


def snapshot(person: Person) -> tuple:
    p = Person.objects.get(pk=person.pk)
    return (p.name, p.phone_hash, p.phone_masked, p.org_id, p.region_id, p.version)


def access_entries() -> int:
    return LogEntry.objects.filter(action=LogEntry.Action.ACCESS).count()


@pytest.fixture
def wuhou_driver(tree):
    return make_driver(
        org=tree.wuhou_branch, name="武侯王师傅", id_number=WUHOU_ID, phone=WUHOU_PHONE, birth=dt.date(1980, 3, 7)
    )


@pytest.fixture
def jinjiang_person(tree):
    return make_person(org=tree.jinjiang_branch, name="锦江李四")


def person_body(tree, **overrides):
    body = {
        "name": "赵六",
        "id_number": make_synthetic_id("510107", dt.date(1990, 1, 2), 33, "female"),
        "phone": "13500001234",
        "org_id": tree.wuhou_branch.pk,
        "region_code": "510107",
    }
    return {**body, **overrides}


# --- anonymous ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/api/v1/members/people"),
        ("post", "/api/v1/members/people"),
        ("get", "/api/v1/members/people/{pk}"),
        ("patch", "/api/v1/members/people/{pk}"),
        ("put", "/api/v1/members/people/{pk}/driver-profile"),
        ("put", "/api/v1/members/people/{pk}/party-profile"),
        ("post", "/api/v1/members/people/{pk}/reveal"),
    ],
)
def test_anonymous_gets_401_everywhere(wuhou_driver, method, url):
    response = send(Client(), method, url.format(pk=wuhou_driver.pk), {"field": "phone"})
    assert (response.status_code, response.json()) == (
        401,
        {"message": "请先登录", "code": "not_authenticated", "extra": {}},
    )
    assert access_entries() == 0


# --- list --------------------------------------------------------------------------------------------------------


def test_list_is_scoped_and_masked(tree, wuhou_driver, jinjiang_person):
    response = login(tree.wuhou_admin).get("/api/v1/members/people")
    assert response.json() == {
        "count": 1,
        "count_exact": True,
        "items": [
            {
                "id": wuhou_driver.pk,
                "name": "武侯王师傅",
                "gender": "male",
                "gender_label": "男",
                "id_number_masked": WUHOU_ID[:3] + "*" * 11 + WUHOU_ID[-4:],
                "phone_masked": "138****5678",
                "org": {
                    "id": tree.wuhou_branch.pk,
                    "name": "武侯物流公司党支部",
                    "kind": "branch",
                    "kind_label": "党支部",
                },
                "region_code": "510107",
                "region_name": "武侯区",
                "profile_types": ["driver"],
                "party_status": None,
                "party_status_label": None,
                "version": 1,
            }
        ],
    }
    assert WUHOU_ID not in response.content.decode()
    assert WUHOU_PHONE not in response.content.decode()


def test_sibling_gets_no_wuhou_rows_whatever_the_filter(tree, wuhou_driver, jinjiang_person):
    client = login(tree.jinjiang_admin)
    for query in ("", "?q=王师傅", "?region=510107", "?profile_type=driver", "?region=510100"):
        assert wuhou_driver.pk not in ids(client.get(f"/api/v1/members/people{query}"))
    assert ids(client.get("/api/v1/members/people")) == [jinjiang_person.pk]
    assert sorted(ids(login(tree.province_admin).get("/api/v1/members/people"))) == sorted(
        [wuhou_driver.pk, jinjiang_person.pk]
    )


def test_list_filters(tree, wuhou_driver, jinjiang_person):
    services.party_member_profile_set(
        actor=superuser(), person=jinjiang_person, branch=tree.jinjiang_branch, joined_on=dt.date(2010, 7, 1)
    )
    client = login(tree.province_admin)
    assert ids(client.get("/api/v1/members/people?profile_type=driver")) == [wuhou_driver.pk]
    assert ids(client.get("/api/v1/members/people?profile_type=party_member")) == [jinjiang_person.pk]
    assert ids(client.get("/api/v1/members/people?party_status=full")) == [jinjiang_person.pk]
    assert ids(client.get("/api/v1/members/people?party_status=probationary")) == []
    assert ids(client.get("/api/v1/members/people?region=510104")) == [jinjiang_person.pk]
    assert ids(client.get(f"/api/v1/members/people?organization={tree.wuhou.pk}")) == [wuhou_driver.pk]
    assert ids(client.get("/api/v1/members/people?q=李四")) == [jinjiang_person.pk]
    member = client.get("/api/v1/members/people?q=李四").json()["items"][0]
    assert (member["party_status"], member["party_status_label"]) == ("full", "正式党员")


@pytest.mark.parametrize(
    ("query", "code", "field"),
    [
        ("region=999999", "unknown_region", "region"),
        ("organization={wuhou}", "unknown_organization", "organization"),
        ("profile_type=pilot", "validation_error", "profile_type"),
        ("party_status=former", "validation_error", "party_status"),
        ("page_size=0", "validation_error", "page_size"),
    ],
)
def test_list_filter_errors_are_422(tree, query, code, field):
    response = login(tree.jinjiang_admin).get(f"/api/v1/members/people?{query.format(wuhou=tree.wuhou.pk)}")
    assert (response.status_code, response.json()["code"], list(response.json()["extra"]["fields"])) == (
        422,
        code,
        [field],
    )


def test_list_query_count_does_not_grow_with_rows(tree):
    client = login(tree.province_admin)
    make_driver(org=tree.wuhou_branch)
    client.get("/api/v1/members/people")  # warm the session and the caller's scope
    with CaptureQueriesContext(connection) as one:
        assert client.get("/api/v1/members/people").json()["count"] == 1
    for _ in range(5):
        make_driver(org=tree.wuhou_branch)
    with CaptureQueriesContext(connection) as six:
        assert client.get("/api/v1/members/people").json()["count"] == 6
    assert len(six) == len(one)


def test_list_with_bearer_token(tree, wuhou_driver, jinjiang_person):
    _, key = api_token_create(user=tree.jinjiang_admin, name="test")
    response = Client().get("/api/v1/members/people", headers={"Authorization": f"Bearer {key}"})
    assert ids(response) == [jinjiang_person.pk]


# --- detail ------------------------------------------------------------------------------------------------------


def test_detail_with_profiles(tree, wuhou_driver):
    body = login(tree.wuhou_admin).get(f"/api/v1/members/people/{wuhou_driver.pk}").json()
    assert (body["id"], body["birth_date"], body["phone_masked"]) == (wuhou_driver.pk, "1980-03-07", "138****5678")
    del body["driver_profile"]["created_at"]
    assert body["driver_profile"] == {
        "licence_class": "A2",
        "vehicle_type": "tractor",
        "vehicle_type_label": "重型半挂牵引车",
        "plates": ["川A12345"],
        "employer_id": None,
        "employer_name": "",
    }
    assert (body["party_profile"], body["shipper_profile"], body["operator_profile"]) == (None, None, None)


def test_sibling_gets_404_on_wuhou_detail(tree, wuhou_driver):
    response = login(tree.jinjiang_admin).get(f"/api/v1/members/people/{wuhou_driver.pk}")
    assert (response.status_code, response.json()) == (404, NOT_FOUND)
    missing = login(tree.jinjiang_admin).get("/api/v1/members/people/999999")
    assert (missing.status_code, missing.json()) == (404, NOT_FOUND)


# --- create ------------------------------------------------------------------------------------------------------


def test_create_returns_masked_record(tree):
    body = person_body(tree)
    response = send(login(tree.wuhou_admin), "post", "/api/v1/members/people", body)
    assert response.status_code == 201
    out = response.json()
    person = Person.objects.get(pk=out["id"])
    assert (out["gender"], out["birth_date"], out["phone_masked"], out["id_number_masked"]) == (
        "female",
        "1990-01-02",
        "135****1234",
        body["id_number"][:3] + "*" * 11 + body["id_number"][-4:],
    )
    assert (person.name, person.org, person.region.code) == ("赵六", tree.wuhou_branch, "510107")
    assert body["id_number"] not in response.content.decode()


def _bad_check_digit(number: str) -> str:
    return number[:-1] + ("0" if number[-1] != "0" else "1")


@pytest.mark.parametrize(
    ("overrides", "code", "field"),
    [
        ({"id_number": "51010719800307"}, "id_length", "id_number"),
        ({"id_number": _bad_check_digit(WUHOU_ID)}, "id_check_digit", "id_number"),
        ({"id_number": "51010719801332123X"}, "id_birth_date", "id_number"),
        ({"id_number": "5101071980030712AB"}, "id_chars", "id_number"),
        ({"phone": "12345"}, "phone_format", "phone"),
        ({"phone": "11012345678"}, "phone_prefix", "phone"),
        ({"birth_date": "1990-02-30"}, "validation_error", "birth_date"),
        ({"birth_date": "02/01/1990"}, "validation_error", "birth_date"),
        ({"birth_date": "1991-01-02"}, "birth_date_mismatch", "birth_date"),
        ({"gender": "male"}, "gender_mismatch", "gender"),
        ({"gender": "other"}, "validation_error", "gender"),
        ({"region_code": "999999"}, "unknown_region", "region_code"),
        ({"name": "  "}, "name_required", "name"),
        ({"org_id": "abc"}, "validation_error", "org_id"),
    ],
)
def test_create_rejects_bad_input_with_422_and_writes_nothing(tree, overrides, code, field):
    response = send(login(tree.wuhou_admin), "post", "/api/v1/members/people", person_body(tree, **overrides))
    body = response.json()
    assert (response.status_code, body["code"], list(body["extra"]["fields"])) == (422, code, [field])
    assert set(body) == {"message", "code", "extra"}
    assert Person.objects.count() == 0


def test_create_under_sibling_org_is_422_and_writes_nothing(tree):
    body = person_body(tree, org_id=tree.wuhou_branch.pk)
    response = send(login(tree.jinjiang_admin), "post", "/api/v1/members/people", body)
    assert (response.status_code, response.json()) == (
        422,
        {"message": "组织不存在", "code": "unknown_organization", "extra": {"fields": {"org_id": ["组织不存在"]}}},
    )
    assert Person.objects.count() == 0


def test_create_duplicate_id_number_is_409(tree, wuhou_driver):
    response = send(login(tree.wuhou_admin), "post", "/api/v1/members/people", person_body(tree, id_number=WUHOU_ID))
    assert (response.status_code, response.json()["code"]) == (409, "duplicate_id_number")
    assert list(Person.objects.values_list("pk", flat=True)) == [wuhou_driver.pk]


def test_viewer_may_not_create(tree):
    viewer = make_user("wuhou-viewer", org=tree.wuhou, role="viewer")
    response = send(login(viewer), "post", "/api/v1/members/people", person_body(tree))
    assert (response.status_code, response.json()) == (403, FORBIDDEN)
    assert Person.objects.count() == 0


# --- update ------------------------------------------------------------------------------------------------------


def test_patch_with_current_version(tree, wuhou_driver):
    url = f"/api/v1/members/people/{wuhou_driver.pk}"
    response = send(login(tree.wuhou_admin), "patch", url, {"version": 1, "name": "王师傅", "phone": "13900009999"})
    assert response.status_code == 200
    assert (response.json()["name"], response.json()["phone_masked"], response.json()["version"]) == (
        "王师傅",
        "139****9999",
        2,
    )


def test_stale_patch_is_409_and_changes_nothing(tree, wuhou_driver):
    Person.objects.filter(pk=wuhou_driver.pk).update(version=2)  # someone else saved in between
    before = snapshot(wuhou_driver)
    stale = send(
        login(tree.wuhou_admin), "patch", f"/api/v1/members/people/{wuhou_driver.pk}", {"version": 1, "name": "过期"}
    )
    assert (stale.status_code, stale.json()) == (
        409,
        {"message": "该记录已被他人修改，请刷新后重试", "code": "stale_version", "extra": {"current_version": 2}},
    )
    assert snapshot(wuhou_driver) == before


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        ({"name": "无版本"}, "validation_error", "version"),
        ({"version": 1, "phone": "1380013"}, "phone_format", "phone"),
        ({"version": 1, "phone": None}, "validation_error", "phone"),
        ({"version": 1, "region_code": "123"}, "unknown_region", "region_code"),
        ({"version": 1, "region_code": ""}, "unknown_region", "region_code"),
        ({"version": 1, "org_id": 999_999}, "unknown_organization", "org_id"),
    ],
)
def test_patch_validation_is_422_and_changes_nothing(tree, wuhou_driver, body, code, field):
    before = snapshot(wuhou_driver)
    response = send(login(tree.wuhou_admin), "patch", f"/api/v1/members/people/{wuhou_driver.pk}", body)
    assert (response.status_code, response.json()["code"], list(response.json()["extra"]["fields"])) == (
        422,
        code,
        [field],
    )
    assert snapshot(wuhou_driver) == before


def test_sibling_patch_is_404_and_viewer_patch_is_403(tree, wuhou_driver):
    before = snapshot(wuhou_driver)
    url = f"/api/v1/members/people/{wuhou_driver.pk}"
    sibling = send(login(tree.jinjiang_admin), "patch", url, {"version": 1, "name": "越权"})
    assert (sibling.status_code, sibling.json()) == (404, NOT_FOUND)
    viewer = make_user("wuhou-viewer", org=tree.wuhou, role="viewer")
    denied = send(login(viewer), "patch", url, {"version": 1, "name": "越权"})
    assert (denied.status_code, denied.json()) == (403, FORBIDDEN)
    assert snapshot(wuhou_driver) == before


# --- profiles ----------------------------------------------------------------------------------------------------


def test_put_driver_profile_creates_then_replaces(tree):
    person = make_person(org=tree.wuhou_branch)
    url = f"/api/v1/members/people/{person.pk}/driver-profile"
    client = login(tree.wuhou_admin)
    body = {
        "licence_class": "A2",
        "vehicle_type": "reefer",
        "plates": "川a11111, 川A22222",
        "employer_id": tree.wuhou_branch.pk,
    }
    first = send(client, "put", url, body)
    assert first.status_code == 200
    assert (first.json()["plates"], first.json()["employer_name"], first.json()["vehicle_type_label"]) == (
        ["川A11111", "川A22222"],
        "武侯物流公司党支部",
        "冷藏车",
    )
    second = send(client, "put", url, {"licence_class": "B2", "vehicle_type": "light"})
    assert (second.status_code, second.json()["plates"], second.json()["employer_id"]) == (200, [], None)
    assert DriverProfile.objects.filter(person=person).count() == 1


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        ({"licence_class": "Z9", "vehicle_type": "light"}, "validation_error", "licence_class"),
        ({"licence_class": "A2"}, "validation_error", "vehicle_type"),
        (
            {"licence_class": "A2", "vehicle_type": "light", "employer_id": 999_999},
            "unknown_organization",
            "employer_id",
        ),
    ],
)
def test_put_driver_profile_validation(tree, body, code, field):
    person = make_person(org=tree.wuhou_branch)
    response = send(login(tree.wuhou_admin), "put", f"/api/v1/members/people/{person.pk}/driver-profile", body)
    assert (response.status_code, response.json()["code"], list(response.json()["extra"]["fields"])) == (
        422,
        code,
        [field],
    )
    assert DriverProfile.objects.count() == 0


def test_sibling_cannot_put_profiles(tree):
    person = make_person(org=tree.wuhou_branch)
    client = login(tree.jinjiang_admin)
    driver = send(
        client,
        "put",
        f"/api/v1/members/people/{person.pk}/driver-profile",
        {"licence_class": "A2", "vehicle_type": "light"},
    )
    party = send(
        client,
        "put",
        f"/api/v1/members/people/{person.pk}/party-profile",
        {"branch_id": tree.jinjiang_branch.pk, "joined_on": "2010-07-01"},
    )
    assert [(r.status_code, r.json()) for r in (driver, party)] == [(404, NOT_FOUND), (404, NOT_FOUND)]
    assert (DriverProfile.objects.count(), PartyMemberProfile.objects.count()) == (0, 0)
    assert Person.objects.get(pk=person.pk).org == tree.wuhou_branch


def test_put_party_profile_moves_the_record_to_the_branch(tree):
    person = make_person(org=tree.wuhou, birth=dt.date(1985, 6, 15))
    url = f"/api/v1/members/people/{person.pk}/party-profile"
    response = send(
        login(tree.wuhou_admin),
        "put",
        url,
        {"branch_id": tree.wuhou_branch.pk, "joined_on": "2012-07-01", "status": "probationary"},
    )
    assert response.status_code == 200
    body = response.json()
    del body["created_at"]
    assert body == {
        "branch": {"id": tree.wuhou_branch.pk, "name": "武侯物流公司党支部", "kind": "branch", "kind_label": "党支部"},
        "joined_on": "2012-07-01",
        "status": "probationary",
        "status_label": "预备党员",
    }
    assert Person.objects.get(pk=person.pk).org == tree.wuhou_branch


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        ({"joined_on": "2000-01-01"}, "joined_too_young", "joined_on"),
        ({"joined_on": "2012-02-30"}, "validation_error", "joined_on"),
        ({"joined_on": "2012-07-01", "status": "honorary"}, "validation_error", "status"),
        ({"joined_on": "2012-07-01", "branch": "wuhou"}, "branch_kind", "branch"),
        ({"joined_on": "2012-07-01", "branch": "jinjiang_branch"}, "unknown_organization", "branch_id"),
    ],
)
def test_put_party_profile_validation(tree, body, code, field):
    person = make_person(org=tree.wuhou_branch, birth=dt.date(1985, 6, 15))
    branch = getattr(tree, body.pop("branch", "wuhou_branch"))
    response = send(
        login(tree.wuhou_admin),
        "put",
        f"/api/v1/members/people/{person.pk}/party-profile",
        {"branch_id": branch.pk, **body},
    )
    assert (response.status_code, response.json()["code"], list(response.json()["extra"]["fields"])) == (
        422,
        code,
        [field],
    )
    assert PartyMemberProfile.objects.count() == 0
    assert Person.objects.get(pk=person.pk).org == tree.wuhou_branch


# --- reveal ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("field", "value"), [("id_number", WUHOU_ID), ("phone", WUHOU_PHONE)])
def test_reveal_returns_the_clear_value_and_writes_exactly_one_audit_entry(tree, wuhou_driver, field, value):
    response = send(
        login(tree.wuhou_admin),
        "post",
        f"/api/v1/members/people/{wuhou_driver.pk}/reveal",
        {"field": field},
        REMOTE_ADDR="10.1.2.3",
    )
    assert (response.status_code, response.json()) == (200, {"field": field, "value": value})
    entry = LogEntry.objects.get(action=LogEntry.Action.ACCESS)
    assert (entry.object_pk, entry.actor, entry.remote_addr, entry.additional_data["revealed_field"]) == (
        str(wuhou_driver.pk),
        tree.wuhou_admin,
        "10.1.2.3",
        field,
    )


def test_sibling_reveal_is_404_and_writes_no_entry(tree, wuhou_driver):
    response = send(
        login(tree.jinjiang_admin), "post", f"/api/v1/members/people/{wuhou_driver.pk}/reveal", {"field": "id_number"}
    )
    assert (response.status_code, response.json()) == (404, NOT_FOUND)
    assert access_entries() == 0


def test_viewer_reveal_is_403_and_writes_no_entry(tree, wuhou_driver):
    viewer = make_user("wuhou-viewer", org=tree.wuhou, role="viewer")
    assert login(viewer).get(f"/api/v1/members/people/{wuhou_driver.pk}").status_code == 200  # visible...
    response = send(login(viewer), "post", f"/api/v1/members/people/{wuhou_driver.pk}/reveal", {"field": "phone"})
    assert (response.status_code, response.json()) == (403, FORBIDDEN)  # ...but not revealable
    assert access_entries() == 0


def test_reveal_of_unknown_field_is_422_and_writes_no_entry(tree, wuhou_driver):
    response = send(
        login(tree.wuhou_admin), "post", f"/api/v1/members/people/{wuhou_driver.pk}/reveal", {"field": "address"}
    )
    assert (response.status_code, list(response.json()["extra"]["fields"])) == (422, ["field"])
    assert access_entries() == 0


def test_reveal_of_missing_phone_is_400(tree):
    person = make_person(org=tree.wuhou_branch, phone="")
    response = send(login(tree.wuhou_admin), "post", f"/api/v1/members/people/{person.pk}/reveal", {"field": "phone"})
    assert (response.status_code, response.json()) == (
        400,
        {"message": "该人员没有登记此项", "code": "field_empty", "extra": {}},
    )
    assert access_entries() == 0
