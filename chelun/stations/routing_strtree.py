"""A second baseline for along-route search: shapely 2's STRtree as the candidate search (benchmarks and tests).

The brute-force baseline (routing_baselines.along_route_baseline) measures every station against every segment, so
beating it says little. This is what a competent implementation with the usual tool would do: an STRtree over the
stations (built once per station index, like the KD-trees), queried in one vectorised call with every route segment's
lon/lat envelope grown by the corridor; the candidate (station, segment) pairs then go through exactly the same exact
projection and rules as the fast path (routing._hits_from_pairs), so the answers are bit-identical and the comparison
is of the candidate searches alone: KD-tree samples against STRtree envelopes.

Envelopes are conservative: the corridor is converted to degrees at the envelope's most poleward latitude, and grown
by a bound on how far a great-circle arc leaves the lon/lat box of its ends (L²/2R, good to about 76° latitude).
"""

from __future__ import annotations

import math
import weakref

import numpy as np
import shapely

from chelun.stations.routing import (
    EARTH_RADIUS_KM,
    IntArray,
    Route,
    RouteHit,
    StationIndex,
    _driver,
    _hits_from_pairs,
    _rules,
)

__all__ = ["along_route_strtree", "station_strtree"]

_KM_PER_DEG = EARTH_RADIUS_KM * math.pi / 180.0
_TREES: weakref.WeakKeyDictionary[StationIndex, tuple[shapely.STRtree, shapely.STRtree]] = weakref.WeakKeyDictionary()


def station_strtree(index: StationIndex) -> tuple[shapely.STRtree, shapely.STRtree]:
    """(expressway, off-road) STRtrees of station points, built once per index (as its KD-trees are)."""
    trees = _TREES.get(index)
    if trees is None:
        trees = tuple(  # type: ignore[assignment]
            shapely.STRtree(shapely.points(index.lon[rows], index.lat[rows]))
            for rows in (index.expressway_rows, index.offroad_rows)
        )
        _TREES[index] = trees  # type: ignore[assignment]
    assert trees is not None
    return trees


def _envelopes(route: Route, corridor_km: float) -> np.ndarray:
    lon0, lon1 = route.lon[:-1], route.lon[1:]
    lat0, lat1 = route.lat[:-1], route.lat[1:]
    pad_km = corridor_km + route.seg_km * route.seg_km / (2.0 * EARTH_RADIUS_KM) + 1e-3
    pad_lat = pad_km / _KM_PER_DEG
    south = np.minimum(lat0, lat1) - pad_lat
    north = np.maximum(lat0, lat1) + pad_lat
    poleward = np.minimum(np.maximum(np.abs(south), np.abs(north)), 89.0)
    pad_lon = np.minimum(pad_km / (_KM_PER_DEG * np.cos(np.radians(poleward))), 180.0)
    return shapely.box(np.minimum(lon0, lon1) - pad_lon, south, np.maximum(lon0, lon1) + pad_lon, north)


def _pairs(tree: shapely.STRtree, rows: IntArray, route: Route, corridor_km: float) -> tuple[IntArray, IntArray]:
    if not len(rows):
        empty = np.empty(0, dtype=np.intp)
        return empty, empty
    seg, station = tree.query(_envelopes(route, corridor_km), predicate="intersects")
    return rows[station].astype(np.intp), seg.astype(np.intp)


def along_route_strtree(
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
    """routing.along_route with an STRtree candidate search; same arguments, same answers."""
    rules = _rules(expressway_corridor_m, offroad_corridor_m, min_seconds_ahead, max_seconds_ahead, detour_speed_kmh)
    driver_km, driver_s = _driver(route, position, fast=True)  # the shared exact part, as the fast path
    expressway_tree, offroad_tree = station_strtree(index)
    e_rows, e_segs = _pairs(expressway_tree, index.expressway_rows, route, rules.expressway_km)
    o_rows, o_segs = _pairs(offroad_tree, index.offroad_rows, route, rules.offroad_km)
    rows, segs = np.concatenate([e_rows, o_rows]), np.concatenate([e_segs, o_segs])
    return _hits_from_pairs(index, route, rules, rows, segs, driver_km, driver_s, keep_behind_start)
