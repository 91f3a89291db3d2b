"""The open station feed (GET /feed/stations.json): its content, its JSON Schema, and HTTP caching (strong ETag,
If-None-Match, Cache-Control). The clock is set per test."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from chelun.orgs.tests.factories import make_user
from chelun.stations import services
from chelun.stations.choices import (
    Amenity,
    SecurityGrade,
    SpaceLevel,
    StationClass,
    StationKind,
    StationStatus,
    StatusSource,
)
from chelun.stations.feed import station_feed_body
from chelun.stations.models import Station
from chelun.stations.tests.factories import at, make_station

SCHEMA = json.loads((Path(settings.BASE_DIR) / "docs" / "station-feed.schema.json").read_text(encoding="utf-8"))
URL = "/feed/stations.json"


class Clock:
    def __init__(self) -> None:
        self.now = at(10, 0)


@pytest.fixture(autouse=True)
def feed_refresh(settings):
    """Content tests read the feed right after each write; the snapshot interval has its own tests (which set it)."""
    settings.STATION_FEED_REFRESH_SECONDS = 0


@pytest.fixture
def clock(monkeypatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(timezone, "now", lambda: clock.now)
    return clock


# --- a small JSON Schema validator (the keywords our schema uses; anything else is refused, not ignored) ----------

_KEYWORDS = {
    "$schema", "$id", "$defs", "$ref", "title", "description", "type", "properties", "required",
    "additionalProperties", "items", "enum", "const", "minimum", "maximum", "minLength", "pattern", "format", "oneOf",
}  # fmt: skip


def _is_type(value: Any, kind: str) -> bool:
    number = isinstance(value, int | float) and not isinstance(value, bool)
    return {
        "object": isinstance(value, dict),
        "array": isinstance(value, list),
        "string": isinstance(value, str),
        "integer": isinstance(value, int) and not isinstance(value, bool),
        "number": number,
        "boolean": isinstance(value, bool),
        "null": value is None,
    }[kind]


def _same(a: Any, b: Any) -> bool:
    return type(a) is type(b) and a == b  # JSON Schema: true is not 1


def schema_errors(value: Any, schema: dict[str, Any], root: dict[str, Any] | None = None, path: str = "$") -> list[str]:
    root = root if root is not None else schema
    unsupported = set(schema) - _KEYWORDS
    if unsupported:
        raise ValueError(f"validator does not support {sorted(unsupported)} at {path}")
    errors: list[str] = []
    if "$ref" in schema:
        errors += schema_errors(value, root["$defs"][schema["$ref"].removeprefix("#/$defs/")], root, path)
    if "type" in schema:
        kinds = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        if not any(_is_type(value, kind) for kind in kinds):
            return [*errors, f"{path}: {value!r} is not {kinds}"]
    if "const" in schema and not _same(value, schema["const"]):
        errors.append(f"{path}: {value!r} is not {schema['const']!r}")
    if "enum" in schema and not any(_same(value, option) for option in schema["enum"]):
        errors.append(f"{path}: {value!r} not in {schema['enum']}")
    if _is_type(value, "number"):
        if "minimum" in schema and value < schema["minimum"]:
            errors.append(f"{path}: {value} < {schema['minimum']}")
        if "maximum" in schema and value > schema["maximum"]:
            errors.append(f"{path}: {value} > {schema['maximum']}")
    if isinstance(value, str):
        if "minLength" in schema and len(value) < schema["minLength"]:
            errors.append(f"{path}: shorter than {schema['minLength']}")
        if "pattern" in schema and not re.search(schema["pattern"], value):
            errors.append(f"{path}: {value!r} does not match {schema['pattern']}")
        if schema.get("format") == "date-time":
            try:
                parsed = dt.datetime.fromisoformat(value)
            except ValueError:
                parsed = None
            if parsed is None or parsed.tzinfo is None or "T" not in value:
                errors.append(f"{path}: {value!r} is not an RFC 3339 date-time")
    if "oneOf" in schema:
        matches = sum(not schema_errors(value, option, root, path) for option in schema["oneOf"])
        if matches != 1:
            errors.append(f"{path}: {value!r} matches {matches} of oneOf")
    if isinstance(value, dict):
        errors += [f"{path}: missing {name}" for name in schema.get("required", []) if name not in value]
        properties = schema.get("properties", {})
        for name, item in value.items():
            if name in properties:
                errors += schema_errors(item, properties[name], root, f"{path}.{name}")
            elif schema.get("additionalProperties") is False:
                errors.append(f"{path}: unexpected {name}")
    if isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value):
            errors += schema_errors(item, schema["items"], root, f"{path}[{i}]")
    return errors


# --- fixtures ----------------------------------------------------------------------------------------------------


@pytest.fixture
def stations(tree, clock):
    operator = make_user("op-feed")
    fresh = make_station(
        org=tree.wuhou_branch,
        name="金堂暖心之家",
        lon=104.41,
        lat=30.86,
        operators=[operator],
        kind=StationKind.EXPRESSWAY,
        station_class=StationClass.A,
        corridor_ref="G5",
        carriageway="往西昌方向",
        bearing_deg=225.0,
        beds=6,
        address="金堂服务区",
        contact_phone="028-80000000",
        amenities=[Amenity.TRUCK_PARKING, Amenity.SHOWER, Amenity.BEDS],
        prices={"beds": 100, "shower": 0},
        cctv=True,
        guards=True,
        lighting=True,
    )
    services.station_status_set(actor=operator, station=fresh, is_open=True, free_spaces=20, at=at(9, 30))
    services.station_status_set(actor=operator, station=fresh, is_open=True, free_spaces=12, at=at(9, 50))
    stale = make_station(
        org=tree.wuhou_branch, name="过时园区", lon=104.1, lat=30.6, operators=[operator], open_24h=False,
        opens_at=dt.time(22, 0), closes_at=dt.time(6, 0),
    )  # fmt: skip
    services.station_status_set(actor=operator, station=stale, is_open=True, free_spaces=30, at=at(8, 59))
    silent = make_station(org=tree.jinjiang_branch, name="未上报园区", lon=104.2, lat=30.7)
    suspended = make_station(org=tree.jinjiang_branch, name="暂停园区", lon=104.3, lat=30.7)
    Station.objects.filter(pk=suspended.pk).update(status=StationStatus.SUSPENDED)
    make_station(org=tree.jinjiang_branch, name="规划园区", lon=104.4, lat=30.7, status=StationStatus.PLANNED)
    return {"fresh": fresh, "stale": stale, "silent": silent, "suspended": suspended, "operator": operator}


def feed() -> dict[str, Any]:
    response = Client().get(URL)
    assert response.status_code == 200
    return json.loads(response.content)


def by_name(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {station["static"]["name"]: station for station in document["stations"]}


# --- content -----------------------------------------------------------------------------------------------------


def test_feed_lists_public_stations_with_static_and_dynamic_parts(stations, clock):
    clock.now = at(10, 0) + dt.timedelta(seconds=17)
    document = feed()
    assert (document["schema"], document["generated_at"], document["fresh_minutes"]) == (
        "chelun.stations.feed/1",
        "2026-11-23T10:00:00+08:00",
        60,
    )
    assert [s["static"]["name"] for s in document["stations"]] == ["金堂暖心之家", "过时园区", "未上报园区", "暂停园区"]
    fresh = stations["fresh"]
    assert by_name(document)["金堂暖心之家"] == {
        "static": {
            "id": fresh.pk,
            "name": "金堂暖心之家",
            "kind": "expressway",
            "station_class": "A",
            "status": "open",
            "location": {"lon": 104.41, "lat": 30.86, "crs": "WGS84"},
            "region_code": "510107",
            "address": "金堂服务区",
            "corridor": "G5",
            "carriageway": "往西昌方向",
            "bearing_deg": 225.0,
            "pair_id": None,
            "capacity": 40,
            "beds": 6,
            "amenities": ["beds", "shower", "truck_parking"],
            "hours": {"open_24h": True, "opens_at": None, "closes_at": None, "timezone": "Asia/Shanghai"},
            "prices": [
                {"service": "beds", "price_fen": 100, "unit": "", "free_by_standard": False},
                {"service": "shower", "price_fen": 0, "unit": "", "free_by_standard": True},
            ],
            "security_grade": "gold",
            "phone": "028-80000000",
            "verified_at": None,
        },
        "dynamic": {
            "open": True,
            "state": "available",
            "reported_available": 12,
            "level": "plenty",
            "trend": "filling",
            "timestamp": "2026-11-23T09:50:00+08:00",
            "age_minutes": 10,
            "fresh": True,
            "source": "operator",
        },
    }


def test_stale_status_is_reported_available_null(stations):
    stale = by_name(feed())["过时园区"]
    assert stale["dynamic"] == {
        "open": False,  # posted hours 22:00–06:00
        "state": "unknown",
        "reported_available": None,
        "level": None,
        "trend": None,
        "timestamp": "2026-11-23T08:59:00+08:00",
        "age_minutes": 61,
        "fresh": False,
        "source": "operator",
    }
    assert stale["static"]["hours"] == {
        "open_24h": False,
        "opens_at": "22:00",
        "closes_at": "06:00",
        "timezone": "Asia/Shanghai",
    }


def test_silent_and_suspended_stations(stations):
    document = by_name(feed())
    assert document["未上报园区"]["dynamic"] == {
        "open": True,
        "state": "unknown",
        "reported_available": None,
        "level": None,
        "trend": None,
        "timestamp": None,
        "age_minutes": None,
        "fresh": False,
        "source": None,
    }
    suspended = document["暂停园区"]
    assert (suspended["static"]["status"], suspended["dynamic"]["open"], suspended["dynamic"]["state"]) == (
        "suspended",
        False,
        "closed",
    )


def test_trend_follows_the_last_two_reports(stations, clock):
    station, operator = stations["fresh"], stations["operator"]
    services.station_status_set(actor=operator, station=station, is_open=True, free_spaces=30, at=at(9, 55))
    assert by_name(feed())["金堂暖心之家"]["dynamic"]["trend"] == "clearing"
    services.station_status_set(actor=operator, station=station, is_open=True, free_spaces=30, at=at(9, 58))
    assert by_name(feed())["金堂暖心之家"]["dynamic"]["trend"] == "steady"
    services.station_status_confirm(actor=None, station=station, level=SpaceLevel.FULL, at=at(9, 59))
    assert by_name(feed())["金堂暖心之家"]["dynamic"]["trend"] == "filling"
    services.station_status_set(actor=operator, station=station, is_open=False, free_spaces=None, at=at(9, 59))
    closed = by_name(feed())["金堂暖心之家"]["dynamic"]
    assert (closed["trend"], closed["state"], closed["open"], closed["reported_available"]) == (
        None,
        "closed",
        False,
        None,
    )


def test_a_report_within_the_current_minute_is_fresh_and_zero_minutes_old(stations, clock):
    clock.now = at(10, 0) + dt.timedelta(seconds=45)
    services.station_status_set(
        actor=stations["operator"],
        station=stations["fresh"],
        is_open=True,
        free_spaces=5,
        at=at(10, 0) + dt.timedelta(seconds=30),
    )
    dynamic = by_name(feed())["金堂暖心之家"]["dynamic"]
    assert (dynamic["age_minutes"], dynamic["fresh"], dynamic["reported_available"]) == (0, True, 5)


# --- the published schema ----------------------------------------------------------------------------------------


def test_a_real_feed_body_validates_against_the_published_schema(stations):
    assert schema_errors(feed(), SCHEMA) == []


def test_the_validator_catches_what_the_schema_forbids(stations):
    document = feed()
    broken = json.loads(json.dumps(document))
    first = broken["stations"][0]
    del first["static"]["capacity"]
    first["static"]["kind"] = "spaceport"
    first["dynamic"]["reported_available"] = -1
    first["dynamic"]["timestamp"] = "yesterday"
    first["dynamic"]["surprise"] = True
    broken["stations"][1]["static"]["hours"]["opens_at"] = "25:00"
    assert sorted(schema_errors(broken, SCHEMA)) == sorted(
        [
            "$.stations[0].static: missing capacity",
            f"$.stations[0].static.kind: 'spaceport' not in {StationKind.values}",
            "$.stations[0].dynamic.reported_available: -1 < 0",
            "$.stations[0].dynamic.timestamp: 'yesterday' matches 0 of oneOf",
            "$.stations[0].dynamic: unexpected surprise",
            "$.stations[1].static.hours.opens_at: '25:00' matches 0 of oneOf",
        ]
    )


def test_schema_enumerations_match_the_code(db):
    defs, static = SCHEMA["$defs"], SCHEMA["$defs"]["static"]["properties"]
    dynamic = SCHEMA["$defs"]["dynamic"]["properties"]
    assert defs["amenity"]["enum"] == Amenity.values
    assert static["kind"]["enum"] == StationKind.values
    assert static["station_class"]["enum"] == StationClass.values
    assert static["security_grade"]["enum"] == SecurityGrade.values
    assert dynamic["level"]["oneOf"][0]["enum"] == SpaceLevel.values
    assert dynamic["source"]["oneOf"][0]["enum"] == StatusSource.values


# --- HTTP caching ------------------------------------------------------------------------------------------------


def test_strong_etag_and_cache_control_and_304_on_if_none_match(stations):
    response = Client().get(URL)
    etag = f'"{hashlib.sha256(response.content).hexdigest()}"'
    assert (response["ETag"], response["Cache-Control"], response["Content-Type"]) == (
        etag,
        "public, max-age=60",
        "application/json; charset=utf-8",
    )
    assert response["Access-Control-Allow-Origin"] == "*"
    for header in (etag, f"W/{etag}", f'"other", {etag}', "*"):
        cached = Client().get(URL, headers={"If-None-Match": header})
        assert (cached.status_code, cached.content, cached["ETag"], cached["Cache-Control"]) == (
            304,
            b"",
            etag,
            "public, max-age=60",
        )
    stale = Client().get(URL, headers={"If-None-Match": '"something-else"'})
    assert (stale.status_code, stale.content) == (200, response.content)


def test_etag_is_stable_within_the_minute_and_changes_with_the_data(stations, clock):
    clock.now = at(10, 0) + dt.timedelta(seconds=5)
    first = Client().get(URL)
    clock.now = at(10, 0) + dt.timedelta(seconds=55)
    same = Client().get(URL, headers={"If-None-Match": first["ETag"]})
    assert same.status_code == 304
    services.station_status_set(
        actor=stations["operator"], station=stations["fresh"], is_open=True, free_spaces=3, at=clock.now
    )
    changed = Client().get(URL, headers={"If-None-Match": first["ETag"]})
    assert changed.status_code == 200
    assert changed["ETag"] != first["ETag"]
    assert by_name(json.loads(changed.content))["金堂暖心之家"]["dynamic"]["reported_available"] == 3
    clock.now = at(10, 1)
    assert Client().get(URL, headers={"If-None-Match": changed["ETag"]}).status_code == 200  # ages moved on
    assert changed.content == station_feed_body(now=at(10, 0) + dt.timedelta(seconds=59))


def test_a_poll_within_the_minute_reuses_the_written_feed(stations, clock, django_assert_max_num_queries):
    clock.now = at(10, 0) + dt.timedelta(seconds=5)
    first = Client().get(URL)
    clock.now = at(10, 0) + dt.timedelta(seconds=40)
    with django_assert_max_num_queries(2):  # the version check only
        again = Client().get(URL)
    assert (again.content, again["ETag"]) == (first.content, first["ETag"])
    for phone in ("device:a", "device:b", "device:c"):  # three agreeing phones change the headline (trust rule)
        services.station_status_confirm(
            actor=None, station=stations["fresh"], level="full", at=clock.now, visitor_key=phone
        )
    with django_assert_max_num_queries(20):
        changed = Client().get(URL)
    assert changed["ETag"] != first["ETag"]
    assert changed.content == station_feed_body(now=clock.now)


def test_feed_is_public_read_only(stations):
    head = Client().head(URL)
    assert (head.status_code, head["ETag"]) == (200, Client().get(URL)["ETag"])
    assert Client().post(URL).status_code == 405


# --- under writes: a snapshot at most every few seconds, conditional requests, gzip (issue 10.14) ---------------


def test_under_a_write_per_second_the_feed_is_rewritten_at_most_every_refresh_interval(
    stations, clock, settings, django_assert_num_queries, monkeypatch
):
    settings.STATION_FEED_REFRESH_SECONDS = 5
    from chelun.stations.search import feed as feed_module

    builds = []
    real = feed_module.station_feed_body
    monkeypatch.setattr(feed_module, "station_feed_body", lambda **kw: builds.append(kw) or real(**kw))
    station, operator = stations["fresh"], stations["operator"]
    start = at(10, 0) + dt.timedelta(seconds=1)
    etags = []
    for second in range(12):  # one status write and one poll per second
        clock.now = start + dt.timedelta(seconds=second)
        services.station_status_set(actor=operator, station=station, is_open=True, free_spaces=second, at=clock.now)
        response = Client().get(URL)
        etags.append(response["ETag"])
    # Written at 0 s, 5 s and 10 s only; polls in between answered the snapshot.
    assert len(builds) == 3
    assert len(set(etags)) == 3 and etags[0:5] == [etags[0]] * 5 and etags[5:10] == [etags[5]] * 5
    # Inside the interval a poll costs no query at all.
    with django_assert_num_queries(0):
        assert Client().get(URL)["ETag"] == etags[-1]
    # The snapshot says what it was written from: the count at its build, not a later one.
    assert by_name(json.loads(Client().get(URL).content))["金堂暖心之家"]["dynamic"]["reported_available"] == 10


def test_the_feed_is_gzipped_once_per_snapshot_and_answers_if_none_match_for_either_encoding(stations, clock):
    import gzip

    plain = Client().get(URL)
    zipped = Client().get(URL, headers={"Accept-Encoding": "gzip, deflate, br"})
    assert zipped["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in zipped["Vary"].split(", ") and "Accept-Encoding" in plain["Vary"].split(", ")
    assert gzip.decompress(zipped.content) == plain.content
    assert len(zipped.content) < len(plain.content) / 3  # three small stations; 2,400 compress far more
    assert zipped["ETag"] == plain["ETag"][:-1] + '-gzip"' and not plain.has_header("Content-Encoding")
    refused = Client().get(URL, headers={"Accept-Encoding": "gzip;q=0, identity"})
    assert refused.content == plain.content and not refused.has_header("Content-Encoding")
    for tag in (plain["ETag"], zipped["ETag"], "W/" + zipped["ETag"]):
        again = Client().get(URL, headers={"If-None-Match": tag, "Accept-Encoding": "gzip"})
        assert (again.status_code, again.content, again["ETag"]) == (304, b"", zipped["ETag"])
