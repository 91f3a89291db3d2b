import datetime as dt

import pytest

from chelun.core.errors import ValidationFailed
from chelun.core.geo import wgs84_to_gcj02
from chelun.orgs.tests.factories import superuser
from chelun.stations import selectors, services
from chelun.stations.choices import Amenity, StationKind
from chelun.stations.corridors import corridor_points
from chelun.stations.models import Station
from chelun.stations.selectors import RouteQuery, StationFilter
from chelun.stations.tests.factories import at, make_station

# A straight east-bound route along latitude 30.5 from 103.0 to 105.0 (about 192 km).
ROUTE = [(103.0, 30.5), (104.0, 30.5), (105.0, 30.5)]


@pytest.fixture
def stations(tree):
    org = tree.wuhou_branch
    selectors.search_catalog.clear()
    return {
        "east_half": make_station(
            org=org, name="东行服务区", lon=103.5, lat=30.5005, kind=StationKind.EXPRESSWAY, bearing_deg=90.0
        ),
        "west_half": make_station(
            org=org, name="西行服务区", lon=103.5, lat=30.4995, kind=StationKind.EXPRESSWAY, bearing_deg=270.0
        ),
        "yard": make_station(
            org=org, name="物流园", lon=104.5, lat=30.52, amenities=[Amenity.SHOWER, Amenity.BEDS], beds=6
        ),
        "behind": make_station(org=org, name="身后园区", lon=103.1, lat=30.51),
        "far": make_station(org=org, name="远处园区", lon=104.5, lat=31.0),
    }


def _names(results):
    return [r.station.name for r in results]


def test_along_route_keeps_right_carriageway_drops_behind_and_far(stations):
    results = selectors.station_search_along_route(query=RouteQuery(points=ROUTE, position=(103.2, 30.5)), now=at(8))
    assert _names(results) == ["东行服务区", "物流园"]
    first = results[0]
    assert first.km_ahead == pytest.approx(28.7, abs=0.2)
    assert first.eta == at(8) + dt.timedelta(seconds=first.seconds_ahead)


def test_gcj02_input_gives_the_same_answer(stations):
    gcj = [wgs84_to_gcj02(lon, lat) for lon, lat in ROUTE]
    wgs = selectors.station_search_along_route(query=RouteQuery(points=ROUTE, position=(103.2, 30.5)), now=at(8))
    converted = selectors.station_search_along_route(
        query=RouteQuery(points=gcj, coord_system="gcj02", position=wgs84_to_gcj02(103.2, 30.5)), now=at(8)
    )
    assert _names(converted) == _names(wgs)


def test_rest_window_and_amenity_and_sleep_filters(stations):
    # 70 km/h default: the yard at ~125 km ahead of 103.2 is ~1.8 h away; the service area ~0.4 h.
    window = RouteQuery(points=ROUTE, position=(103.2, 30.5), min_hours_ahead=1.0, max_hours_ahead=2.0)
    assert _names(selectors.station_search_along_route(query=window, now=at(8))) == ["物流园"]
    showers = RouteQuery(points=ROUTE, position=(103.2, 30.5), filters=StationFilter(amenities=(Amenity.BEDS,)))
    assert _names(selectors.station_search_along_route(query=showers, now=at(8))) == ["物流园"]
    sleep = RouteQuery(points=ROUTE, position=(103.2, 30.5), sleep_tonight=True)
    assert _names(selectors.station_search_along_route(query=sleep, now=at(8))) == ["物流园"]


@pytest.mark.parametrize(
    ("points", "code"),
    [
        ([(104.0, 30.5)], "route_too_short"),
        ([(104.0, 30.5), (104.0, 30.5)], "route_too_short"),
        ([(2.0, 48.0), (3.0, 48.0)], "outside_china"),
        ([(104.0, 30.0), (105.0, 31.0), (105.0, 30.0), (104.0, 31.0)], "route_self_intersecting"),
    ],
)
def test_bad_routes_get_a_clear_error(stations, points, code):
    with pytest.raises(ValidationFailed) as err:
        selectors.station_search_along_route(query=RouteQuery(points=points))
    assert err.value.code == code


def test_near_me_sorted_by_distance_with_filters(stations):
    results = selectors.station_search_near(lon=104.4, lat=30.5, radius_km=90, now=at(8))
    assert _names(results)[:2] == ["物流园", "远处园区"]
    assert sorted(_names(results)[2:]) == ["东行服务区", "西行服务区"]  # both ~86 km away; the one behind is 124 km
    assert results[0].distance_km == pytest.approx(9.8, abs=0.2)
    beds = selectors.station_search_near(lon=104.4, lat=30.5, radius_km=60, filters=StationFilter(amenities=("beds",)))
    assert _names(beds) == ["物流园"]
    with pytest.raises(ValidationFailed):
        selectors.station_search_near(lon=104.4, lat=30.5, filters=StationFilter(amenities=("helipad",)))


def test_index_rebuilds_when_a_station_changes(stations, tree):
    assert _names(selectors.station_search_near(lon=104.5, lat=31.0, radius_km=1)) == ["远处园区"]
    far = stations["far"]
    services.station_update(actor=tree.province_admin, station=far, expected_version=far.version, lon=108.0, lat=31.0)
    assert _names(selectors.station_search_near(lon=104.5, lat=31.0, radius_km=1)) == []


def test_corridor_g5_from_chengdu_towards_xichang_runs_south(sichuan):
    points = corridor_points("G5", "510100", "513401")
    assert points[0] == (104.06667, 30.66667)
    assert points[-1][1] < 28.0
    assert len(points) == 12  # 成都 双流 新津 邛崃 蒲江 名山 雨城 荥经 汉源 石棉 冕宁 西昌
    with pytest.raises(ValidationFailed):
        corridor_points("G5", "510100", "510104")


def test_corridor_gaps_count_both_halves_and_find_the_longest_empty_stretch(sichuan, tree):
    selectors.search_catalog.clear()
    points = corridor_points("G5", "510100", "513401")
    # One station at the start of the 成都→西昌 part, facing north (opposite the corridor's south-bound order).
    make_station(
        org=tree.wuhou_branch,
        name="起点站",
        lon=points[0][0],
        lat=points[0][1],
        kind=StationKind.EXPRESSWAY,
        bearing_deg=0.0,
    )
    gaps = {g.corridor: g for g in selectors.corridor_gaps()}
    g5 = gaps["G5"]
    assert g5.stations == 1
    # G5 runs from 朝天 in the north; 成都 lies ~293 km along it, so the longest gap is from there to the end.
    assert (g5.from_km, g5.to_km) == (292.8, g5.length_km)
    assert g5.gap_km == pytest.approx(g5.length_km - 292.8, abs=0.05)
    # A synthetic benchmark station in the middle of that gap counts only when asked for.
    mid = points[len(points) // 2]
    Station.objects.filter(pk=make_station(org=tree.wuhou_branch, name="合成站", lon=mid[0], lat=mid[1]).pk).update(
        is_demo_synthetic=True
    )
    assert {g.corridor: g for g in selectors.corridor_gaps()}["G5"].stations == 1
    assert {g.corridor: g for g in selectors.corridor_gaps(include_synthetic=True)}["G5"].stations == 2


def test_forecasts_for_many_stations_are_read_in_chunks_and_match_one_by_one(tree):
    # More stations than one query takes (SQLite caps expression depth): the batch must still equal one by one.
    stations = [make_station(org=tree.wuhou_branch, name=f"站{i}", lon=104.0 + i / 100) for i in range(30)]
    for i, station in enumerate(stations):
        services.station_status_set(
            actor=tree.wuhou_admin, station=station, is_open=True, free_spaces=i, at=at(10, 0, day=16)
        )
    targets = [(s, at(10, 30)) for s in stations]
    assert len(targets) > selectors.FORECAST_STATIONS_PER_QUERY
    batch = selectors.station_forecasts(targets=targets)
    assert batch == {s.pk: selectors.station_forecast(s, at=at(10, 30)) for s in stations}
    assert [batch[s.pk].expected_free_spaces for s in stations] == list(range(30))


def test_near_me_reads_only_as_many_rows_as_it_shows(stations, django_assert_max_num_queries):
    selectors.station_search_near(lon=104.4, lat=30.5, radius_km=200)  # builds the index
    with django_assert_max_num_queries(3):  # station rows, amenities, prices
        results = selectors.station_search_near(lon=104.4, lat=30.5, radius_km=200, limit=2)
    assert _names(results) == ["物流园", "远处园区"]


# ---------------------------------------------------------------------------------------------------------------
# The search component: one face over its per-process caches
# ---------------------------------------------------------------------------------------------------------------


def test_every_cache_of_the_component_is_one_process_cache():
    from chelun.core.process_cache import ProcessCache
    from chelun.stations import search
    from chelun.stations.search.basemap import basemap_cache
    from chelun.stations.search.cards import station_cards
    from chelun.stations.search.feed import feed_cache
    from chelun.stations.search.history import status_history

    caches = search.caches()
    assert caches == [selectors.search_catalog, status_history, station_cards, basemap_cache, feed_cache]
    assert all(isinstance(cache, ProcessCache) for cache in caches)


def test_invalidate_makes_the_catalog_look_again_at_once(stations, settings):
    from chelun.stations import search

    settings.STATION_SEARCH_RECHECK_SECONDS = 3600
    yard = stations["yard"]
    assert selectors.search_catalog.get().stations[yard.pk].name == "物流园"
    later = yard.updated_at + dt.timedelta(seconds=1)
    Station.objects.filter(pk=yard.pk).update(name="物流园（改名）", updated_at=later)
    assert selectors.search_catalog.get().stations[yard.pk].name == "物流园"  # within the interval: not looked yet
    search.invalidate()
    assert selectors.search_catalog.get().stations[yard.pk].name == "物流园（改名）"


def test_a_service_write_invalidates_the_component(stations, monkeypatch):
    from chelun.stations import search

    calls = []
    monkeypatch.setattr(search, "invalidate", lambda: calls.append("invalidate"))
    services.station_status_set(
        actor=superuser(),
        station=stations["yard"],
        is_open=True,
        free_spaces=3,
        at=at(10, 0),
    )
    assert calls == ["invalidate"]  # now; again on commit (the test's transaction never commits)


def test_clear_empties_every_cache(stations, django_assert_num_queries):
    from chelun.stations import search
    from chelun.stations.search.cards import station_cards

    snapshots = list(selectors.search_catalog.get().stations.values())
    station_cards.get(snapshots)
    with django_assert_num_queries(0):  # held: neither the catalog (within its interval) nor the cards ask
        selectors.search_catalog.get()
        station_cards.get(snapshots)
    search.clear()
    with django_assert_num_queries(3):  # the catalog again: its version, the stations, their amenities
        assert selectors.search_catalog.get().stations.keys() == {s.pk for s in stations.values()}
    with django_assert_num_queries(3):  # every card again: station rows, amenities, prices
        assert set(station_cards.get(snapshots)) == {s.pk for s in snapshots}


def test_the_basemap_is_not_held_while_empty_and_renews_with_the_boundaries(sichuan, settings):
    from chelun.core.models import RegionBoundary
    from chelun.stations.search.basemap import basemap_cache

    saved = list(RegionBoundary.objects.all())
    RegionBoundary.objects.all().delete()
    empty, _ = basemap_cache.get()
    assert empty == b'{"type":"FeatureCollection","features":[]}'
    RegionBoundary.objects.bulk_create(saved)
    payload, etag = basemap_cache.get()  # the empty layer was not held
    assert len(payload) > 1000 and basemap_cache.get() == (payload, etag)
    chengdu = RegionBoundary.objects.get(region__code="510100")
    assert b'"id":"510100"' in payload
    chengdu.delete()  # the reference data loaded again without 成都's outline
    assert basemap_cache.get() == (payload, etag)  # within the hour: not asked
    basemap_cache.invalidate()
    renewed, renewed_etag = basemap_cache.get()
    assert renewed_etag != etag and b'"id":"510100"' not in renewed and b'"id":"510700"' in renewed


# ---------------------------------------------------------------------------------------------------------------
# Station cards: the splice and its separators
# ---------------------------------------------------------------------------------------------------------------


def test_the_cards_encoder_writes_exactly_what_the_api_renderer_writes():
    """The splice cuts at the encoder's separators: if the renderer's JSON settings change, this fails until the
    cards' stated separators follow."""
    from chelun.core.schemas import Utf8JSONRenderer
    from chelun.stations.search import cards

    sample = {
        "items": [{"__card__": 7, "live": {"label": "空余车位 3 个", "observed_at": at(9, 5)}, "km_ahead": 1.5}],
        "count": 1,
        "text": 'a, b: {"__card__": 1}',
    }
    rendered = Utf8JSONRenderer().render(None, sample, response_status=200)  # type: ignore[arg-type]
    assert cards.dumps(sample) == rendered
    assert (cards.ITEM_SEPARATOR, cards.KEY_SEPARATOR) == (", ", ": ")
    assert cards.dumps({"a": [1, 2]}) == '{"a": [1, 2]}'


def test_a_station_named_like_the_marker_does_not_break_the_splice(stations):
    from chelun.stations.search.cards import near_json, near_json_plain

    Station.objects.filter(pk=stations["yard"].pk).update(name='物流园 {"__card__": 1, "x": 2}')
    selectors.search_catalog.clear()
    results = selectors.station_search_near(lon=104.4, lat=30.5, radius_km=200)
    body = near_json(results)
    assert body == near_json_plain(results)
    assert '"name": "物流园 {\\"__card__\\": 1, \\"x\\": 2}"' in body


def test_cards_and_plain_schemas_write_the_same_along_route_page(stations):
    from chelun.stations.search.cards import along_route_json, along_route_json_plain

    root = superuser()
    for minute in range(0, 180, 30):  # a week ago, around the yard's ETA (about 1.8 h ahead)
        moment = at(9, 0, day=16) + dt.timedelta(minutes=minute)
        services.station_status_set(actor=root, station=stations["yard"], is_open=True, free_spaces=4, at=moment)
    query = RouteQuery(points=ROUTE, position=(103.2, 30.5), offroad_corridor_m=20_000)
    page = selectors.station_search_along_route_page(query=query, now=at(9, 0), offset=1, limit=1)
    forecasts = selectors.station_forecasts(targets=[(r.station, r.eta) for r in page.results if r.eta])
    assert page.total == 2 and _names(page.results) == ["物流园"]
    assert forecasts[stations["yard"].pk] is not None
    body = along_route_json(page.results, forecasts, count=page.total)
    assert body == along_route_json_plain(page.results, forecasts, count=page.total)
    assert body.endswith('"count": 2}') and '"expected_free_spaces": 4' in body


# ---------------------------------------------------------------------------------------------------------------
# Synthetic benchmark stations: one rule (access.shows_synthetic), pages and API alike
# ---------------------------------------------------------------------------------------------------------------


@pytest.fixture
def with_synthetic(stations, tree):
    synthetic = make_station(org=tree.wuhou_branch, name="合成站", lon=104.45, lat=30.52)
    Station.objects.filter(pk=synthetic.pk).update(is_demo_synthetic=True)
    selectors.search_catalog.clear()
    return synthetic


def test_the_api_leaves_synthetic_stations_out_as_the_pages_do(client, with_synthetic, settings):
    near = client.get("/api/v1/stations/near", {"lon": 104.4, "lat": 30.5, "radius_km": 200}).json()
    listed = client.get("/api/v1/stations/", {"page_size": 200}).json()
    along = client.post(
        "/api/v1/stations/along-route",
        {"geojson": {"type": "LineString", "coordinates": ROUTE}, "offroad_corridor_m": 20_000},
        content_type="application/json",
    ).json()
    for answer in (near, listed, along):
        assert "合成站" not in [item["name"] for item in answer["items"]]
    assert (near["count"], listed["count"], along["count"]) == (5, 5, 3)

    settings.STATIONS_SHOW_SYNTHETIC = True  # a benchmark deployment: the one setting shows them everywhere
    near = client.get("/api/v1/stations/near", {"lon": 104.4, "lat": 30.5, "radius_km": 200}).json()
    assert [item["name"] for item in near["items"]][:2] == ["合成站", "物流园"]
    assert client.get("/api/v1/stations/", {"page_size": 200}).json()["count"] == 6


def test_the_feed_and_the_figures_leave_synthetic_stations_out(client, with_synthetic, tree, settings):
    from chelun.stations.feed import station_feed

    assert "合成站" not in [s["static"]["name"] for s in station_feed()["stations"]]
    report = selectors.funding_report(actor=tree.province_admin, start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 1))
    assert with_synthetic.pk not in [int(row.key) for row in report.stations]
    assert len(report.stations) == 5
    settings.STATIONS_SHOW_SYNTHETIC = True
    assert "合成站" in [s["static"]["name"] for s in station_feed()["stations"]]
    report = selectors.funding_report(actor=tree.province_admin, start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 1))
    assert len(report.stations) == 6


def test_a_demo_page_may_still_ask_for_them(with_synthetic):
    assert "合成站" not in _names(selectors.station_list_for_drivers())
    assert "合成站" in _names(selectors.station_list_for_drivers(include_synthetic=True))
    near = selectors.station_near_for_drivers(lon=104.4, lat=30.5, radius_km=200, include_synthetic=True)
    assert _names(near)[:2] == ["合成站", "物流园"]


# --------------------------------------------------------------------------
# Issue 10.6: filters and the card follow one rule of what a station offers
# --------------------------------------------------------------------------


def test_offered_amenities_take_beds_from_the_count_and_laundry_buttons_from_the_dryer():
    from chelun.stations.choices import CheckInService
    from chelun.stations.offers import checkin_buttons, has_beds, offered_amenities

    # A 住宿床位 tick with no beds is no bed; a bed count with no tick is one.
    assert offered_amenities([Amenity.BEDS, Amenity.LAUNDRY, Amenity.SHOWER], beds=0) == ("shower", "laundry")
    assert offered_amenities([Amenity.DRYING], beds=2) == ("drying", "beds")
    assert has_beds(("beds",)) and not has_beds(("shower", "truck_parking"))
    services = [CheckInService.PARKING, CheckInService.SHOWER, CheckInService.LAUNDRY, CheckInService.BED]
    assert checkin_buttons(("laundry",), services) == [("parking", "停车休息"), ("laundry", "洗衣")]
    assert checkin_buttons(("shower", "laundry", "drying", "beds"), services) == [
        ("parking", "停车休息"),
        ("shower", "淋浴"),
        ("laundry", "洗衣烘干"),
        ("bed", "住宿"),
    ]


@pytest.fixture
def secure_no_beds(stations, tree):
    # Silver-grade truck park with a 住宿床位 tick but 床位 0, laundry but no dryer, on the route at 104.2.
    return make_station(
        org=tree.wuhou_branch,
        name="安保园区",
        lon=104.2,
        lat=30.51,
        amenities=[Amenity.BEDS, Amenity.LAUNDRY, Amenity.SHOWER],
        beds=0,
        cctv=True,
        guards=True,
        lighting=True,
        fence=True,
    )


def test_sleep_tonight_and_the_beds_filter_skip_a_station_whose_card_says_no_beds(secure_no_beds, client):
    assert Station.objects.get(pk=secure_no_beds.pk).security_grade in selectors.SLEEP_GRADES
    sleep = RouteQuery(points=ROUTE, position=(103.2, 30.5), sleep_tonight=True)
    assert _names(selectors.station_search_along_route(query=sleep, now=at(8))) == ["物流园"]
    beds = RouteQuery(points=ROUTE, position=(103.2, 30.5), filters=StationFilter(amenities=(Amenity.BEDS,)))
    assert _names(selectors.station_search_along_route(query=beds, now=at(8))) == ["物流园"]
    listed = selectors.station_list_for_drivers(filters=StationFilter(amenities=(Amenity.BEDS,)))
    assert [r.station.name for r in listed] == ["物流园"]
    # The card says the same: 床位 无, ✗ 住宿床位, ✗ 烘干, and laundry is offered as 洗衣 only.
    from django.urls import reverse

    card = client.get(reverse("stations:detail", args=[secure_no_beds.pk]))
    rows = dict(card.context["amenity_rows"])
    assert (rows["住宿床位"], rows["洗衣"], rows["烘干"]) == (False, True, False)
    assert [code for code, _ in card.context["checkin_buttons"]] == [
        "parking",
        "shower",
        "laundry",
        "meal",
        "hot_water",
        "consultation",
        "party",
    ]
    assert dict(card.context["checkin_buttons"])["laundry"] == "洗衣"
    assert "洗衣烘干" not in card.text and "<dt>床位</dt><dd>无</dd>" in card.text
