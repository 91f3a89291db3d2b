"""The stations API's writes and filters take each value only in its own JSON type and within bounds
(chelun.core.schemas): `true` is not 1, "100" is not 100, 0 is not 1970-01, null is not "no change" on a PATCH,
and a station in Beijing is not one of Sichuan's. Each refusal is a 422 in the one error shape, on its field, and
writes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from chelun.core.geo import encode_polyline
from chelun.stations import services
from chelun.stations.models import CheckIn, Feedback, Station
from chelun.stations.tests import test_api
from chelun.stations.tests.test_api import API, funding_snapshot, login, post, status_snapshot, subsidy
from chelun.stations.tests.test_registry import create_body

# The stations API tests' world (two stations and their operators), clock and cache cleaning.
world = test_api.world
_clock = test_api._clock
_clean_caches = test_api._clean_caches

BIG = 2**63
ROUTE = encode_polyline([(104.00, 30.60), (104.10, 30.65)])


def refused_on(response: Any) -> tuple[int, str, list[str]]:
    body = response.json()
    return response.status_code, body["code"], list(body["extra"]["fields"])


def station_row(station: Station) -> Any:
    return Station.objects.filter(pk=station.pk).values().get()


# --- console: a station's record -----------------------------------------------------------------------------------

NOT_NULL_FIELDS = [
    "name",
    "kind",
    "station_class",
    "status",
    "region",
    "lon",
    "lat",
    "corridor_ref",
    "carriageway",
    "address",
    "contact_name",
    "contact_phone",
    "open_24h",
    "truck_spaces",
    "beds",
    "cctv",
    "guards",
    "lighting",
    "fence",
    "amenities",
]


@pytest.mark.parametrize("field", NOT_NULL_FIELDS)
def test_station_patch_refuses_null_for_every_field_but_the_hours(world, field):
    # `"guards": null` reached security_grade_for and answered 500; every field but the hours cannot be empty.
    before = station_row(world.wuhou)
    response = login(world.tree.wuhou_admin).patch(
        f"{API}/console/stations/{world.wuhou.pk}", {"version": 1, field: None}, content_type="application/json"
    )
    assert refused_on(response) == (422, "validation_error", [field])
    assert response.json()["extra"]["fields"][field] == ["不能为 null"]
    assert station_row(world.wuhou) == before


def test_station_patch_refuses_a_null_coordinate_system(world):
    # Not optional at all (it defaults to wgs84), so null is refused as not one of its values.
    before = station_row(world.wuhou)
    url = f"{API}/console/stations/{world.wuhou.pk}"
    body = {"version": 1, "coord_system": None}
    response = login(world.tree.wuhou_admin).patch(url, body, content_type="application/json")
    assert refused_on(response) == (422, "validation_error", ["coord_system"])
    assert station_row(world.wuhou) == before


def test_station_patch_may_clear_the_opening_hours(world):
    response = login(world.tree.jinjiang_admin).patch(
        f"{API}/console/stations/{world.jinjiang.pk}",
        {"version": 1, "open_24h": True, "opens_at": None, "closes_at": None},
        content_type="application/json",
    )
    assert response.status_code == 200
    world.jinjiang.refresh_from_db()
    assert (world.jinjiang.open_24h, world.jinjiang.opens_at, world.jinjiang.closes_at) == (True, None, None)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": 5}, "name"),
        ({"organization_id": "1"}, "organization_id"),
        ({"organization_id": BIG}, "organization_id"),
        ({"organization_id": True}, "organization_id"),
        ({"region": 510116}, "region"),
        ({"lon": "103.9"}, "lon"),
        ({"lat": True}, "lat"),
        ({"corridor_ref": 5}, "corridor_ref"),
        ({"carriageway": 5}, "carriageway"),
        ({"address": 5}, "address"),
        ({"contact_name": 5}, "contact_name"),
        ({"contact_phone": 13800000000}, "contact_phone"),
        ({"open_24h": 1}, "open_24h"),
        ({"cctv": "true"}, "cctv"),
        ({"guards": 1}, "guards"),
        ({"lighting": "yes"}, "lighting"),
        ({"fence": 0}, "fence"),
        ({"opens_at": "25:00"}, "opens_at"),
        ({"truck_spaces": "80"}, "truck_spaces"),
        ({"truck_spaces": BIG}, "truck_spaces"),
        ({"beds": -1}, "beds"),
        ({"beds": 1.5}, "beds"),
        ({"amenities": [1]}, "amenities.0"),
    ],
)
def test_station_create_refuses_loose_types_and_writes_nothing(tree, changes, field):
    response = post(login(tree.province_admin), f"{API}/console/stations", create_body(tree, **changes))
    assert refused_on(response) == (422, "validation_error", [field])
    assert Station.objects.count() == 0


def test_a_station_in_beijing_is_refused_with_its_own_code(tree):
    response = post(
        login(tree.province_admin),
        f"{API}/console/stations",
        create_body(tree, lon=116.4, lat=39.9, coord_system="wgs84"),
    )
    assert refused_on(response) == (422, "outside_sichuan", ["lon"])
    assert response.json()["message"] == "坐标（经度 116.4，纬度 39.9）不在四川省内，请检查经纬度"
    assert Station.objects.count() == 0


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"version": "1"}, "version"),
        ({"version": True}, "version"),
        ({"name": 5}, "name"),
        ({"truck_spaces": "80"}, "truck_spaces"),
        ({"cctv": 1}, "cctv"),
        ({"lon": 116.4, "lat": 39.9}, "lon"),
    ],
)
def test_station_patch_refuses_loose_types_and_writes_nothing(world, changes, field):
    before = station_row(world.wuhou)
    response = login(world.tree.wuhou_admin).patch(
        f"{API}/console/stations/{world.wuhou.pk}", {"version": 1, **changes}, content_type="application/json"
    )
    assert response.status_code == 422
    assert list(response.json()["extra"]["fields"]) == [field]
    assert station_row(world.wuhou) == before


# --- drivers' taps ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"is_open": 1}, "is_open"),
        ({"is_open": "true"}, "is_open"),
        ({"is_open": True, "free_spaces": False}, "free_spaces"),
        ({"is_open": True, "free_spaces": "5"}, "free_spaces"),
        ({"is_open": True, "free_spaces": BIG}, "free_spaces"),
    ],
)
def test_status_refuses_loose_types_and_writes_nothing(world, body, field):
    before = status_snapshot(world.wuhou)
    response = post(login(world.wuhou_op), f"{API}/{world.wuhou.pk}/status", body)
    assert refused_on(response) == (422, "validation_error", [field])
    assert status_snapshot(world.wuhou) == before


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        ({"rating": True}, "validation_error", "rating"),
        ({"rating": "5"}, "validation_error", "rating"),
        ({"rating": 4.0}, "validation_error", "rating"),
        ({"rating": BIG}, "rating_invalid", "rating"),
        ({"rating": 3, "issues": [1]}, "validation_error", "issues.0"),
        ({"rating": 3, "text": 5}, "validation_error", "text"),
    ],
)
def test_feedback_refuses_loose_types_and_writes_nothing(world, body, code, field):
    response = post(Client(), f"{API}/{world.wuhou.pk}/feedback", body)
    assert refused_on(response) == (422, code, [field])
    assert Feedback.objects.count() == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"services": [1]}, "services.0"),
        ({"services": "shower"}, "services"),
        ({"at": 0}, "at"),
        ({"at": 1795000000}, "at"),
    ],
)
def test_checkin_refuses_loose_types_and_writes_nothing(world, body, field):
    response = post(Client(), f"{API}/{world.wuhou.pk}/checkins", body, X_Device_Id="phone-a")
    assert refused_on(response) == (422, "validation_error", [field])
    assert CheckIn.objects.count() == 0


# --- console: funding ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"month": 0, "amounts_fen": {"staff": 100}}, "month"),
        ({"month": "2026-10-01", "amounts_fen": {"staff": "100"}}, "amounts_fen.staff"),
        ({"month": "2026-10-01", "amounts_fen": {"staff": True}}, "amounts_fen.staff"),
        ({"month": "2026-10-01", "amounts_fen": {"staff": BIG}}, "amounts_fen.staff"),
        ({"month": "2026-10-01", "amounts_fen": {"staff": 10_000_000_001}}, "amounts_fen.staff"),
    ],
)
def test_costs_refuse_loose_types_and_write_nothing(world, body, field):
    before = funding_snapshot(world.wuhou)
    response = post(login(world.tree.wuhou_admin), f"{API}/{world.wuhou.pk}/costs", body)
    assert refused_on(response) == (422, "validation_error", [field])
    assert funding_snapshot(world.wuhou) == before


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"month": 0}, "month"),
        ({"source": 1}, "source"),
        ({"amount_fen": "100"}, "amount_fen"),
        ({"amount_fen": True}, "amount_fen"),
        ({"amount_fen": BIG}, "amount_fen"),
        ({"amount_fen": 10_000_000_001}, "amount_fen"),
    ],
)
def test_subsidies_refuse_loose_types_and_write_nothing(world, overrides, field):
    before = funding_snapshot(world.wuhou)
    response = subsidy(login(world.tree.wuhou_admin), world.wuhou, **overrides)
    assert refused_on(response) == (422, "validation_error", [field])
    assert funding_snapshot(world.wuhou) == before


# --- search and the console's other inputs ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"polyline": 5}, "polyline"),
        ({"polyline": ROUTE, "precision": "5"}, "precision"),
        ({"polyline": ROUTE, "page": True}, "page"),
        ({"polyline": ROUTE, "page_size": "2"}, "page_size"),
        ({"polyline": ROUTE, "sleep_tonight": 1}, "sleep_tonight"),
        ({"polyline": ROUTE, "open_now": "true"}, "open_now"),
        ({"polyline": ROUTE, "amenities": [1]}, "amenities.0"),
        ({"corridor": {"ref": 5}}, "corridor.ref"),
        ({"corridor": {"ref": "G5", "from_code": 510100}}, "corridor.from_code"),
        ({"corridor": {"ref": "G5", "to_code": 513400}}, "corridor.to_code"),
    ],
)
def test_along_route_refuses_loose_types(world, body, field):
    response = post(Client(), f"{API}/along-route", body)
    assert refused_on(response) == (422, "validation_error", [field])


def test_reply_refuses_a_number(world):
    feedback = services.feedback_create(station=world.wuhou, user=None, rating=2, text="太吵")
    before = Feedback.objects.filter(pk=feedback.pk).values().get()
    response = post(login(world.wuhou_op), f"{API}/feedback/{feedback.pk}/reply", {"reply": 5})
    assert refused_on(response) == (422, "validation_error", ["reply"])
    assert Feedback.objects.filter(pk=feedback.pk).values().get() == before


@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("console/feedback", {"station": BIG}),
        ("console/feedback", {"station": 0}),
        ("console/checkins", {"start": "2026-11-01", "end": "2026-11-23", "station": BIG}),
    ],
)
def test_filters_refuse_a_station_id_past_a_bigint(world, path, query):
    response = login(world.tree.province_admin).get(f"{API}/{path}", query)
    assert refused_on(response) == (422, "validation_error", ["station"])
