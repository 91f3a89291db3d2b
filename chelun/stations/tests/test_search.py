import datetime as dt

import pytest

from chelun.core.errors import ValidationFailed
from chelun.core.geo import wgs84_to_gcj02
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
    services.station_update(actor=tree.province_admin, station=far, expected_version=far.version, lon=110.0, lat=31.0)
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
