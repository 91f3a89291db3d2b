"""The reference implementations station search is tested and benchmarked against (pure: no Django).

`along_route_baseline` measures every station against every route segment, rules in plain Python; `nearby_baseline`
is textbook haversine to every station. They share routing's checks and formulas (same order, same rounding), so
the fast paths in chelun.stations.routing must give bit-identical answers; routing_strtree is the third, an
STRtree candidate search.
"""

from __future__ import annotations

import math

import numpy as np

from chelun.stations.routing import (
    _CARRIAGEWAY_MIN_DOT,
    EARTH_RADIUS_KM,
    Route,
    RouteHit,
    StationIndex,
    _arc_km,
    _behind_start,
    _check_point,
    _check_radius,
    _driver,
    _nearest_segment,
    _position,
    _project,
    _Rules,
    _rules,
    _sorted_pairs,
)

__all__ = ["along_route_baseline", "nearby_baseline"]


def nearby_baseline(
    index: StationIndex, lon: float, lat: float, radius_km: float, limit: int | None = None
) -> list[tuple[int, float]]:
    """Brute force :func:`nearby`: textbook haversine to every station, then filter and sort."""
    _check_point(lon, lat)
    _check_radius(radius_km, limit)
    lat0 = math.radians(lat)
    lat_r = np.radians(index.lat)
    a = np.sin((lat_r - lat0) / 2) ** 2 + np.cos(lat_r) * math.cos(lat0) * np.sin(np.radians(index.lon - lon) / 2) ** 2
    dist = 2.0 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))
    keep = dist <= radius_km
    return _sorted_pairs(index.ids[keep], dist[keep], limit)


def along_route_baseline(
    index: StationIndex,
    route: Route,
    *,
    position: tuple[float, float] | None = None,
    expressway_corridor_m: float = 300.0,
    offroad_corridor_m: float = 5000.0,
    min_seconds_ahead: float | None = None,
    max_seconds_ahead: float | None = None,
    detour_speed_kmh: float = 40.0,
    keep_behind_start: bool = False,
) -> list[RouteHit]:
    """Reference for :func:`along_route`: every station against every segment, rules in plain Python."""
    rules = _rules(expressway_corridor_m, offroad_corridor_m, min_seconds_ahead, max_seconds_ahead, detour_speed_kmh)
    driver_km, driver_s = _driver(route, position)
    hits: list[RouteHit] = []
    for row in range(len(index)):
        off_all, along_all = _project(index.x[row], index.y[row], index.z[row], route, slice(None))
        off_all = np.where(route.usable, off_all, np.inf)
        seg = _nearest_segment(off_all)
        offset_km = float(off_all[seg])
        if offset_km > (rules.expressway_chord_km if index.is_expressway[row] else rules.offroad_chord_km):
            continue
        if index.checks_bearing[row]:
            dot = (
                index.bearing_east[row] * route.bearing_east[seg] + index.bearing_north[row] * route.bearing_north[seg]
            )
            if dot < _CARRIAGEWAY_MIN_DOT:
                continue
        if not keep_behind_start and _behind_start(index.x[row], index.y[row], index.z[row], route, seg):
            continue
        hit = _make_hit(index, route, rules, row, seg, offset_km, float(along_all[seg]), driver_km, driver_s)
        if hit is not None:
            hits.append(hit)
    hits.sort(key=_hit_order)
    return hits


def _make_hit(
    index: StationIndex,
    route: Route,
    rules: _Rules,
    row: int,
    seg: int,
    offset_chord_km: float,
    along_chord_km: float,
    driver_km: float,
    driver_s: float,
) -> RouteHit | None:
    """Baseline: hit for a station inside its corridor and carriageway; None if behind or off-window.

    The scalar twin of the tail of :func:`along_route`: same formulas in the same order, so both
    round identically. asin goes through math in both, since numpy's SIMD loops may round differently.
    """
    km, seconds, _ = _position(route, seg, along_chord_km)
    km_ahead = km - driver_km
    seconds_ahead = seconds - driver_s
    if km_ahead < 0.0 or not rules.min_seconds <= seconds_ahead <= rules.max_seconds:
        return None
    offset_km = _arc_km(offset_chord_km)
    detour_km, detour_minutes = rules.detour(bool(index.is_expressway[row]), offset_km)
    return RouteHit(
        station_id=int(index.ids[row]),
        km_ahead=km_ahead,
        seconds_ahead=seconds_ahead,
        offset_m=offset_km * 1000.0,
        detour_km=detour_km,
        detour_minutes=detour_minutes,
        segment=seg,
    )


def _hit_order(hit: RouteHit) -> tuple[float, int]:
    return hit.km_ahead, hit.station_id
