"""Write schemas take each value only in its own JSON type and within bounds (chelun.core.schemas: Id, Fen, Count,
Flag, Day, Text): `true` is not 1, "100" is not 100, 0 is not 1970-01-01, 2^63 is not an id. Each refusal is a 422
on its field and writes nothing; ids past 2^63 in a path or query answer 4xx, never 500."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client
from pydantic import BaseModel, ValidationError

from chelun.core.bounds import within_sichuan
from chelun.core.idcard import IdNumberError, make_synthetic_id, validate_id_number
from chelun.core.schemas import MAX_FEN, Count, Day, Fen, Flag, Id, Moment, SichuanLat, SichuanLon, Text
from chelun.members.models import Person
from chelun.members.tests.test_api import person_body
from chelun.orgs.models import Organization
from chelun.orgs.tests.test_api import new_org_body

BIG = 2**63


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def send(client: Client, method: str, url: str, body: dict[str, Any]) -> Any:
    return getattr(client, method)(url, json.dumps(body), content_type="application/json")


def refused_on(response: Any) -> tuple[int, str, list[str]]:
    body = response.json()
    return response.status_code, body["code"], list(body["extra"]["fields"])


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"has_staffing_standard": 1}, "has_staffing_standard"),
        ({"has_funding_standard": "true"}, "has_funding_standard"),
        ({"founded_on": 0}, "founded_on"),
        ({"name": 5}, "name"),
        ({"parent_id": BIG}, "parent_id"),
        ({"parent_id": "1"}, "parent_id"),
        ({"region_code": 510107}, "region_code"),
    ],
)
def test_org_create_refuses_loose_types_and_writes_nothing(tree, overrides, field):
    before = Organization.objects.count()
    response = send(login(tree.province_admin), "post", "/api/v1/orgs/", new_org_body(tree.wuhou, **overrides))
    assert refused_on(response) == (422, "validation_error", [field])
    assert Organization.objects.count() == before


def test_org_patch_refuses_a_version_sent_as_text(tree):
    response = send(login(tree.wuhou_admin), "patch", f"/api/v1/orgs/{tree.wuhou_branch.pk}", {"version": "1"})
    assert refused_on(response) == (422, "validation_error", ["version"])


@pytest.mark.parametrize(
    ("overrides", "code", "field"),
    [
        ({"org_id": BIG}, "validation_error", "org_id"),
        ({"org_id": True}, "validation_error", "org_id"),
        ({"birth_date": 0}, "validation_error", "birth_date"),
        ({"id_number": make_synthetic_id("999999", dt.date(1990, 1, 2), 33, "female")}, "id_region", "id_number"),
        ({"id_number": make_synthetic_id("510000", dt.date(1990, 1, 2), 33, "female")}, "id_region", "id_number"),
    ],
)
def test_person_create_refuses_loose_types_and_unknown_areas(tree, overrides, code, field):
    response = send(login(tree.wuhou_admin), "post", "/api/v1/members/people", person_body(tree, **overrides))
    assert refused_on(response) == (422, code, [field])
    assert Person.objects.count() == 0


@pytest.mark.parametrize(
    "url",
    [
        f"/api/v1/orgs/{BIG * 4}",
        f"/api/v1/members/people/{BIG * 4}",
        f"/api/v1/stations/{BIG * 4}",
        f"/api/v1/orgs/?within={BIG}",
        f"/api/v1/members/people?organization={BIG}",
    ],
)
def test_ids_past_64_bits_are_refused_not_500(tree, url):
    response = login(tree.province_admin).get(url)
    assert response.status_code in (404, 422)
    assert set(response.json()) == {"message", "code", "extra"}


def test_token_refuses_a_username_that_is_not_text(tree):
    response = send(Client(), "post", "/api/v1/accounts/token", {"username": 1, "password": "x"})
    assert refused_on(response) == (422, "validation_error", ["username"])


# --- the types themselves ----------------------------------------------------------------------------------------


class Sample(BaseModel):
    id: Id | None = None
    fen: Fen | None = None
    count: Count | None = None
    flag: Flag | None = None
    day: Day | None = None
    moment: Moment | None = None
    text: Text | None = None
    lon: SichuanLon | None = None
    lat: SichuanLat | None = None


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("id", 0),
        ("id", BIG),
        ("fen", -1),
        ("fen", MAX_FEN + 1),
        ("fen", "100"),
        ("fen", 1.0),
        ("count", True),
        ("flag", 0),
        ("day", 0),
        ("day", 1.5),
        ("moment", 0),
        ("moment", True),
        ("text", "a\x00b"),
        ("text", "\ud800"),
        ("lon", 116.4),
        ("lat", 39.9),
        ("lat", "30.6"),
        ("lat", float("nan")),
    ],
)
def test_strict_types_refuse(field, value):
    with pytest.raises(ValidationError) as raised:
        Sample.model_validate({field: value})
    assert [error["loc"] for error in raised.value.errors()] == [(field,)]


def test_strict_types_accept_their_own_json_values():
    sample = Sample.model_validate(
        {
            "id": BIG - 1,
            "fen": MAX_FEN,
            "count": 0,
            "flag": False,
            "day": "2026-10-01",
            "moment": "2026-10-01T08:00:00+08:00",
            "text": "🚚",
            "lon": 104,
            "lat": 30.6,
        }
    )
    assert (sample.id, sample.fen, sample.day, sample.lon) == (BIG - 1, 10_000_000_000, dt.date(2026, 10, 1), 104.0)
    assert sample.moment == dt.datetime(2026, 10, 1, 0, 0, tzinfo=dt.UTC)


def test_sichuan_box():
    assert (within_sichuan(lon=104.06, lat=30.67), within_sichuan(lon=116.4, lat=39.9)) == (True, False)


def test_id_numbers_from_real_provinces_pass():
    beijing = make_synthetic_id("110101", dt.date(1990, 1, 2), 33, "female")
    assert validate_id_number(beijing, today=dt.date(2026, 1, 1)) == beijing
    with pytest.raises(IdNumberError) as raised:
        validate_id_number(make_synthetic_id("999999", dt.date(1990, 1, 2), 33, "female"))
    assert raised.value.code == "id_region"
