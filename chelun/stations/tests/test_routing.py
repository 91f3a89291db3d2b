"""Station search geometry: exact hand-built cases, then fast path == baseline on random data.

Pure module, no database: runs with ``pytest -p no:django chelun/stations/tests/test_routing.py``.
Hand-built routes run along the equator, where the great-circle distance of (lon, lat) to the route
is exactly |lat| degrees and the along-route position exactly lon degrees, so answers are exact.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from ..routing import (
    EARTH_RADIUS_KM,
    Route,
    RouteHit,
    RouteInputError,
    StationIndex,
    StationPoint,
    along_route,
    locate,
    nearby,
)
from ..routing_baselines import along_route_baseline, nearby_baseline
from ..routing_strtree import along_route_strtree

KM_PER_DEG = EARTH_RADIUS_KM * math.pi / 180.0  # 111.19492664455873 km
EAST = [(0.0, 0.0), (0.25, 0.0), (0.5, 0.0), (0.75, 0.0), (1.0, 0.0)]
WEST = EAST[::-1]


def expressway(sid: int, lon: float, lat: float, bearing: float | None, linked: bool = False) -> StationPoint:
    return StationPoint(sid, lon, lat, "expressway", bearing_deg=bearing, linked_halves=linked)


def offroad(sid: int, lon: float, lat: float) -> StationPoint:
    return StationPoint(sid, lon, lat, "offroad")


def search(stations: list[StationPoint], route: Route, **kwargs: object) -> list[RouteHit]:
    """Run both paths, insist they agree exactly, return the fast one."""
    index = StationIndex.build(stations)
    fast = along_route(index, route, **kwargs)  # type: ignore[arg-type]
    assert fast == along_route_baseline(index, route, **kwargs)  # type: ignore[arg-type]
    assert fast == along_route_strtree(index, route, **kwargs)  # type: ignore[arg-type]
    return fast


def ids(hits: list[RouteHit]) -> list[int]:
    return [h.station_id for h in hits]


def haversine_km(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(1.0, a)))


# --------------------------------------------------------------------------
# Hand-built cases
# --------------------------------------------------------------------------


def test_straight_route_measures_stations_ahead_on_both_sides_and_drops_those_behind() -> None:
    # Given an eastbound route and a driver at lon 0.2, slightly north of the road
    stations = [
        offroad(1, 0.5, 0.01),  # 1.112 km north
        offroad(2, 0.6, -0.02),  # 2.224 km south
        offroad(3, 0.1, 0.01),  # behind the driver
        expressway(4, 0.4, -0.001, 90.0),  # eastbound half, 111 m south
        offroad(5, 0.19999, 0.0),  # 1.1 m behind the driver
    ]
    # When searching from the driver's position
    hits = search(stations, Route.build(EAST), position=(0.2, 0.0005))
    # Then stations ahead come in km order with exact distances; behind ones are gone
    assert ids(hits) == [4, 1, 2]
    expected = [
        (4, 0.4, 0.001, 0.0, 1),
        (1, 0.5, 0.01, 2 * 0.01 * KM_PER_DEG, 1),
        (2, 0.6, 0.02, 2 * 0.02 * KM_PER_DEG, 2),
    ]
    for hit, (sid, lon, lat, detour_km, segment) in zip(hits, expected, strict=True):
        km_ahead = (lon - 0.2) * KM_PER_DEG
        assert hit.station_id == sid
        assert hit.segment == segment
        assert hit.km_ahead == pytest.approx(km_ahead, abs=1e-9)
        assert hit.seconds_ahead == pytest.approx(km_ahead / 70.0 * 3600.0, abs=1e-6)
        assert hit.offset_m == pytest.approx(lat * KM_PER_DEG * 1000.0, abs=1e-6)
        assert hit.detour_km == pytest.approx(detour_km, abs=1e-9)
        assert hit.detour_minutes == pytest.approx(detour_km / 40.0 * 60.0, abs=1e-9)


def test_without_position_the_search_starts_at_the_route_start() -> None:
    hits = search([offroad(1, 0.3, 0.01), offroad(2, 0.0, 0.02)], Route.build(EAST))
    assert ids(hits) == [2, 1]
    assert hits[0].km_ahead == pytest.approx(0.0, abs=1e-9)
    assert hits[1].km_ahead == pytest.approx(0.3 * KM_PER_DEG, abs=1e-9)


def test_without_position_nothing_behind_the_route_start_comes_back() -> None:
    # Issue 10.16: a phone sends its route from its GPS fix; what it has just passed used to read 0.0 km ahead.
    stations = [
        expressway(1, -0.002, -0.001, 90.0),  # eastbound half 222 m behind the start, inside its 300 m corridor
        offroad(2, -0.1, 0.01),  # off-road site 11 km behind, inside a 15 km corridor
        offroad(3, -0.00001, 0.02),  # 1.1 m behind the start
        offroad(4, 0.0, 0.02),  # square beside the start: 0 km ahead, kept
        offroad(5, 0.05, 0.01),  # ahead
    ]
    hits = search(stations, Route.build(EAST), offroad_corridor_m=15_000.0)
    assert ids(hits) == [4, 5]
    assert hits[0].km_ahead == pytest.approx(0.0, abs=1e-9)
    assert hits[1].km_ahead == pytest.approx(0.05 * KM_PER_DEG, abs=1e-9)
    # Also when the position is given as the start itself, and after a leading repeated point.
    assert ids(search(stations, Route.build(EAST), position=(0.0, 0.0), offroad_corridor_m=15_000.0)) == [4, 5]
    assert ids(search(stations, Route.build([EAST[0], *EAST]), offroad_corridor_m=15_000.0)) == [4, 5]
    # Coverage of a line (corridor gaps) still counts them, at 0 km.
    kept = search(stations, Route.build(EAST), offroad_corridor_m=15_000.0, keep_behind_start=True)
    assert ids(kept) == [1, 2, 3, 4, 5]
    assert [h.km_ahead for h in kept[:4]] == pytest.approx([0.0, 0.0, 0.0, 0.0], abs=1e-9)


CARRIAGEWAY_CASES = [
    expressway(1, 0.30, -0.001, 90.0),  # eastbound half
    expressway(2, 0.31, 0.001, 270.0),  # westbound half
    expressway(3, 0.40, 0.001, 270.0, linked=True),  # westbound, underpass to the other half
    expressway(4, 0.50, 0.001, None),  # serves both directions
    expressway(5, 0.60, -0.001, 35.0),  # 55° off east
    expressway(6, 0.61, -0.001, 155.0),  # 65° off east
    expressway(7, 0.70, -0.001, 145.0),  # 55° off east
]


def test_carriageway_check_eastbound() -> None:
    hits = search(CARRIAGEWAY_CASES, Route.build(EAST))
    assert ids(hits) == [1, 3, 4, 5, 7]
    assert all(h.detour_km == 0.0 and h.detour_minutes == 0.0 for h in hits)


def test_carriageway_check_westbound_keeps_the_other_halves() -> None:
    hits = search(CARRIAGEWAY_CASES, Route.build(WEST))
    # Ordered by km from the east end: lon 0.70 first.
    assert ids(hits) == [4, 3, 2]
    assert hits[-1].km_ahead == pytest.approx(0.69 * KM_PER_DEG, abs=1e-9)


def test_carriageway_check_wraps_around_north() -> None:
    # A route heading 350° (NNW) and halves at 20° (30° off, across 0°) and 170° (opposite).
    start = (100.0, 30.0)
    heading = math.radians(350.0)
    end = (100.0 + 0.5 * math.sin(heading) / math.cos(math.radians(30.0)), 30.0 + 0.5 * math.cos(heading))
    route = Route.build([start, end])
    assert route.bearing_deg[0] == pytest.approx(350.0, abs=0.2)
    mid = ((start[0] + end[0]) / 2, (start[1] + end[1]) / 2)
    hits = search([expressway(1, *mid, 20.0), expressway(2, mid[0], mid[1] + 1e-4, 170.0)], route)
    assert ids(hits) == [1]


def test_expressway_and_offroad_corridors_have_their_own_widths() -> None:
    stations = [
        expressway(1, 0.3, 250 / 1000 / KM_PER_DEG, None),  # 250 m
        expressway(2, 0.4, 350 / 1000 / KM_PER_DEG, None),  # 350 m
        offroad(3, 0.5, 4.9 / KM_PER_DEG),
        offroad(4, 0.6, -5.1 / KM_PER_DEG),
        expressway(5, 0.7, -1.0 / KM_PER_DEG, None),  # 1 km: too far for a service area
    ]
    route = Route.build(EAST)
    assert ids(search(stations, route)) == [1, 3]
    assert ids(search(stations, route, expressway_corridor_m=400, offroad_corridor_m=2000)) == [1, 2]
    hits = search(stations, route, expressway_corridor_m=1000.001, offroad_corridor_m=6000)
    assert ids(hits) == [1, 2, 3, 4, 5]
    assert [round(h.offset_m, 6) for h in hits] == [250.0, 350.0, 4900.0, 5100.0, 1000.0]


def test_rest_window_keeps_stations_three_to_four_hours_ahead() -> None:
    # 0.5° ≈ 55.6 km apart at 70 km/h; 3–4 h is 210–280 km, i.e. lon 1.889°–2.518°.
    route = Route.build([(0.0, 0.0), (2.0, 0.0), (5.0, 0.0)])
    stations = [offroad(i, 0.5 * i, 0.01) for i in range(1, 10)]
    hits = search(stations, route, min_seconds_ahead=3 * 3600, max_seconds_ahead=4 * 3600)
    assert ids(hits) == [4, 5]
    assert hits[0].seconds_ahead == pytest.approx(2.0 * KM_PER_DEG / 70.0 * 3600.0, abs=1e-6)
    # From a driver already 1° along, the window moves with them.
    hits = search(stations, route, position=(1.0, 0.0), min_seconds_ahead=3 * 3600, max_seconds_ahead=4 * 3600)
    assert ids(hits) == [6, 7]


def test_rest_window_bounds_are_inclusive() -> None:
    route = Route.build(EAST, cumulative_seconds=[0.0, 600.0, 1200.0, 1800.0, 2400.0])
    stations = [offroad(1, 0.2, 0.01), offroad(2, 0.4, 0.01), offroad(3, 0.6, 0.01), offroad(4, 0.8, 0.01)]
    eta = {h.station_id: h.seconds_ahead for h in search(stations, route)}
    assert eta[2] == pytest.approx(960.0, abs=1e-6)
    assert ids(search(stations, route, min_seconds_ahead=eta[2], max_seconds_ahead=eta[3])) == [2, 3]


def test_eta_is_interpolated_from_cumulative_times() -> None:
    # Given a route whose second half is three times slower, on a clock that starts at 08:00
    start = 8 * 3600.0
    route = Route.build([(0.0, 0.0), (0.5, 0.0), (1.0, 0.0)], cumulative_seconds=[start, start + 1000, start + 4000])
    # When the driver is at lon 0.1 (200 s in)
    hits = search([offroad(1, 0.25, 0.01), offroad(2, 0.75, -0.01)], route, position=(0.1, 0.0))
    # Then ETAs interpolate within each segment
    assert [h.seconds_ahead for h in hits] == [pytest.approx(300.0, abs=1e-6), pytest.approx(2300.0, abs=1e-6)]
    assert [h.segment for h in hits] == [0, 1]
    here = locate(route, 0.1, 0.0)
    assert here.seconds == pytest.approx(start + 200.0, abs=1e-6)
    assert here.km == pytest.approx(0.1 * KM_PER_DEG, abs=1e-9)


def test_average_speed_sets_times_when_none_are_given() -> None:
    route = Route.build(EAST, avg_speed_kmh=90.0)
    assert route.cum_seconds[-1] == pytest.approx(KM_PER_DEG / 90.0 * 3600.0, abs=1e-6)


def test_station_near_several_segments_takes_the_closest() -> None:
    # An out-and-back route: east on lat 0, north, then west on lat 0.1.
    route = Route.build([(0.0, 0.0), (1.0, 0.0), (1.0, 0.1), (0.0, 0.1)])
    hits = search([offroad(1, 0.5, 0.03), offroad(2, 0.5, 0.08)], route)
    assert [h.segment for h in hits] == [0, 2]
    assert hits[0].km_ahead == pytest.approx(0.5 * KM_PER_DEG, abs=1e-9)
    # The westbound leg is a great circle, not the parallel 0.1°: it bulges 0.4 m north mid-way.
    assert hits[1].km_ahead == pytest.approx(1.6 * KM_PER_DEG, rel=1e-5)
    assert hits[1].offset_m == pytest.approx(0.02 * KM_PER_DEG * 1000, abs=1.0)


def test_closest_projection_behind_the_driver_drops_the_station() -> None:
    # The specified rule: the closest projection decides, even if the route passes again later.
    route = Route.build([(0.0, 0.0), (1.0, 0.0), (1.0, 0.1), (0.0, 0.1)])
    hits = search([offroad(1, 0.5, 0.03)], route, position=(0.9, 0.0))
    assert hits == []


def test_tie_at_a_shared_vertex_goes_to_the_earlier_segment() -> None:
    # Outside the corner of an L: equally close to the end of segment 0 and the start of segment 1.
    route = Route.build([(0.0, 0.0), (1.0, 0.0), (1.0, 1.0)])
    hits = search([offroad(1, 1.01, -0.01)], route)
    assert [h.segment for h in hits] == [0]
    assert hits[0].km_ahead == pytest.approx(KM_PER_DEG, abs=1e-9)


def test_repeated_points_keep_segment_numbers_and_are_never_matched() -> None:
    route = Route.build([(0.0, 0.0), (0.5, 0.0), (0.5, 0.0), (1.0, 0.0)])
    hits = search([offroad(1, 0.5, 0.01), offroad(2, 0.75, 0.01)], route)
    assert [h.segment for h in hits] == [0, 2]
    assert [h.km_ahead for h in hits] == [pytest.approx(0.5 * KM_PER_DEG, abs=1e-9), pytest.approx(0.75 * KM_PER_DEG)]


def test_long_segment_does_not_lose_stations_to_chord_sag() -> None:
    # A 333 km segment's chord runs 2.2 km below the surface mid-way; offsets are on the sphere.
    route = Route.build([(0.0, 0.0), (3.0, 0.0)])
    hits = search([expressway(1, 1.5, -0.0025, 90.0)], route)
    assert ids(hits) == [1]
    assert hits[0].offset_m == pytest.approx(0.0025 * KM_PER_DEG * 1000, abs=1e-6)
    assert hits[0].km_ahead == pytest.approx(1.5 * KM_PER_DEG, abs=1e-9)


def test_empty_index_finds_nothing() -> None:
    index = StationIndex.build([])
    assert along_route(index, Route.build(EAST)) == []
    assert nearby(index, 0.0, 0.0, 100.0) == []


@pytest.mark.parametrize(
    ("points", "times", "code"),
    [
        ([], None, "route_too_short"),
        ([(104.0, 30.0)], None, "route_too_short"),
        ([(104.0, 30.0), (104.0, 30.0)], None, "route_too_short"),
        ([(104.0, math.nan), (104.1, 30.0)], None, "route_not_finite"),
        ([(104.0, 30.0), (math.inf, 30.0)], None, "route_not_finite"),
        ([(181.0, 30.0), (104.0, 30.0)], None, "route_out_of_range"),
        ([(104.0, 30.0, 1.0), (104.1, 30.0, 1.0)], None, "route_malformed"),
        ([(104.0, 30.0), (104.1, 30.0)], [0.0], "route_times_mismatch"),
        ([(104.0, 30.0), (104.1, 30.0)], [10.0, 5.0], "route_times_invalid"),
        ([(104.0, 30.0), (104.1, 30.0)], [0.0, math.nan], "route_times_invalid"),
    ],
)
def test_bad_routes_raise_route_input_error(
    points: list[tuple[float, float]], times: list[float] | None, code: str
) -> None:
    with pytest.raises(RouteInputError) as err:
        Route.build(points, times)
    assert err.value.code == code
    assert err.value.message  # shown to the driver, in Chinese


def test_bad_positions_raise_route_input_error() -> None:
    index = StationIndex.build([offroad(1, 0.5, 0.01)])
    route = Route.build(EAST)
    for bad in [(math.nan, 0.0), (0.0, math.inf), (0.0, 91.0)]:
        with pytest.raises(RouteInputError) as err:
            along_route(index, route, position=bad)
        assert err.value.code == "position_invalid"
        with pytest.raises(RouteInputError):
            nearby(index, bad[0], bad[1], 10.0)
    with pytest.raises(RouteInputError) as err:
        nearby(index, 0.0, 0.0, -1.0)
    assert err.value.code == "radius_invalid"


def test_bad_stations_are_refused_at_build() -> None:
    with pytest.raises(ValueError, match="duplicate"):
        StationIndex.build([offroad(1, 0.0, 0.0), offroad(1, 1.0, 0.0)])
    with pytest.raises(ValueError, match="coordinates"):
        StationIndex.build([offroad(1, math.nan, 0.0)])


def test_nearby_sorts_by_distance_then_id_and_limits() -> None:
    index = StationIndex.build([offroad(3, 0.1, 0.0), offroad(1, 0.0, 0.1), offroad(2, 0.0, 0.3), offroad(4, 2.0, 0)])
    result = nearby(index, 0.0, 0.0, 50.0)
    assert [sid for sid, _ in result] == [1, 3, 2]  # 1 and 3 are both 0.1° away: id breaks the tie
    assert result[2][1] == pytest.approx(0.3 * KM_PER_DEG, abs=1e-9)
    assert nearby(index, 0.0, 0.0, 50.0, limit=2) == result[:2]


# --------------------------------------------------------------------------
# Randomised: fast path == baseline, nearby == brute force
# --------------------------------------------------------------------------


def random_route(rng: np.random.Generator) -> list[tuple[float, float]]:
    """A wandering route near Chengdu: mostly 50 m–3 km steps, a few 30 km ones, a repeated point."""
    lon, lat, heading = 104.0, 30.6, rng.uniform(0, 360)
    points = [(lon, lat)]
    for i in range(300):
        heading += rng.normal(0, 25)
        step_km = rng.choice([rng.uniform(0.05, 3.0), rng.uniform(10, 30)], p=[0.95, 0.05])
        lon += step_km * math.sin(math.radians(heading)) / (KM_PER_DEG * math.cos(math.radians(lat)))
        lat += step_km * math.cos(math.radians(heading)) / KM_PER_DEG
        points.append((lon, lat))
        if i == 150:
            points.append((lon, lat))
    return points


def random_stations(rng: np.random.Generator, route: list[tuple[float, float]], n: int) -> list[StationPoint]:
    stations = []
    for sid in range(n):
        seg = int(rng.integers(len(route) - 1))
        (a_lon, a_lat), (b_lon, b_lat), u = route[seg], route[seg + 1], rng.uniform()
        lon, lat = a_lon + u * (b_lon - a_lon), a_lat + u * (b_lat - a_lat)
        spread = rng.choice([0.002, 0.02, 0.06])  # ~200 m, 2 km, 6 km
        lon, lat = lon + rng.normal(0, spread), lat + rng.normal(0, spread)
        if rng.uniform() < 0.5:
            bearing = None if rng.uniform() < 0.2 else float(rng.uniform(0, 360))
            stations.append(expressway(1000 + sid, lon, lat, bearing, linked=bool(rng.uniform() < 0.2)))
        else:
            stations.append(offroad(1000 + sid, lon, lat))
    stations.append(offroad(1, *route[40]))  # exactly on a vertex
    return stations


def test_fast_path_equals_baseline_on_random_stations() -> None:
    rng = np.random.default_rng(20240611)
    points = random_route(rng)
    route = Route.build(points, avg_speed_kmh=65.0)
    index = StationIndex.build(random_stations(rng, points, 600))
    seen_ids: set[int] = set()
    for case in range(12):
        i = int(rng.integers(len(points)))
        position = None if case == 0 else (points[i][0] + rng.normal(0, 0.001), points[i][1] + rng.normal(0, 0.001))
        kwargs: dict[str, object] = {
            "position": position,
            "expressway_corridor_m": float(rng.choice([300.0, 1500.0])),
            "offroad_corridor_m": float(rng.choice([2000.0, 5000.0, 10000.0])),
        }
        if case % 3 == 2:
            kwargs["min_seconds_ahead"] = 600.0
            kwargs["max_seconds_ahead"] = 3 * 3600.0
        fast = along_route(index, route, **kwargs)  # type: ignore[arg-type]
        base = along_route_baseline(index, route, **kwargs)  # type: ignore[arg-type]
        assert along_route_strtree(index, route, **kwargs) == base  # type: ignore[arg-type]
        assert fast == base  # same ids, order and bit-identical numbers
        seen_ids.update(ids(fast))
    # The data really exercises both classes and the filters (guards against a vacuous pass).
    assert sum(1 for s in seen_ids if s >= 1000) > 150
    assert 1 in seen_ids


def test_fast_path_equals_baseline_on_hairpins() -> None:
    # Mountain switchbacks: parallel legs 150-600 m apart, so stations sit near several legs at once
    # and the nearest route sample is often on the wrong leg.
    rng = np.random.default_rng(99)
    points: list[tuple[float, float]] = []
    lat = 29.0
    for leg in range(40):
        xs = np.linspace(102.0, 102.0 + rng.uniform(0.02, 0.06), int(rng.integers(2, 12)))
        if leg % 2:
            xs = xs[::-1]
        points += [(float(x), lat + float(rng.normal(0, 0.0003))) for x in xs]
        lat += float(rng.uniform(0.0015, 0.006))
    route = Route.build(points)
    stations = [
        StationPoint(
            i,
            float(rng.uniform(101.99, 102.07)),
            float(rng.uniform(28.99, lat + 0.01)),
            "expressway" if i % 2 else "offroad",
            bearing_deg=float(rng.choice([90.0, 270.0])) if i % 4 == 1 else None,
        )
        for i in range(800)
    ]
    index = StationIndex.build(stations)
    for case in range(8):
        lon, lat_ = points[int(rng.integers(len(points)))]
        kwargs: dict[str, object] = {
            "position": None if case == 0 else (lon, lat_),
            "expressway_corridor_m": float(rng.choice([100.0, 300.0, 800.0])),
            "offroad_corridor_m": float(rng.choice([500.0, 2000.0, 5000.0])),
        }
        fast = along_route(index, route, **kwargs)  # type: ignore[arg-type]
        assert fast == along_route_baseline(index, route, **kwargs)  # type: ignore[arg-type]
        assert fast == along_route_strtree(index, route, **kwargs)  # type: ignore[arg-type]
        assert len(fast) > 20


def test_nearby_equals_brute_force_haversine() -> None:
    rng = np.random.default_rng(7)
    stations = [
        offroad(int(i), float(lon), float(lat))
        for i, lon, lat in zip(
            rng.permutation(5000)[:800], rng.uniform(97, 110, 800), rng.uniform(26, 34, 800), strict=True
        )
    ]
    index = StationIndex.build(stations)
    for _ in range(200):
        lon, lat = float(rng.uniform(96, 111)), float(rng.uniform(25, 35))
        radius = float(rng.choice([5.0, 30.0, 120.0, 400.0]))
        limit = None if rng.uniform() < 0.5 else int(rng.integers(0, 15))
        expected = sorted((d, s.id) for s in stations if (d := haversine_km(lon, lat, s.lon, s.lat)) <= radius)[:limit]
        got = nearby(index, lon, lat, radius, limit)
        assert [sid for sid, _ in got] == [sid for _, sid in expected]
        assert [d for _, d in got] == pytest.approx([d for d, _ in expected], abs=1e-6)
        baseline = nearby_baseline(index, lon, lat, radius, limit)
        assert [sid for sid, _ in got] == [sid for sid, _ in baseline]
        assert [d for _, d in got] == pytest.approx([d for _, d in baseline], abs=1e-9)
