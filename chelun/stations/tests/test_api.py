"""The stations API: the public directory and search, drivers' taps (status, check-in, feedback), and the scoped
console. The clock is fixed at Monday 2026-11-23 10:00 Beijing time."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone
from ninja import Schema

from chelun.accounts.models import User
from chelun.accounts.services import api_token_create
from chelun.core.geo import encode_polyline, wgs84_to_gcj02
from chelun.core.ledger import account_balance
from chelun.core.models import LedgerTransaction
from chelun.orgs.tests.factories import Tree, make_user
from chelun.stations import selectors, services
from chelun.stations.access import PUBLIC_STATUSES
from chelun.stations.choices import Amenity, FeedbackStatus, StationKind, StationStatus
from chelun.stations.models import CheckIn, CostReport, Feedback, Station, StatusReport, SubsidyContribution
from chelun.stations.schemas import AlongRouteOut, ForecastOut, NearOut
from chelun.stations.tests.factories import at, make_station
from config.api import Utf8JSONRenderer

NOW = at(10, 0)
API = "/api/v1/stations"
NOT_AUTHENTICATED = {"message": "请先登录", "code": "not_authenticated", "extra": {}}
STATION_NOT_FOUND = {"message": "站点不存在", "code": "not_found", "extra": {}}


@pytest.fixture(autouse=True)
def _clock(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)


@pytest.fixture(autouse=True)
def _clean_caches():
    # The confirm rate limit lives in the cache and the search index is per process: neither may leak between tests.
    cache.clear()
    selectors.search_catalog.clear()
    yield
    cache.clear()
    selectors.search_catalog.clear()


def login(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def post(client: Client, url: str, body: Any, **headers: str) -> Any:
    return client.post(url, body, content_type="application/json", headers=headers)


def when(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value is not None else None


@dataclass
class World:
    tree: Tree
    wuhou: Station
    jinjiang: Station
    planned: Station
    wuhou_op: User
    jinjiang_op: User


@pytest.fixture
def world(tree) -> World:
    wuhou_op = make_user("op-wuhou")
    jinjiang_op = make_user("op-jinjiang")
    wuhou = make_station(
        org=tree.wuhou_branch,
        name="武侯暖心之家",
        lon=104.04,
        lat=30.64,
        operators=[wuhou_op],
        address="武侯大道1号",
        corridor_ref="G0512",
        contact_phone="028-12345678",
        beds=6,
        amenities=[Amenity.TRUCK_PARKING, Amenity.SHOWER, Amenity.HOT_WATER, Amenity.TOILET, Amenity.BEDS],
        prices={"beds": 100, "shower": 0},
        cctv=True,
        lighting=True,
    )
    jinjiang = make_station(
        org=tree.jinjiang_branch,
        name="锦江暖心之家",
        lon=104.08,
        lat=30.65,
        operators=[jinjiang_op],
        kind=StationKind.TRUNK_ROAD,
        amenities=[Amenity.TRUCK_PARKING, Amenity.LAUNDRY],
        open_24h=False,
        opens_at=dt.time(12, 0),
        closes_at=dt.time(22, 0),
    )
    planned = make_station(
        org=tree.wuhou_branch, name="规划中的站", lon=104.05, lat=30.62, status=StationStatus.PLANNED
    )
    services.station_status_set(
        actor=wuhou_op, station=wuhou, is_open=True, free_spaces=12, at=NOW - dt.timedelta(minutes=25)
    )
    wuhou.refresh_from_db()
    return World(tree, wuhou, jinjiang, planned, wuhou_op, jinjiang_op)


def wuhou_card(world: World) -> dict[str, Any]:
    return {
        "id": world.wuhou.pk,
        "name": "武侯暖心之家",
        "kind": "logistics_yard",
        "kind_label": "物流园区",
        "station_class": "B",
        "status": "open",
        "status_label": "运营中",
        "lon": 104.04,
        "lat": 30.64,
        "region_code": "510107",
        "region_name": "武侯区",
        "address": "武侯大道1号",
        "corridor_ref": "G0512",
        "carriageway": "",
        "contact_phone": "028-12345678",
        "truck_spaces": 40,
        "beds": 6,
        "security_grade": "silver",
        "security_grade_label": "银级",
        "verified_at": None,
        "hours": {"open_24h": True, "opens_at": None, "closes_at": None, "label": "24 小时开放"},
        "amenities": [
            {"code": "hot_water", "label": "热水供应"},
            {"code": "shower", "label": "淋浴"},
            {"code": "truck_parking", "label": "货车停车"},
            {"code": "beds", "label": "住宿床位"},
            {"code": "toilet", "label": "卫生间"},
        ],
        "prices": [
            {
                "service": "shower",
                "service_label": "淋浴",
                "price_fen": 0,
                "price_yuan": "0.00",
                "unit": "",
                "free_by_standard": True,
            },
            {
                "service": "beds",
                "service_label": "住宿床位",
                "price_fen": 100,
                "price_yuan": "1.00",
                "unit": "",
                "free_by_standard": False,
            },
        ],
        "live": {
            "state": "available",
            "label": "空余车位 12 个",
            "free_spaces": 12,
            "level": "plenty",
            "source": "operator",
            "source_label": "站长",
            "observed_at": NOW - dt.timedelta(minutes=25),
            "age_minutes": 25,
            "fresh": True,
        },
    }


def normalised(item: dict[str, Any]) -> dict[str, Any]:
    """Datetimes compared as instants (the API may write +08:00 or Z for the same moment)."""
    item = dict(item)
    item["live"] = dict(item["live"], observed_at=when(item["live"]["observed_at"]))
    return item


# --- directory ---------------------------------------------------------------------------------------------------


def test_directory_lists_public_stations_with_live_status_amenities_prices_and_hours(world):
    response = Client().get(f"{API}/")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2  # the planned station is not public
    assert [item["name"] for item in body["items"]] == ["武侯暖心之家", "锦江暖心之家"]
    assert normalised(body["items"][0]) == wuhou_card(world)
    jinjiang = body["items"][1]
    assert jinjiang["hours"] == {
        "open_24h": False,
        "opens_at": "12:00:00",
        "closes_at": "22:00:00",
        "label": "12:00–22:00",
    }
    assert jinjiang["live"] == {
        "state": "unknown",
        "label": "状态未知",
        "free_spaces": None,
        "level": None,
        "source": None,
        "source_label": "",
        "observed_at": None,
        "age_minutes": None,
        "fresh": False,
    }


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("amenities=shower&amenities=beds", ["武侯暖心之家"]),
        ("amenities=truck_parking,laundry", ["锦江暖心之家"]),
        ("amenities=truck_parking", ["武侯暖心之家", "锦江暖心之家"]),
        ("kind=trunk_road", ["锦江暖心之家"]),
        ("region=510107", ["武侯暖心之家"]),
        ("region=510100", ["武侯暖心之家", "锦江暖心之家"]),
        ("region=510703", []),
        ("q=武侯大道", ["武侯暖心之家"]),
        ("corridor=g0512", ["武侯暖心之家"]),
        ("open_now=true", ["武侯暖心之家"]),  # 锦江 opens at 12:00
        ("open_now=false", ["武侯暖心之家", "锦江暖心之家"]),
    ],
)
def test_directory_filters(world, query, names):
    response = Client().get(f"{API}/?{query}")
    assert response.status_code == 200
    assert [item["name"] for item in response.json()["items"]] == names


@pytest.mark.parametrize(
    ("query", "code", "field"),
    [
        ("amenities=helipad", "unknown_amenity", "amenities"),
        ("region=999999", "unknown_region", "region"),
        ("kind=spaceport", "validation_error", "kind"),
        ("open_now=maybe", "validation_error", "open_now"),
    ],
)
def test_directory_bad_filters_are_422(world, query, code, field):
    response = Client().get(f"{API}/?{query}")
    assert response.status_code == 422
    assert (response.json()["code"], list(response.json()["extra"]["fields"])) == (code, [field])


def test_directory_query_count_does_not_grow_with_stations(world, django_assert_num_queries):
    # count, the page of stations, its amenities, its prices: nothing per station, and only the page is read
    with django_assert_num_queries(4):
        assert Client().get(f"{API}/").json()["count"] == 2
    for i in range(3):
        make_station(org=world.tree.wuhou_branch, name=f"加站{i}", lon=104.1 + i / 100, prices={"beds": 500})
    with django_assert_num_queries(4) as queries:
        page = Client().get(f"{API}/", {"page_size": 2}).json()
    assert (page["count"], len(page["items"])) == (5, 2)
    assert "LIMIT 2" in queries.captured_queries[1]["sql"]


# --- one station -------------------------------------------------------------------------------------------------


def test_station_detail_has_forecast_at_arrival_and_public_feedback(world):
    station, op = world.wuhou, world.wuhou_op
    # Two earlier Mondays around 14:00 (the arrival hour of week): 20 and 10 of 40 spaces free.
    services.station_status_set(actor=op, station=station, is_open=True, free_spaces=20, at=at(14, 0, day=16))
    services.station_status_set(actor=op, station=station, is_open=True, free_spaces=10, at=at(13, 30, day=9))
    services.station_status_set(actor=op, station=station, is_open=True, free_spaces=40, at=at(3, 0, day=16))
    # History is entered after the fact: report the current state again so the live status is today's.
    services.station_status_set(
        actor=op, station=station, is_open=True, free_spaces=12, at=NOW - dt.timedelta(minutes=25)
    )
    first = services.feedback_create(station=station, user=None, rating=4, text="热水很足", at=at(8, 0, day=20))
    services.feedback_reply(actor=op, feedback=first, reply="谢谢", at=at(9, 0, day=20))
    services.feedback_create(station=station, user=None, rating=1, issues=["charged_free"], at=at(8, 0, day=22))

    response = Client().get(f"{API}/{station.pk}", {"arrive_at": "2026-11-23T14:00:00+08:00"})
    assert response.status_code == 200
    body = response.json()
    assert body["forecast"] == {
        "at": "2026-11-23T14:00:00+08:00",
        "expected_free_fraction": 0.375,
        "expected_free_spaces": 15,
        "confidence": 0.5,
        "samples": 2,
    }
    assert body["station_class_label"] == "B类"
    assert body["security"] == {
        "cctv": True,
        "guards": False,
        "lighting": True,
        "fence": False,
        "grade": "silver",
        "grade_label": "银级",
    }
    assert (body["pair_id"], body["halves_linked"]) == (None, False)
    feedback = body["feedback"]
    assert (feedback["average_rating"], feedback["count"]) == (2.5, 2)
    assert [
        (item["rating"], item["issues"], item["issue_labels"], item["status"], item["status_label"], item["reply"])
        for item in feedback["recent"]
    ] == [
        (1, ["charged_free"], ["免费项目被收费"], "open", "待答复", ""),
        (4, [], [], "answered", "已答复", "谢谢"),
    ]
    assert "user" not in feedback["recent"][0]
    assert body["drivers"] is None  # no driver has reported lately
    summary_fields = {k: v for k, v in body.items() if k not in {"forecast", "feedback", "security", "drivers"}}
    assert normalised(summary_fields) == {
        **wuhou_card(world),
        "station_class_label": "B类",
        "pair_id": None,
        "halves_linked": False,
    }


def test_station_detail_without_arrival_has_no_forecast_and_naive_arrival_is_beijing_time(world):
    body = Client().get(f"{API}/{world.wuhou.pk}").json()
    assert (body["forecast"], body["feedback"]) == (None, {"average_rating": None, "count": 0, "recent": []})
    services.station_status_set(
        actor=world.wuhou_op, station=world.wuhou, is_open=True, free_spaces=8, at=at(14, 0, day=16)
    )
    naive = Client().get(f"{API}/{world.wuhou.pk}", {"arrive_at": "2026-11-23T14:00:00"}).json()
    assert when(naive["forecast"]["at"]) == at(14, 0)
    assert naive["forecast"]["expected_free_spaces"] == 8


@pytest.mark.parametrize(
    ("arrive_at", "code"),
    [("2027-01-01T10:00:00+08:00", "arrive_at_out_of_range"), ("tomorrow", "validation_error")],
)
def test_station_detail_bad_arrival_is_422(world, arrive_at, code):
    response = Client().get(f"{API}/{world.wuhou.pk}", {"arrive_at": arrive_at})
    assert (response.status_code, response.json()["code"], list(response.json()["extra"]["fields"])) == (
        422,
        code,
        ["arrive_at"],
    )


def test_planned_and_missing_stations_are_404(world):
    for station_id in (world.planned.pk, 999_999):
        response = Client().get(f"{API}/{station_id}")
        assert (response.status_code, response.json()) == (404, STATION_NOT_FOUND)


# --- near me -----------------------------------------------------------------------------------------------------


def test_near_returns_nearest_first_with_distance_and_live_status(world):
    response = Client().get(f"{API}/near", {"lon": 104.04, "lat": 30.63, "radius_km": 10})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert [(i["name"], i["distance_km"]) for i in body["items"]] == [("武侯暖心之家", 1.11), ("锦江暖心之家", 4.43)]
    first = dict(body["items"][0])
    assert normalised({k: v for k, v in first.items() if k != "distance_km"}) == wuhou_card(world)


def test_near_accepts_gcj02_and_filters(world):
    lon, lat = wgs84_to_gcj02(104.04, 30.63)
    gcj = Client().get(f"{API}/near", {"lon": lon, "lat": lat, "coord_system": "gcj02", "radius_km": 10}).json()
    assert [(i["name"], i["distance_km"]) for i in gcj["items"]] == [("武侯暖心之家", 1.11), ("锦江暖心之家", 4.43)]
    laundry = Client().get(f"{API}/near", {"lon": 104.04, "lat": 30.63, "amenities": "laundry"}).json()
    assert [i["name"] for i in laundry["items"]] == ["锦江暖心之家"]
    open_now = Client().get(f"{API}/near", {"lon": 104.04, "lat": 30.63, "open_now": "true"}).json()
    assert [i["name"] for i in open_now["items"]] == ["武侯暖心之家"]
    limited = Client().get(f"{API}/near", {"lon": 104.04, "lat": 30.63, "limit": 1}).json()
    assert (limited["count"], limited["items"][0]["name"]) == (1, "武侯暖心之家")


@pytest.mark.parametrize(
    ("params", "code", "field"),
    [
        ({"lon": 104.0, "lat": 30.6, "amenities": "helipad"}, "unknown_amenity", "amenities"),
        ({"lon": 104.0, "lat": 30.6, "radius_km": 0}, "radius_invalid", "radius_km"),
        ({"lon": 104.0, "lat": 30.6, "radius_km": 5000}, "radius_invalid", "radius_km"),
        ({"lon": 2.35, "lat": 48.85}, "outside_china", "position"),
        ({"lon": 104.0, "lat": 30.6, "coord_system": "bd09"}, "validation_error", "coord_system"),
        ({"lon": "nan", "lat": 30.6}, "validation_error", "lon"),
        ({"lat": 30.6}, "validation_error", "lon"),
    ],
)
def test_near_bad_input_is_422(world, params, code, field):
    response = Client().get(f"{API}/near", params)
    assert response.status_code == 422
    assert (response.json()["code"], list(response.json()["extra"]["fields"])) == (code, [field])


# --- along the route ---------------------------------------------------------------------------------------------

# East-bound along latitude 30.5 from 103.0 to 105.0 (about 192 km), as in test_search.
ROUTE = [(103.0, 30.5), (104.0, 30.5), (105.0, 30.5)]


@pytest.fixture
def route_stations(tree):
    org = tree.wuhou_branch
    east = make_station(
        org=org, name="东行服务区", lon=103.5, lat=30.5005, kind=StationKind.EXPRESSWAY, bearing_deg=90.0
    )
    make_station(org=org, name="西行服务区", lon=103.5, lat=30.4995, kind=StationKind.EXPRESSWAY, bearing_deg=270.0)
    yard = make_station(
        org=org, name="物流园", lon=104.5, lat=30.52, amenities=[Amenity.SHOWER, Amenity.BEDS], beds=6, operators=[]
    )
    make_station(org=org, name="身后园区", lon=103.1, lat=30.51)
    make_station(org=org, name="远处园区", lon=104.5, lat=31.0)
    return {"east": east, "yard": yard}


def along(body: dict[str, Any]) -> Any:
    return post(Client(), f"{API}/along-route", body)


def test_along_route_by_polyline_orders_by_km_ahead_with_eta_detour_and_forecast(route_stations):
    yard = route_stations["yard"]
    # A Monday history at the yard's arrival hour (about 11:48): 30 of 40 spaces free a week ago.
    services.station_status_set(
        actor=User.objects.get(username="root"), station=yard, is_open=True, free_spaces=30, at=at(11, 45, day=16)
    )
    response = along({"polyline": encode_polyline(ROUTE), "position": [103.2, 30.5]})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    rows = [(i["name"], i["km_ahead"], i["minutes_ahead"], i["detour_km"], i["detour_minutes"]) for i in body["items"]]
    assert rows == [("东行服务区", 28.7, 25, 0.0, 0), ("物流园", 124.6, 107, 4.2, 6)]
    expected = selectors.station_search_along_route(
        query=selectors.RouteQuery(points=ROUTE, position=(103.2, 30.5)), now=NOW
    )
    # JSON carries milliseconds.
    assert [when(i["eta"]) for i in body["items"]] == [
        r.eta.replace(microsecond=r.eta.microsecond // 1000 * 1000) for r in expected
    ]
    east, yard_item = body["items"]
    assert east["forecast"] is None  # no history at that hour
    assert yard_item["forecast"] == {
        "at": yard_item["eta"],
        "expected_free_fraction": 0.75,
        "expected_free_spaces": 30,
        "confidence": 0.5,
        "samples": 1,
    }
    assert yard_item["live"]["state"] == "unknown"  # the week-old report is long stale


def test_along_route_costs_the_same_queries_however_many_results(
    route_stations, django_assert_num_queries, django_assert_max_num_queries, settings
):
    settings.STATION_SEARCH_RECHECK_SECONDS = 3600  # no periodic re-check inside this test
    body = {"polyline": encode_polyline(ROUTE)}
    # Cold: catalog check + build (stations, amenities), live fields, cards (stations, amenities, prices), history.
    with django_assert_num_queries(8) as first:
        assert along(body).json()["count"] == 3
    for i in range(4):
        make_station(org=route_stations["yard"].organization, name=f"沿途园区{i}", lon=103.6 + i / 4, lat=30.51)
    with django_assert_max_num_queries(len(first)):  # the catalog rebuilds, four new cards are written
        assert along(body).json()["count"] == 7
    with django_assert_num_queries(1):  # warm: only the live fields are read
        assert along(body).json()["count"] == 7


def _schema_json(schema: type[Schema], results: list[selectors.SearchResult], forecasts: dict | None = None) -> str:
    """What ninja writes for these results through the response schema (the simple path the cards replace)."""
    rows = selectors.station_rows([r.station.pk for r in results])
    items = []
    for result in results:
        station: Any = rows[result.station.pk]  # with the attributes the item schemas read
        station.live_now = result.live
        station.search = result
        if result.eta is not None:
            station.forecast_out = ForecastOut.of((forecasts or {}).get(station.pk), result.eta)
        items.append(station)
    data = schema.from_orm({"items": items, "count": len(items)}).model_dump()
    return Utf8JSONRenderer().render(None, data, response_status=200)  # type: ignore[arg-type]


@pytest.fixture
def varied_route_stations(route_stations, world):
    """Route stations in every live state, with history for forecasts and a price list."""
    root = User.objects.get(username="root")
    east, yard = route_stations["east"], route_stations["yard"]
    services.station_prices_set(actor=root, station=yard, prices={"beds": 3550, "shower": 0, "repair": 500})
    for day in (2, 9, 16):
        for minute in (20, 45, 70):
            moment = at(11, 0, day=day) + dt.timedelta(minutes=minute)
            services.station_status_set(actor=root, station=yard, is_open=True, free_spaces=day + minute % 7, at=moment)
            services.station_status_confirm(actor=None, station=east, level="some", at=moment)
    services.station_status_set(actor=root, station=east, is_open=False, free_spaces=None, at=at(11, 30, day=16))
    services.station_status_set(actor=root, station=yard, is_open=True, free_spaces=0, at=NOW - dt.timedelta(minutes=5))
    services.station_status_confirm(actor=None, station=east, level="plenty", at=NOW - dt.timedelta(minutes=59))
    west = Station.objects.get(name="西行服务区")
    services.station_status_set(actor=root, station=west, is_open=False, free_spaces=None, at=NOW)
    return route_stations


# Along ROUTE (east on 30.5°N) within 20 km, by longitude: 身后园区 103.1, 东行服务区 103.5 (its west half faces the
# other way), 武侯 104.04, 锦江 104.08, 物流园 104.5 (远处园区 is 55 km off). A position leaves out what is behind it.
# States from varied_route_stations and the world: east confirmed plenty, 武侯 12 free, 物流园 0 free, 锦江 no report.
_EAST, _WUHOU, _JINJIANG, _YARD = (
    ("东行服务区", "available"),
    ("武侯暖心之家", "available"),
    ("锦江暖心之家", "unknown"),
    ("物流园", "full"),
)
AHEAD_OF = {
    (103.2, 30.5): [_EAST, _WUHOU, _JINJIANG, _YARD],
    (104.0, 30.5): [_WUHOU, _JINJIANG, _YARD],
    None: [("身后园区", "unknown"), _EAST, _WUHOU, _JINJIANG, _YARD],
}


@pytest.mark.parametrize("position", [(103.2, 30.5), (104.0, 30.5), None])
def test_along_route_json_is_byte_for_byte_the_schemas(varied_route_stations, position):
    body: dict[str, Any] = {"polyline": encode_polyline(ROUTE), "offroad_corridor_m": 20_000}
    if position:
        body["position"] = list(position)
    response = along(body)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    query = selectors.RouteQuery(points=ROUTE, position=position, offroad_corridor_m=20_000)
    results = selectors.station_search_along_route(query=query, now=NOW)
    forecasts = selectors.station_forecasts_from_db(targets=[(r.station, r.eta) for r in results if r.eta])
    assert response.content.decode() == _schema_json(AlongRouteOut, results, forecasts)
    items = response.json()["items"]
    assert [(item["name"], item["live"]["state"]) for item in items] == AHEAD_OF[position]
    assert any(item["forecast"] for item in items)


def test_near_json_is_byte_for_byte_the_schemas(varied_route_stations):
    response = Client().get(f"{API}/near", {"lon": 104.0, "lat": 30.6, "radius_km": 200})
    assert response.status_code == 200
    results = selectors.station_search_near(lon=104.0, lat=30.6, radius_km=200, now=NOW)
    assert response.content.decode() == _schema_json(NearOut, results)
    # Nearest first from (104.0, 30.6): 武侯 5.6 km, 锦江 9.2, 物流园 48.8, 东行 49.3, 西行 49.3 (a hair further
    # south), 远处园区 63, 身后园区 86.8; the planned station is not in the directory.
    assert [(item["name"], item["live"]["state"]) for item in response.json()["items"]] == [
        ("武侯暖心之家", "available"),
        ("锦江暖心之家", "unknown"),
        ("物流园", "full"),
        ("东行服务区", "available"),
        ("西行服务区", "closed"),
        ("远处园区", "unknown"),
        ("身后园区", "unknown"),
    ]


def test_along_route_pages_keep_the_order_and_count_every_match(varied_route_stations):
    body: dict[str, Any] = {"polyline": encode_polyline(ROUTE), "offroad_corridor_m": 20_000}
    everything = along(body).json()
    assert everything["count"] == len(everything["items"]) == 5  # AHEAD_OF[None]
    pages = [along({**body, "page": page, "page_size": 2}).json() for page in (1, 2, 3, 9)]
    assert [p["count"] for p in pages] == [everything["count"]] * 4
    assert [len(p["items"]) for p in pages[:2]] == [2, 2] and pages[-1]["items"] == []
    assert [i["id"] for p in pages for i in p["items"]] == [i["id"] for i in everything["items"]]
    # With open-now the count is of the open matches (the closed west half and the late opener are left out).
    open_now = along({**body, "open_now": True, "page_size": 1}).json()
    names = {i["name"] for i in along({**body, "open_now": True}).json()["items"]}
    assert open_now["count"] == len(names) and len(open_now["items"]) == 1
    assert "锦江暖心之家" not in names  # opens at 12:00; it is 10:00


@pytest.mark.parametrize("paging", [{"page": 0}, {"page_size": 0}, {"page_size": 201}, {"page": "x"}])
def test_along_route_bad_paging_is_422(route_stations, paging):
    response = along({"polyline": encode_polyline(ROUTE), **paging})
    assert response.status_code == 422
    assert set(response.json()["extra"]["fields"]) == set(paging)


def test_a_station_card_renews_when_the_station_changes(varied_route_stations, monkeypatch):
    yard = varied_route_stations["yard"]
    root = User.objects.get(username="root")
    body = {"polyline": encode_polyline(ROUTE), "position": [103.2, 30.5]}

    def yard_item() -> dict[str, Any]:
        return next(i for i in along(body).json()["items"] if i["id"] == yard.pk)

    assert {p["service"]: p["price_fen"] for p in yard_item()["prices"]}["beds"] == 3550
    monkeypatch.setattr(timezone, "now", lambda: NOW + dt.timedelta(seconds=1))
    services.station_prices_set(actor=root, station=yard, prices={"beds": 4000})
    assert {p["service"]: p["price_fen"] for p in yard_item()["prices"]}["beds"] == 4000
    monkeypatch.setattr(timezone, "now", lambda: NOW + dt.timedelta(seconds=2))
    yard.refresh_from_db()
    services.station_update(actor=root, station=yard, expected_version=yard.version, name="物流园（新）")
    assert yard_item()["name"] == "物流园（新）"


def test_another_workers_edit_shows_after_the_recheck_interval(varied_route_stations, settings):
    """An edit made in another process (no local notice): seen once the catalog's change check runs again."""
    yard = varied_route_stations["yard"]
    body = {"polyline": encode_polyline(ROUTE), "position": [103.2, 30.5]}

    def yard_name() -> str:
        return next(i["name"] for i in along(body).json()["items"] if i["id"] == yard.pk)

    settings.STATION_SEARCH_RECHECK_SECONDS = 3600
    assert yard_name() == "物流园"
    Station.objects.filter(pk=yard.pk).update(name="物流园（他处修改）", updated_at=NOW + dt.timedelta(seconds=1))
    assert yard_name() == "物流园"  # within the interval: this process has not looked yet
    settings.STATION_SEARCH_RECHECK_SECONDS = 0
    assert yard_name() == "物流园（他处修改）"


def test_forecasts_from_memory_equal_the_databases_and_see_new_reports(varied_route_stations, settings):
    settings.STATION_SEARCH_RECHECK_SECONDS = 3600  # only the services' own notice can refresh the history
    east, yard = varied_route_stations["east"], varied_route_stations["yard"]
    targets = [(s, at(11, 0) + dt.timedelta(minutes=m)) for s in (east, yard) for m in range(0, 120, 7)]
    memory = selectors.station_forecasts(targets=targets)
    assert memory == selectors.station_forecasts_from_db(targets=targets)
    for station, moment in targets:
        assert selectors.station_forecasts(targets=[(station, moment)]) == {
            station.pk: selectors.station_forecast(station, at=moment)
        }
    before = selectors.station_forecasts(targets=[(yard, at(11, 40))])[yard.pk]
    services.station_status_set(
        actor=User.objects.get(username="root"), station=yard, is_open=True, free_spaces=40, at=at(11, 40, day=16)
    )
    after = selectors.station_forecasts(targets=[(yard, at(11, 40))])[yard.pk]
    assert before is not None and after is not None and after.samples == before.samples + 1
    assert after == selectors.station_forecast(yard, at=at(11, 40))
    # A moment whose eight weeks reach before the loaded window is answered from the database.
    old = at(11, 40, day=2) - dt.timedelta(weeks=1)
    assert selectors.status_history.forecasts([(yard, old)], weeks=8, now=NOW) is None
    assert selectors.station_forecasts(targets=[(yard, old)]) == {yard.pk: selectors.station_forecast(yard, at=old)}


def test_forecasts_from_memory_wrap_round_the_week(world):
    """Monday 00:30 reads Sunday 23:30–24:00 as well (hours of week 167.5–168 and 0–1.5)."""
    op, wuhou = world.wuhou_op, world.wuhou
    for day in (8, 15):  # Sundays
        for hour, minute, free in [(23, 20, 5), (23, 50, 9), (22, 0, 30)]:
            moment = at(hour, minute, day=day)
            services.station_status_set(actor=op, station=wuhou, is_open=True, free_spaces=free, at=moment)
        services.station_status_set(actor=op, station=wuhou, is_open=True, free_spaces=17, at=at(1, 10, day=day + 1))
    samples = []
    for target in (at(0, 30), at(23, 40, day=22), at(1, 0)):
        memory = selectors.station_forecasts(targets=[(wuhou, target)])[wuhou.pk]
        assert memory is not None and memory == selectors.station_forecast(wuhou, at=target)
        samples.append(memory.samples)
    # 00:30 sees both Sundays' 23:50 and both Mondays' 01:10; Sunday 23:40 sees 23:20 and 23:50 twice; 01:00 only 01:10.
    assert samples == [4, 4, 2]


def test_live_fields_read_in_plain_sql_equal_the_orms(varied_route_stations, world):
    ids = list(Station.objects.values_list("pk", flat=True))
    live = selectors.search_catalog.get().read_live(ids)
    expected = {
        pk: tuple(rest)
        for pk, *rest in Station.objects.filter(pk__in=ids, status__in=PUBLIC_STATUSES).values_list(
            "id", *selectors.LIVE_FIELDS
        )
    }
    got = {pk: tuple(getattr(s, name) for name in selectors.LIVE_FIELDS) for pk, s in live.items()}
    assert got == expected and world.planned.pk not in got
    opens = {values[1] for values in got.values()}
    assert opens == {None, True, False}  # never reported, open, closed
    assert all(v[-1] is None or v[-1].utcoffset() == dt.timedelta(0) for v in got.values())


def test_batch_forecasts_equal_one_by_one_forecasts(world):
    op = world.wuhou_op
    for day, hour, free in [(16, 14, 20), (9, 13, 10), (2, 15, 35), (16, 3, 40)]:
        services.station_status_set(actor=op, station=world.wuhou, is_open=True, free_spaces=free, at=at(hour, 0, day))
    services.station_status_set(actor=op, station=world.wuhou, is_open=False, free_spaces=None, at=at(14, 10, day=16))
    services.station_status_confirm(actor=None, station=world.jinjiang, level="some", at=at(14, 0, day=16))
    targets = [(world.wuhou, at(14, 0)), (world.jinjiang, at(14, 30)), (world.planned, at(14, 0))]
    batch = selectors.station_forecasts(targets=targets)
    assert batch == {station.pk: selectors.station_forecast(station, at=moment) for station, moment in targets}
    samples = {pk: forecast.samples if forecast else None for pk, forecast in batch.items()}
    assert samples == {world.wuhou.pk: 3, world.jinjiang.pk: 1, world.planned.pk: None}


def test_along_route_geojson_gcj02_and_polyline_agree(route_stations):
    by_polyline = along({"polyline": encode_polyline(ROUTE), "position": [103.2, 30.5]}).json()
    by_geojson = along(
        {"geojson": {"type": "LineString", "coordinates": [list(p) for p in ROUTE]}, "position": [103.2, 30.5]}
    ).json()
    gcj = [list(wgs84_to_gcj02(lon, lat)) for lon, lat in ROUTE]
    by_gcj = along(
        {
            "geojson": {"type": "LineString", "coordinates": gcj},
            "coord_system": "gcj02",
            "position": list(wgs84_to_gcj02(103.2, 30.5)),
        }
    ).json()
    names = [i["name"] for i in by_polyline["items"]]
    assert names == ["东行服务区", "物流园"]
    assert [i["name"] for i in by_geojson["items"]] == names
    assert [i["name"] for i in by_gcj["items"]] == names
    assert [i["km_ahead"] for i in by_geojson["items"]] == [i["km_ahead"] for i in by_polyline["items"]]


def test_along_route_filters_window_sleep_amenities_durations(route_stations):
    base = {"polyline": encode_polyline(ROUTE), "position": [103.2, 30.5]}
    assert [i["name"] for i in along({**base, "min_hours": 1, "max_hours": 2}).json()["items"]] == ["物流园"]
    assert [i["name"] for i in along({**base, "sleep_tonight": True}).json()["items"]] == ["物流园"]
    assert [i["name"] for i in along({**base, "amenities": ["beds"]}).json()["items"]] == ["物流园"]
    assert [i["name"] for i in along({**base, "kind": "expressway"}).json()["items"]] == ["东行服务区"]
    # Without a position the route starts at its first point; the 身后园区 is then ahead too.
    whole = along({"polyline": encode_polyline(ROUTE)}).json()
    assert [i["name"] for i in whole["items"]] == ["身后园区", "东行服务区", "物流园"]
    # Slow traffic: one hour per 96 km leg doubles minutes_ahead.
    slow = along({**base, "durations": [0, 3600, 7200]}).json()
    assert [(i["name"], i["minutes_ahead"]) for i in slow["items"]] == [("东行服务区", 18), ("物流园", 78)]


def test_along_route_by_named_corridor(tree):
    # G0512 成乐: 成都市 (104.06667, 30.66667) -> 双流区 (103.92127, 30.57383) -> 新津区 (103.81302, 30.41131).
    # Worked by hand on a flat projection at this latitude (R = 6371 km): the first leg is 17.32 km and the yard
    # (103.99, 30.63) projects onto it at 48.0 % of the way, 8.32 km from 成都; the second leg is 20.84 km, so from
    # 新津 the yard lies 20.84 + (17.32 - 8.32) = 29.84 km ahead. The API gives kilometres to 0.1.
    yard = make_station(org=tree.wuhou_branch, name="双流园区", lon=103.99, lat=30.63)
    response = along({"corridor": {"ref": "G0512", "from_code": "510100", "to_code": "510118"}})
    assert response.status_code == 200
    assert [(i["id"], i["km_ahead"]) for i in response.json()["items"]] == [(yard.pk, 8.3)]
    reverse = along({"corridor": {"ref": "G0512", "from_code": "510118", "to_code": "510100"}}).json()
    assert [(i["id"], i["km_ahead"]) for i in reverse["items"]] == [(yard.pk, 29.8)]


def test_corridor_picker_lists_corridors_and_towns(db):
    response = Client().get(f"{API}/corridors")
    assert response.status_code == 200
    g0512 = next(c for c in response.json() if c["ref"] == "G0512")
    assert g0512["name"] == "成乐高速"
    assert g0512["towns"][:3] == [
        {"code": "510100", "name": "成都市"},
        {"code": "510116", "name": "双流区"},
        {"code": "510118", "name": "新津区"},
    ]


LOOP = [(103.0, 30.0), (104.0, 31.0), (104.0, 30.0), (103.0, 31.0)]  # crosses itself
GOOD = encode_polyline(ROUTE)


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        ({"polyline": "!!!"}, "polyline_malformed", "polyline"),
        ({"polyline": GOOD[:-1]}, "polyline_malformed", "polyline"),
        ({"polyline": encode_polyline([(104.0, 30.5)])}, "route_too_short", "route"),
        ({"polyline": ""}, "route_too_short", "route"),
        ({"polyline": encode_polyline(LOOP)}, "route_self_intersecting", "route"),
        ({"polyline": encode_polyline([(2.35, 48.85), (2.40, 48.90)])}, "outside_china", "route"),
        ({"geojson": {"type": "Point", "coordinates": [104.0, 30.5]}}, "geojson_type", "geojson"),
        ({"geojson": {"type": "LineString", "coordinates": [[104.0, 30.5]]}}, "geojson_too_few_points", "geojson"),
        (
            {"geojson": {"type": "LineString", "coordinates": [[104.0, "x"], [105, 30]]}},
            "geojson_not_number",
            "geojson",
        ),
        ({"geojson": {"type": "LineString", "coordinates": [[104, 95], [105, 30]]}}, "geojson_lat_range", "geojson"),
        ({"polyline": GOOD, "amenities": ["helipad"]}, "unknown_amenity", "amenities"),
        ({"polyline": GOOD, "position": [2.35, 48.85]}, "outside_china", "position"),
        ({"polyline": GOOD, "durations": [0, 10]}, "durations_invalid", "durations"),
        ({"polyline": GOOD, "durations": [0, 10, 5]}, "durations_invalid", "durations"),
        ({"polyline": GOOD, "min_hours": 4, "max_hours": 3}, "window_invalid", "window"),
        ({"polyline": GOOD, "expressway_corridor_m": 10}, "validation_error", "expressway_corridor_m"),
        ({"polyline": GOOD, "offroad_corridor_m": 50_000}, "validation_error", "offroad_corridor_m"),
        ({"polyline": GOOD, "coord_system": "bd09"}, "validation_error", "coord_system"),
        ({"polyline": GOOD, "position": [104.0]}, "validation_error", "position.1"),
        ({"polyline": GOOD, "geojson": {"type": "LineString", "coordinates": []}}, "route_ambiguous", "route"),
        ({}, "route_required", "route"),
        ({"corridor": {"ref": "G999"}}, "unknown_corridor", "corridor"),
        ({"corridor": {"ref": "G0512", "from_code": "510107"}}, "town_not_on_corridor", "corridor"),
        ({"corridor": {"ref": "G0512", "from_code": "510100", "to_code": "510100"}}, "same_towns", "corridor"),
    ],
)
def test_along_route_bad_input_is_422_with_our_shape(route_stations, body, code, field):
    response = along(body)
    assert response.status_code == 422
    payload = response.json()
    assert set(payload) == {"message", "code", "extra"}
    assert payload["code"] == code
    assert list(payload["extra"]["fields"]) == [field]


def test_along_route_nan_and_malformed_json_never_500(route_stations):
    body = '{"polyline": "' + GOOD + '", "position": [NaN, 30.5]}'  # Python's json reads NaN; JSON has none
    nan_position = Client().post(f"{API}/along-route", body, content_type="application/json")
    assert (nan_position.status_code, nan_position.json()["code"]) == (422, "validation_error")
    broken = Client().post(f"{API}/along-route", '{"polyline": ', content_type="application/json")
    assert (broken.status_code, broken.json()["code"]) == (400, "malformed_body")


# --- driver taps: confirm ----------------------------------------------------------------------------------------


def test_anonymous_confirm_shows_beside_the_count_and_is_limited_per_device(world):
    station = world.wuhou
    response = post(Client(), f"{API}/{station.pk}/confirm", {"level": "full"}, X_Device_Id="phone-a")
    assert response.status_code == 200
    body = response.json()
    assert (body["level"], when(body["observed_at"])) == ("full", NOW)
    # One anonymous tap leaves the operator's fresh count as the headline (issue 10.3) and is said beside it.
    assert body["live"] == {
        "state": "available",
        "label": "空余车位 12 个",
        "free_spaces": 12,
        "level": "plenty",
        "source": "operator",
        "source_label": "站长",
        "observed_at": body["live"]["observed_at"],
        "age_minutes": 25,
        "fresh": True,
    }
    assert body["drivers"] == {
        "reporters": 1,
        "level": "full",
        "minutes": 1,
        "agreed": False,
        "line": "1 位司机 1 分钟内反馈：已满",
    }
    detail = Client().get(f"{API}/{station.pk}").json()
    assert (detail["live"]["source"], detail["drivers"]["line"]) == ("operator", "1 位司机 1 分钟内反馈：已满")
    again = post(Client(), f"{API}/{station.pk}/confirm", {"level": "some"}, X_Device_Id="phone-a")
    assert again.status_code == 429
    assert again.json() == {
        "message": "您刚刚反馈过该站点，请 5 分钟后再试",
        "code": "confirm_too_frequent",
        "extra": {"retry_after_seconds": 300},
    }
    other = Client()
    other.cookies["chelun_device"] = "phone-b"
    assert post(other, f"{API}/{station.pk}/confirm", {"level": "some"}).status_code == 200
    # Another station is another count.
    assert (
        post(Client(), f"{API}/{world.jinjiang.pk}/confirm", {"level": "plenty"}, X_Device_Id="phone-a").status_code
        == 200
    )
    assert StatusReport.objects.filter(source="driver").count() == 3
    station.refresh_from_db()
    assert (station.live_level, station.live_source) == ("plenty", "operator")  # two phones disagree: the count stands
    keys = StatusReport.objects.filter(source="driver", station=station).values_list("visitor_key", flat=True)
    assert len(set(keys)) == 2 and all(k.startswith("device:") for k in keys)


def test_signed_in_driver_is_limited_by_account_even_on_another_worker(world):
    driver = make_user("driver-1")
    client = login(driver)
    assert post(client, f"{API}/{world.wuhou.pk}/confirm", {"level": "some"}).status_code == 200
    cache.clear()  # another worker's cache knows nothing of the first tap; the stored report still does
    second = post(client, f"{API}/{world.wuhou.pk}/confirm", {"level": "full"}, X_Device_Id="other-phone")
    assert (second.status_code, second.json()["code"]) == (429, "confirm_too_frequent")
    assert list(StatusReport.objects.filter(source="driver").values_list("reporter__username", "level")) == [
        ("driver-1", "some")
    ]


def test_anonymous_confirm_limit_is_shared_through_redis(world, settings):
    """With REDIS_URL (config.settings) the limit lives in Redis, so a tap on one worker limits every worker."""
    redis = pytest.importorskip("redis")
    url = "redis://127.0.0.1:6379/15"
    server = redis.Redis.from_url(url)
    try:
        server.flushdb()
    except redis.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379 (.ci/run starts one)")
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}}
    try:
        first = post(Client(), f"{API}/{world.wuhou.pk}/confirm", {"level": "some"}, X_Device_Id="phone-r")
        assert first.status_code == 200
        assert server.keys("*")  # in Redis, not in this process
        again = post(Client(), f"{API}/{world.wuhou.pk}/confirm", {"level": "full"}, X_Device_Id="phone-r")
        assert (again.status_code, again.json()["code"]) == (429, "confirm_too_frequent")
    finally:
        server.flushdb()


@pytest.mark.parametrize(
    ("body", "headers", "status", "code"),
    [
        ({"level": "full"}, {}, 400, "device_unknown"),
        ({"level": "lots"}, {"X_Device_Id": "phone-a"}, 422, "validation_error"),
        ({}, {"X_Device_Id": "phone-a"}, 422, "validation_error"),
        ({"level": "full"}, {"X_Device_Id": "x" * 129}, 422, "device_id_invalid"),
    ],
)
def test_bad_confirm_is_refused_and_writes_nothing(world, body, headers, status, code):
    response = post(Client(), f"{API}/{world.wuhou.pk}/confirm", body, **headers)
    assert (response.status_code, response.json()["code"]) == (status, code)
    assert StatusReport.objects.filter(source="driver").count() == 0
    # A refused tap does not use up the device's turn.
    assert (
        post(Client(), f"{API}/{world.wuhou.pk}/confirm", {"level": "full"}, X_Device_Id="phone-a").status_code == 200
    )


def test_confirm_on_suspended_station_is_refused(world):
    Station.objects.filter(pk=world.wuhou.pk).update(status=StationStatus.SUSPENDED)
    response = post(Client(), f"{API}/{world.wuhou.pk}/confirm", {"level": "plenty"}, X_Device_Id="phone-a")
    assert (response.status_code, response.json()["code"]) == (400, "station_not_open")
    assert StatusReport.objects.filter(source="driver").count() == 0
    planned = post(Client(), f"{API}/{world.planned.pk}/confirm", {"level": "plenty"}, X_Device_Id="phone-a")
    assert (planned.status_code, planned.json()) == (404, STATION_NOT_FOUND)


# --- operator status ---------------------------------------------------------------------------------------------


def test_operator_sets_status(world):
    response = post(login(world.wuhou_op), f"{API}/{world.wuhou.pk}/status", {"is_open": True, "free_spaces": 3})
    assert response.status_code == 200
    body = response.json()
    assert (body["is_open"], body["free_spaces"], body["level"], when(body["observed_at"])) == (True, 3, "some", NOW)
    assert (body["live"]["state"], body["live"]["label"], body["live"]["age_minutes"]) == (
        "limited",
        "空余车位 3 个",
        0,
    )
    closed = post(login(world.tree.wuhou_admin), f"{API}/{world.wuhou.pk}/status", {"is_open": False}).json()
    assert (closed["level"], closed["live"]["state"], closed["live"]["label"]) == (None, "closed", "当前关闭")
    assert StatusReport.objects.filter(station=world.wuhou).count() == 3


def status_snapshot(station: Station) -> tuple[Any, ...]:
    station.refresh_from_db()
    return (
        StatusReport.objects.filter(station=station).count(),
        station.live_open,
        station.live_free_spaces,
        station.live_observed_at,
    )


@pytest.mark.parametrize(
    ("who", "status", "code"),
    [("jinjiang_op", 404, "not_found"), ("jinjiang_admin", 404, "not_found"), ("wuhou_viewer", 403, "forbidden")],
)
def test_status_by_someone_else_is_refused_and_changes_nothing(world, who, status, code):
    users = {
        "jinjiang_op": world.jinjiang_op,
        "jinjiang_admin": world.tree.jinjiang_admin,
        "wuhou_viewer": make_user("viewer-wuhou", org=world.tree.wuhou, role="viewer"),
    }
    before = status_snapshot(world.wuhou)
    response = post(login(users[who]), f"{API}/{world.wuhou.pk}/status", {"is_open": False, "free_spaces": 0})
    assert (response.status_code, response.json()["code"]) == (status, code)
    assert status_snapshot(world.wuhou) == before


def test_status_needs_an_account_and_a_sane_count(world):
    before = status_snapshot(world.wuhou)
    anonymous = post(Client(), f"{API}/{world.wuhou.pk}/status", {"is_open": True, "free_spaces": 5})
    assert (anonymous.status_code, anonymous.json()) == (401, NOT_AUTHENTICATED)
    client = login(world.wuhou_op)
    too_many = post(client, f"{API}/{world.wuhou.pk}/status", {"is_open": True, "free_spaces": 41})
    assert (too_many.status_code, too_many.json()["code"]) == (422, "free_spaces_above_capacity")
    negative = post(client, f"{API}/{world.wuhou.pk}/status", {"is_open": True, "free_spaces": -1})
    assert (negative.status_code, negative.json()["code"]) == (422, "free_spaces_negative")
    assert status_snapshot(world.wuhou) == before


# --- check-ins ---------------------------------------------------------------------------------------------------


def test_anonymous_checkin_by_device_and_duplicate_within_ten_minutes(world):
    url = f"{API}/{world.wuhou.pk}/checkins"
    first = post(Client(), url, {"services": ["shower"]}, X_Device_Id="phone-a")
    assert first.status_code == 201
    body = first.json()
    assert (body["created"], body["services"], when(body["created_at"])) == (True, ["shower"], NOW)
    again = post(Client(), url, {"services": ["laundry"]}, X_Device_Id="phone-a")
    assert again.status_code == 200
    repeat = again.json()
    assert (repeat["id"], repeat["created"], repeat["services"], when(repeat["created_at"])) == (
        body["id"],
        False,
        ["shower", "laundry"],
        NOW,
    )
    cookie = Client()
    cookie.cookies["chelun_device"] = "phone-b"
    assert post(cookie, url, {"services": ["parking"]}).status_code == 201
    assert CheckIn.objects.count() == 2
    assert CheckIn.objects.filter(user__isnull=False).count() == 0


def test_a_check_in_made_offline_counts_at_the_moment_of_the_tap(world):
    url = f"{API}/{world.wuhou.pk}/checkins"
    tapped = NOW - dt.timedelta(hours=3)
    late = post(Client(), url, {"services": ["shower"], "at": tapped.isoformat()}, X_Device_Id="phone-a")
    assert late.status_code == 201 and when(late.json()["created_at"]) == tapped
    # Beijing time when the phone sends no offset; merged with the visit 5 minutes before, as any tap would be.
    naive = (tapped + dt.timedelta(minutes=5)).replace(tzinfo=None).isoformat()
    merged = post(Client(), url, {"services": ["laundry"], "at": naive}, X_Device_Id="phone-a")
    assert (merged.status_code, merged.json()["services"]) == (200, ["shower", "laundry"])
    assert CheckIn.objects.count() == 1


@pytest.mark.parametrize(
    ("at", "code"),
    [(NOW + dt.timedelta(minutes=10), "checkin_time_future"), (NOW - dt.timedelta(hours=25), "checkin_time_too_old")],
)
def test_a_late_check_in_outside_24_hours_is_refused_and_writes_nothing(world, at, code):
    response = post(Client(), f"{API}/{world.wuhou.pk}/checkins", {"at": at.isoformat()}, X_Device_Id="phone-a")
    assert (response.status_code, response.json()["code"], list(response.json()["extra"]["fields"])) == (
        422,
        code,
        ["at"],
    )
    assert CheckIn.objects.count() == 0
    page = Client(HTTP_X_DEVICE_ID="phone-a").post(
        f"/stations/{world.wuhou.pk}/checkin/", {"services": ["shower"], "at": at.isoformat()}, HTTP_HX_REQUEST="true"
    )
    assert page.status_code == 422 and ("24 小时" in page.text or "晚于现在" in page.text)
    assert CheckIn.objects.count() == 0


def test_signed_in_checkin_uses_the_account_by_session_or_token(world):
    driver = make_user("driver-1")
    url = f"{API}/{world.wuhou.pk}/checkins"
    assert post(login(driver), url, {"services": ["meal"]}).status_code == 201
    _, key = api_token_create(user=driver, name="app")
    by_token = post(Client(), url, {"services": ["bed"]}, Authorization=f"Bearer {key}")
    assert (by_token.status_code, by_token.json()["created"], by_token.json()["services"]) == (
        200,
        False,
        ["meal", "bed"],
    )
    assert list(CheckIn.objects.values_list("user__username", "services")) == [("driver-1", ["meal", "bed"])]


@pytest.mark.parametrize(
    ("body", "headers", "status", "code"),
    [
        ({"services": ["shower"]}, {}, 400, "device_unknown"),
        ({"services": ["sauna"]}, {"X_Device_Id": "phone-a"}, 422, "unknown_service"),
        ({"services": "shower"}, {"X_Device_Id": "phone-a"}, 422, "validation_error"),
        ({"services": ["shower"]}, {"Authorization": "Bearer not-a-token"}, 401, "not_authenticated"),
    ],
)
def test_bad_checkin_is_refused_and_writes_nothing(world, body, headers, status, code):
    response = post(Client(), f"{API}/{world.wuhou.pk}/checkins", body, **headers)
    assert (response.status_code, response.json()["code"]) == (status, code)
    assert CheckIn.objects.count() == 0


def test_checkin_from_another_site_with_a_session_fails_the_csrf_check(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user("driver-1"))
    response = post(client, f"{API}/{world.wuhou.pk}/checkins", {"services": ["shower"]}, X_Device_Id="phone-a")
    assert (response.status_code, response.json()["code"]) == (403, "csrf_failed")
    assert CheckIn.objects.count() == 0


def test_checkin_at_suspended_or_planned_station_is_refused(world):
    Station.objects.filter(pk=world.wuhou.pk).update(status=StationStatus.SUSPENDED)
    suspended = post(Client(), f"{API}/{world.wuhou.pk}/checkins", {"services": []}, X_Device_Id="phone-a")
    assert (suspended.status_code, suspended.json()["code"]) == (400, "station_not_open")
    planned = post(Client(), f"{API}/{world.planned.pk}/checkins", {"services": []}, X_Device_Id="phone-a")
    assert (planned.status_code, planned.json()) == (404, STATION_NOT_FOUND)
    assert CheckIn.objects.count() == 0


# --- feedback ----------------------------------------------------------------------------------------------------


def test_driver_gives_feedback_and_sees_the_reply_deadline(world):
    response = post(
        Client(), f"{API}/{world.wuhou.pk}/feedback", {"rating": 2, "issues": ["charged_free"], "text": " 洗澡收费 "}
    )
    assert response.status_code == 201
    body = response.json()
    feedback = Feedback.objects.get()
    assert {k: v for k, v in body.items() if k not in {"created_at", "reply_due_at"}} == {
        "id": feedback.pk,
        "rating": 2,
        "issues": ["charged_free"],
        "issue_labels": ["免费项目被收费"],
        "text": "洗澡收费",
        "status": "open",
        "status_label": "待答复",
        "reply": "",
        "replied_at": None,
    }
    assert (when(body["created_at"]), when(body["reply_due_at"])) == (NOW, NOW + dt.timedelta(hours=24))
    assert feedback.user is None


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        ({"rating": 0}, "rating_invalid", "rating"),
        ({"rating": 6}, "rating_invalid", "rating"),
        ({"rating": 3, "issues": ["aliens"]}, "unknown_issue", "issues"),
        ({"rating": 3, "issues": ["other"]}, "text_required", "text"),
        ({"rating": 3, "text": "长" * 1001}, "text_too_long", "text"),
        ({"issues": ["dirty"]}, "validation_error", "rating"),
    ],
)
def test_bad_feedback_is_422_and_writes_nothing(world, body, code, field):
    response = post(Client(), f"{API}/{world.wuhou.pk}/feedback", body)
    assert response.status_code == 422
    assert (response.json()["code"], list(response.json()["extra"]["fields"])) == (code, [field])
    assert Feedback.objects.count() == 0


@pytest.fixture
def feedback(world):
    wuhou = services.feedback_create(station=world.wuhou, user=None, rating=2, text="太吵", at=at(8, 0))
    services.feedback_create(station=world.jinjiang, user=None, rating=5, at=at(9, 0))
    return wuhou


def test_console_feedback_lists_own_stations_and_the_sibling_sees_none(world, feedback):
    body = login(world.wuhou_op).get(f"{API}/console/feedback").json()
    assert body["count"] == 1
    item = body["items"][0]
    assert (item["id"], item["station"], item["overdue"], item["status"]) == (
        feedback.pk,
        {"id": world.wuhou.pk, "name": "武侯暖心之家"},
        False,
        "open",
    )
    assert when(item["reply_due_at"]) == at(8, 0, day=24)
    assert [i["id"] for i in login(world.tree.wuhou_admin).get(f"{API}/console/feedback").json()["items"]] == [
        feedback.pk
    ]
    sibling = login(world.tree.jinjiang_admin)
    assert feedback.pk not in [i["id"] for i in sibling.get(f"{API}/console/feedback").json()["items"]]
    assert [i["station"]["name"] for i in sibling.get(f"{API}/console/feedback").json()["items"]] == ["锦江暖心之家"]
    by_station = sibling.get(f"{API}/console/feedback", {"station": world.wuhou.pk})
    assert (by_station.status_code, by_station.json()["code"]) == (422, "unknown_station")
    assert login(world.wuhou_op).get(f"{API}/console/feedback", {"status": "answered"}).json()["count"] == 0
    assert Client().get(f"{API}/console/feedback").status_code == 401


def test_overdue_feedback_is_flagged(world, feedback):
    Feedback.objects.filter(pk=feedback.pk).update(reply_due_at=NOW - dt.timedelta(minutes=1))
    assert login(world.wuhou_op).get(f"{API}/console/feedback").json()["items"][0]["overdue"] is True


def test_operator_replies_to_feedback(world, feedback):
    response = post(login(world.wuhou_op), f"{API}/feedback/{feedback.pk}/reply", {"reply": " 已处理，谢谢 "})
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["reply"], when(body["replied_at"])) == ("answered", "已处理，谢谢", NOW)
    public = Client().get(f"{API}/{world.wuhou.pk}").json()["feedback"]["recent"][0]
    assert (public["status"], public["reply"]) == ("answered", "已处理，谢谢")


@pytest.mark.parametrize(
    ("who", "body", "status", "code"),
    [
        ("jinjiang_admin", {"reply": "x"}, 404, "not_found"),
        ("jinjiang_op", {"reply": "x"}, 404, "not_found"),
        ("anonymous", {"reply": "x"}, 401, "not_authenticated"),
        ("wuhou_op", {"reply": "   "}, 422, "reply_required"),
        ("wuhou_op", {}, 422, "validation_error"),
    ],
)
def test_bad_or_foreign_reply_is_refused_and_changes_nothing(world, feedback, who, body, status, code):
    client = (
        Client()
        if who == "anonymous"
        else login(
            {"jinjiang_admin": world.tree.jinjiang_admin, "jinjiang_op": world.jinjiang_op, "wuhou_op": world.wuhou_op}[
                who
            ]
        )
    )
    response = post(client, f"{API}/feedback/{feedback.pk}/reply", body)
    assert (response.status_code, response.json()["code"]) == (status, code)
    feedback.refresh_from_db()
    assert (feedback.status, feedback.reply, feedback.replied_at) == (FeedbackStatus.OPEN, "", None)


def test_supervisor_sees_escalated_feedback_but_cannot_reply(world, feedback):
    services.feedback_escalate_overdue(now=at(9, 0, day=24))
    supervisor = make_user("supervisor-chengdu", org=world.tree.chengdu, role="supervisor")
    client = login(supervisor)
    listed = client.get(f"{API}/console/feedback").json()["items"]
    assert [(i["station"]["name"], i["status"]) for i in listed] == [
        ("武侯暖心之家", "escalated"),
        ("锦江暖心之家", "escalated"),
    ]
    assert login(world.tree.jinjiang_admin).get(f"{API}/console/feedback", {"status": "escalated"}).json()["count"] == 1
    response = post(client, f"{API}/feedback/{feedback.pk}/reply", {"reply": "督办"})
    assert (response.status_code, response.json()["code"]) == (403, "forbidden")
    feedback.refresh_from_db()
    assert (feedback.status, feedback.reply) == (FeedbackStatus.ESCALATED, "")


# --- console: stations -------------------------------------------------------------------------------------------


def test_console_station_list_is_scoped(world):
    wuhou = login(world.tree.wuhou_admin).get(f"{API}/console/stations").json()
    assert [(i["name"], i["status"]) for i in wuhou["items"]] == [("武侯暖心之家", "open"), ("规划中的站", "planned")]
    item = wuhou["items"][0]
    assert (item["organization"]["name"], item["contact_name"], item["version"]) == ("武侯物流公司党支部", "", 1)
    assert normalised({k: v for k, v in item.items() if k in wuhou_card(world)}) == wuhou_card(world)
    sibling = login(world.tree.jinjiang_admin).get(f"{API}/console/stations").json()
    assert [i["name"] for i in sibling["items"]] == ["锦江暖心之家"]
    operator = login(world.wuhou_op).get(f"{API}/console/stations", {"managed_only": "true"}).json()
    assert [i["name"] for i in operator["items"]] == ["武侯暖心之家"]
    province = login(world.tree.province_admin).get(f"{API}/console/stations", {"region": "510104"}).json()
    assert [i["name"] for i in province["items"]] == ["锦江暖心之家"]
    assert Client().get(f"{API}/console/stations").json() == NOT_AUTHENTICATED


def test_console_station_detail_is_scoped(world):
    response = login(world.tree.wuhou_admin).get(f"{API}/console/stations/{world.planned.pk}")
    assert response.status_code == 200
    body = response.json()
    assert (body["name"], body["status"], body["can_manage"], body["operators"]) == ("规划中的站", "planned", True, [])
    own = login(world.wuhou_op).get(f"{API}/console/stations/{world.wuhou.pk}").json()
    assert (own["operators"], own["can_manage"], own["security"]["grade"]) == (["op-wuhou"], True, "silver")
    viewer = make_user("viewer-wuhou", org=world.tree.wuhou, role="viewer")
    assert login(viewer).get(f"{API}/console/stations/{world.wuhou.pk}").json()["can_manage"] is False
    for user in (world.tree.jinjiang_admin, world.jinjiang_op):
        for station in (world.wuhou, world.planned):
            denied = login(user).get(f"{API}/console/stations/{station.pk}")
            assert (denied.status_code, denied.json()) == (404, STATION_NOT_FOUND)


# --- console: check-in counts ------------------------------------------------------------------------------------


def test_checkin_counts_by_station_day_and_service_within_scope(world):
    for device, services_used, moment in [
        ("a", ["shower", "laundry"], at(9, 0, day=21)),
        ("b", ["shower"], at(9, 0, day=22)),
        ("c", ["parking"], at(23, 30, day=22)),
    ]:
        services.checkin_record(station=world.wuhou, user=None, device_id=device, services=services_used, at=moment)
    services.checkin_record(
        station=world.jinjiang, user=None, device_id="d", services=["laundry"], at=at(14, 0, day=22)
    )
    period = {"start": "2026-11-21", "end": "2026-11-23"}
    body = login(world.tree.wuhou_admin).get(f"{API}/console/checkins", period).json()
    assert body == {
        "start": "2026-11-21",
        "end": "2026-11-23",
        "total": 3,
        "by_station": [{"station_id": world.wuhou.pk, "name": "武侯暖心之家", "count": 3}],
        "by_day": [{"date": "2026-11-21", "count": 1}, {"date": "2026-11-22", "count": 2}],
        "by_service": [
            {"service": "parking", "label": "停车休息", "count": 1},
            {"service": "shower", "label": "淋浴", "count": 2},
            {"service": "laundry", "label": "洗衣烘干", "count": 1},
        ],
    }
    sibling = login(world.tree.jinjiang_admin).get(f"{API}/console/checkins", period).json()
    assert (sibling["total"], sibling["by_station"]) == (
        1,
        [{"station_id": world.jinjiang.pk, "name": "锦江暖心之家", "count": 1}],
    )
    filtered = login(world.tree.jinjiang_admin).get(f"{API}/console/checkins", {**period, "station": world.wuhou.pk})
    assert (filtered.status_code, filtered.json()["code"]) == (422, "unknown_station")
    province = login(world.tree.province_admin).get(f"{API}/console/checkins", {**period, "station": world.wuhou.pk})
    assert province.json()["total"] == 3


@pytest.mark.parametrize(
    ("params", "code", "field"),
    [
        ({"start": "2026-11-23", "end": "2026-11-01"}, "period_invalid", "start"),
        ({"start": "2025-01-01", "end": "2026-11-01"}, "period_too_long", "end"),
        ({"start": "2026-11-01"}, "validation_error", "end"),
        ({"start": "2026-13-01", "end": "2026-11-01"}, "validation_error", "start"),
    ],
)
def test_checkin_counts_bad_period_is_422(world, params, code, field):
    response = login(world.tree.wuhou_admin).get(f"{API}/console/checkins", params)
    assert response.status_code == 422
    assert (response.json()["code"], list(response.json()["extra"]["fields"])) == (code, [field])


# --- console: funding --------------------------------------------------------------------------------------------


def subsidy(client: Client, station: Station, **overrides: Any) -> Any:
    body = {"month": "2026-10-15", "source": "finance", "amount_fen": 200_000, "idempotency_key": "finance-2026-10"}
    return post(client, f"{API}/{station.pk}/subsidies", {**body, **overrides})


def test_costs_subsidies_and_funding_report(world):
    admin = login(world.tree.wuhou_admin)
    costs = post(
        admin,
        f"{API}/{world.wuhou.pk}/costs",
        {"month": "2026-10-15", "amounts_fen": {"utilities": 200_000, "staff": 600_000}},
    )
    assert costs.status_code == 200
    assert costs.json() == {
        "station_id": world.wuhou.pk,
        "month": "2026-10-01",
        "items": [
            {"category": "staff", "category_label": "人员", "amount_fen": 600_000},
            {"category": "utilities", "category_label": "水电气", "amount_fen": 200_000},
        ],
        "total_fen": 800_000,
    }
    first = subsidy(admin, world.wuhou)
    assert first.status_code == 201
    contribution = SubsidyContribution.objects.get()
    assert first.json() == {
        "id": contribution.pk,
        "station_id": world.wuhou.pk,
        "month": "2026-10-01",
        "source": "finance",
        "source_label": "财政",
        "amount_fen": 200_000,
        "transaction_id": contribution.transaction_id,
    }
    replay = subsidy(admin, world.wuhou)
    assert (replay.status_code, replay.json()) == (201, first.json())
    assert (
        subsidy(admin, world.wuhou, source="union", amount_fen=180_000, idempotency_key="union-2026-10").status_code
        == 201
    )
    assert account_balance(f"station:{world.wuhou.pk}") == 380_000
    assert SubsidyContribution.objects.count() == 2

    report = admin.get(f"{API}/console/funding", {"start": "2026-10-01", "end": "2026-10-31"}).json()
    wuhou_row = {
        "key": str(world.wuhou.pk),
        "name": "武侯暖心之家",
        "cost_fen": 800_000,
        "subsidy_fen": 380_000,
        "by_source": {"finance": 200_000, "party_fees": 0, "union": 180_000, "road_fee": 0},
        "ratio": 0.475,
        "below_target": True,
    }
    empty = {
        "cost_fen": 0,
        "subsidy_fen": 0,
        "by_source": dict.fromkeys(["finance", "party_fees", "union", "road_fee"], 0),
        "ratio": None,
        "below_target": False,
    }
    assert report == {
        "start": "2026-10-01",
        "end": "2026-10-31",
        "target_ratio": 0.5,
        "stations": [wuhou_row, {"key": str(world.planned.pk), "name": "规划中的站", **empty}],
        "cities": [{**wuhou_row, "key": "510100", "name": "成都市"}],
        "total": {**wuhou_row, "key": "total", "name": "全省合计"},
    }
    sibling = (
        login(world.tree.jinjiang_admin)
        .get(f"{API}/console/funding", {"start": "2026-10-01", "end": "2026-10-31"})
        .json()
    )
    assert sibling["stations"] == [{"key": str(world.jinjiang.pk), "name": "锦江暖心之家", **empty}]
    assert (sibling["total"]["cost_fen"], sibling["total"]["subsidy_fen"]) == (0, 0)


def funding_snapshot(station: Station) -> tuple[Any, ...]:
    return (
        list(CostReport.objects.filter(station=station).values_list("month", "category", "amount_fen")),
        SubsidyContribution.objects.count(),
        LedgerTransaction.objects.count(),
        account_balance(f"station:{station.pk}"),
    )


def test_subsidy_replay_that_differs_is_409_and_writes_nothing(world):
    admin = login(world.tree.wuhou_admin)
    assert subsidy(admin, world.wuhou).status_code == 201
    before = funding_snapshot(world.wuhou)
    for overrides in ({"amount_fen": 1}, {"month": "2026-09-01"}, {"source": "union"}):
        response = subsidy(admin, world.wuhou, **overrides)
        assert (response.status_code, response.json()["code"]) == (409, "idempotency_key_reused")
    other_station = subsidy(admin, world.planned)
    assert (other_station.status_code, other_station.json()["code"]) == (409, "idempotency_key_reused")
    assert funding_snapshot(world.wuhou) == before


@pytest.mark.parametrize(
    ("who", "kind", "status", "code"),
    [
        ("jinjiang_admin", "costs", 404, "not_found"),
        ("jinjiang_admin", "subsidies", 404, "not_found"),
        ("jinjiang_op", "costs", 404, "not_found"),
        ("jinjiang_op", "subsidies", 404, "not_found"),
        ("wuhou_op", "subsidies", 403, "forbidden"),
        ("anonymous", "costs", 401, "not_authenticated"),
    ],
)
def test_funding_writes_by_others_are_refused_and_change_nothing(world, who, kind, status, code):
    users = {"jinjiang_admin": world.tree.jinjiang_admin, "jinjiang_op": world.jinjiang_op, "wuhou_op": world.wuhou_op}
    client = Client() if who == "anonymous" else login(users[who])
    before = funding_snapshot(world.wuhou)
    if kind == "costs":
        response = post(client, f"{API}/{world.wuhou.pk}/costs", {"month": "2026-10-01", "amounts_fen": {"staff": 1}})
    else:
        response = subsidy(client, world.wuhou)
    assert (response.status_code, response.json()["code"]) == (status, code)
    assert funding_snapshot(world.wuhou) == before


@pytest.mark.parametrize(
    ("kind", "body", "code", "field"),
    [
        ("costs", {"month": "2026-10-01", "amounts_fen": {"caviar": 1}}, "unknown_cost_category", "amounts_fen"),
        ("costs", {"month": "2026-10-01", "amounts_fen": {"staff": -1}}, "amount_invalid", "amounts_fen"),
        ("costs", {"month": "2026-10-01", "amounts_fen": {"staff": 1.5}}, "validation_error", "amounts_fen.staff"),
        ("subsidies", {"source": "lottery"}, "unknown_source", "source"),
        ("subsidies", {"amount_fen": 0}, "amount_invalid", "amount_fen"),
        ("subsidies", {"idempotency_key": ""}, "validation_error", "idempotency_key"),
        ("subsidies", {"idempotency_key": None}, "validation_error", "idempotency_key"),
        # Past SQLite's 64-bit integers (an OverflowError, a 500, before the schema bounded them) and at 1 亿元.
        ("costs", {"month": "2026-10-01", "amounts_fen": {"staff": 2**63}}, "validation_error", "amounts_fen.staff"),
        ("costs", {"month": "2026-10-01", "amounts_fen": {"staff": 10**10}}, "validation_error", "amounts_fen.staff"),
        ("subsidies", {"amount_fen": 2**64}, "validation_error", "amount_fen"),
        ("subsidies", {"amount_fen": 10**10}, "validation_error", "amount_fen"),
        # The clock is at 2026-11: December is ahead; records start in 2015.
        ("costs", {"month": "2030-01-01", "amounts_fen": {"staff": 1}}, "month_in_future", "month"),
        ("subsidies", {"month": "2026-12-01"}, "month_in_future", "month"),
        ("subsidies", {"month": "2014-12-31"}, "month_too_early", "month"),
    ],
)
def test_bad_funding_input_is_422_and_writes_nothing(world, kind, body, code, field):
    admin = login(world.tree.wuhou_admin)
    before = funding_snapshot(world.wuhou)
    if kind == "costs":
        response = post(admin, f"{API}/{world.wuhou.pk}/costs", body)
    else:
        response = subsidy(admin, world.wuhou, **body)
    assert response.status_code == 422
    assert (response.json()["code"], list(response.json()["extra"]["fields"])) == (code, [field])
    assert funding_snapshot(world.wuhou) == before


# --- console: corridor gaps --------------------------------------------------------------------------------------


def _gaps_by_hand(points: list[tuple[float, float]], snap_km: float = 5.0) -> list[dict[str, Any]]:
    """The gaps worked out plainly, apart from the routing engine: for each corridor, great-circle legs between its
    towns; a station within `snap_km` of a leg (measured on a flat projection around the leg) marks the km where
    it projects onto it; the longest stretch between marks (the corridor's ends included) is its gap."""
    import math

    from chelun.stations.corridors import corridors

    def great_circle_km(a: tuple[float, float], b: tuple[float, float]) -> float:
        (lon1, lat1), (lon2, lat2) = (tuple(map(math.radians, p)) for p in (a, b))
        h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
        return 2 * 6371.0 * math.asin(math.sqrt(h))

    rows = []
    for ref, corridor in corridors().items():
        towns = [(t.lon, t.lat) for t in corridor.towns]
        legs = [great_circle_km(a, b) for a, b in itertools.pairwise(towns)]
        marks = set()
        for station in points:
            best = None
            for i, (a, b) in enumerate(itertools.pairwise(towns)):
                k = math.cos(math.radians((a[1] + b[1]) / 2))
                ax, ay, bx, by = a[0] * k, a[1], b[0] * k, b[1]
                px, py = station[0] * k, station[1]
                t = max(
                    0.0, min(1.0, ((px - ax) * (bx - ax) + (py - ay) * (by - ay)) / ((bx - ax) ** 2 + (by - ay) ** 2))
                )
                off_km = math.radians(math.hypot(px - (ax + t * (bx - ax)), py - (ay + t * (by - ay)))) * 6371.0
                if off_km <= snap_km and (best is None or off_km < best[0]):
                    best = (off_km, sum(legs[:i]) + t * legs[i])
            if best is not None:
                marks.add(round(best[1], 1))
        length = round(sum(legs), 1)
        edges = [0.0, *sorted(marks), length]
        start, end = max(itertools.pairwise(edges), key=lambda pair: pair[1] - pair[0])
        row = {"corridor": ref, "name": corridor.name, "length_km": length, "gap_km": round(end - start, 1)}
        rows.append({**row, "from_km": start, "to_km": end, "stations": len(marks)})
    return sorted(rows, key=lambda row: -row["gap_km"])


def test_corridor_gaps_for_signed_in_users(world):
    # The open stations: 武侯's and 锦江's (the planned one is not on the network yet).
    expected = _gaps_by_hand([(104.04, 30.64), (104.08, 30.65)])
    wuhou = login(world.tree.wuhou_admin).get(f"{API}/console/gaps")
    assert wuhou.status_code == 200
    assert wuhou.json() == expected
    assert [g["gap_km"] for g in expected] == sorted((g["gap_km"] for g in expected), reverse=True)
    # Gaps are computed from the public directory only: the sibling gets the same figures and no station rows.
    assert login(world.tree.jinjiang_admin).get(f"{API}/console/gaps").json() == expected
    assert set(expected[0]) == {"corridor", "name", "length_km", "gap_km", "from_km", "to_km", "stations"}
    assert Client().get(f"{API}/console/gaps").json() == NOT_AUTHENTICATED


# --- the OpenAPI document ----------------------------------------------------------------------------------------

STATION_PATHS = {
    "/api/v1/stations/": {"get"},
    "/api/v1/stations/near": {"get"},
    "/api/v1/stations/along-route": {"post"},
    "/api/v1/stations/corridors": {"get"},
    "/api/v1/stations/console/stations": {"get", "post"},
    "/api/v1/stations/console/stations/{station_id}": {"get", "patch"},
    "/api/v1/stations/console/feedback": {"get"},
    "/api/v1/stations/console/checkins": {"get"},
    "/api/v1/stations/console/funding": {"get"},
    "/api/v1/stations/console/gaps": {"get"},
    "/api/v1/stations/feedback/{feedback_id}/reply": {"post"},
    "/api/v1/stations/feedback/{feedback_id}/spam": {"post"},
    "/api/v1/stations/{station_id}": {"get"},
    "/api/v1/stations/{station_id}/status": {"post"},
    "/api/v1/stations/{station_id}/confirm": {"post"},
    "/api/v1/stations/{station_id}/checkins": {"post"},
    "/api/v1/stations/{station_id}/feedback": {"post"},
    "/api/v1/stations/{station_id}/costs": {"post"},
    "/api/v1/stations/{station_id}/subsidies": {"post"},
}
PUBLIC = {
    ("/api/v1/stations/", "get"),
    ("/api/v1/stations/near", "get"),
    ("/api/v1/stations/along-route", "post"),
    ("/api/v1/stations/corridors", "get"),
    ("/api/v1/stations/{station_id}", "get"),
    ("/api/v1/stations/{station_id}/confirm", "post"),
    ("/api/v1/stations/{station_id}/checkins", "post"),
    ("/api/v1/stations/{station_id}/feedback", "post"),
}


def test_openapi_document_loads_with_station_paths_public_and_secured(db):
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    doc = response.json()
    paths = {
        path: {m for m in ops if m in {"get", "post", "put", "patch", "delete"}}
        for path, ops in doc["paths"].items()
        if path.startswith("/api/v1/stations/")
    }
    assert paths == STATION_PATHS
    for path, methods in STATION_PATHS.items():
        for method in methods:
            secured = bool(doc["paths"][path][method].get("security"))
            assert secured is ((path, method) not in PUBLIC), (path, method)
    along_errors = doc["paths"]["/api/v1/stations/along-route"]["post"]["responses"]["422"]
    assert along_errors["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ErrorOut"}
