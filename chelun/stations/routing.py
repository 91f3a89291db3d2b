"""Near-me and along-route search for 暖心之家 stations (pure: no Django).

Inputs are WGS-84 ``(lon, lat)`` in degrees; convert GCJ-02 from Amap/Tencent before calling.

Geometry is done on a sphere (R = 6,371 km, like chelun.core.geo's haversine; within ~0.5 % of the
ellipsoid) in 3-D Earth-centred (ECEF) coordinates, in kilometres. Why not a projection:

* One equirectangular reference latitude is not good to 0.5 % even inside Sichuan (cos 26° and
  cos 34° differ by 8 %); a national station set or a 1,500 km route spans far more. UTM 48N
  (EPSG:32648) needs pyproj and distorts outside its zone.
* ECEF chord length is a monotone function of great-circle distance everywhere, so one KD-tree
  serves the whole country, and a corridor radius converts exactly between chord and arc.
* The great-circle foot of a point on a segment needs only +, -, *, / and sqrt, which IEEE rounds
  exactly; asin is taken with ``math`` on final values only. So the fast path and the baseline give
  bit-identical numbers and can be compared for equality.

The fast path (:func:`along_route`) puts points every ~2 km along the route into a KD-tree once
(:meth:`Route.build`), each standing for the few segments around it. One tree-vs-tree query per site
class gives (station, segment) candidate pairs; the exact projection runs on those only, vectorised.
The baselines these are tested and measured against (every station against every segment; haversine to every
station) live in :mod:`chelun.stations.routing_baselines`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
from scipy.spatial import cKDTree

__all__ = [
    "EARTH_RADIUS_KM",
    "Route",
    "RouteHit",
    "RouteInputError",
    "RouteLocation",
    "SiteClass",
    "StationIndex",
    "StationPoint",
    "along_route",
    "locate",
    "nearby",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]
BoolArray = npt.NDArray[np.bool_]
SiteClass = Literal["expressway", "offroad"]

# Same constant as chelun.core.geo, so distances agree across the project.
EARTH_RADIUS_KM = 6371.0

# Segments shorter than this (1 mm) have no usable direction: skipped, never matched.
_MIN_SEGMENT_KM = 1e-6
# Candidate search: a sample every ~8 segments, between 0.2 and 2 km apart. Fewer samples make the
# tree-vs-tree query cheaper (it dominates); more segments per sample make more exact projections.
# Measured on the 1,500 km / 4,800-vertex bench route: 2 km is ~2.5x faster than one per segment.
_SEGMENTS_PER_SAMPLE = 8
_SAMPLE_STEP_MIN_KM = 0.2
_SAMPLE_STEP_MAX_KM = 2.0
# Pad KD-tree radii far beyond float error (~1e-12 km on 6,371 km coordinates) so no exact
# candidate is lost to rounding in the tree's own distance arithmetic.
_RADIUS_SLACK_KM = 1e-6
# Two projections closer than 1 µm are a tie; the earlier one along the route wins. Without a
# tolerance, a station nearest a shared vertex would flip between the two segments on 1 ulp.
_TIE_KM = 1e-9
# Carriageway rule: the half's heading must be within ±60° of the route heading (dot >= cos 60°).
_CARRIAGEWAY_MIN_DOT = 0.5


class RouteInputError(ValueError):
    """Bad route or position input; ``message`` is shown to the user (Chinese), ``code`` is stable."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True, slots=True)
class StationPoint:
    """A station as the search sees it.

    An expressway service area is two stations, one per half (南区/北区); ``bearing_deg`` is the
    heading of the carriageway that half serves (0 = north, clockwise), ``None`` when it serves both.
    ``linked_halves`` means an underpass joins the halves, so either direction may use it.
    """

    id: int
    lon: float
    lat: float
    site_class: SiteClass
    bearing_deg: float | None = None
    linked_halves: bool = False


@dataclass(frozen=True, slots=True)
class RouteHit:
    """One station along the route, measured from the driver's projected position."""

    station_id: int
    km_ahead: float
    seconds_ahead: float
    offset_m: float
    detour_km: float
    detour_minutes: float
    segment: int


@dataclass(frozen=True, slots=True)
class RouteLocation:
    """A point projected onto a route: distance and time from the route start."""

    km: float
    seconds: float
    offset_m: float
    segment: int
    fraction: float


def _ecef(lon_deg: npt.ArrayLike, lat_deg: npt.ArrayLike) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Spherical Earth-centred coordinates in km."""
    lon = np.radians(np.asarray(lon_deg, dtype=np.float64))
    lat = np.radians(np.asarray(lat_deg, dtype=np.float64))
    cos_lat = np.cos(lat)
    return (
        EARTH_RADIUS_KM * cos_lat * np.cos(lon),
        EARTH_RADIUS_KM * cos_lat * np.sin(lon),
        EARTH_RADIUS_KM * np.sin(lat),
    )


def _arc_to_chord_km(arc_km: float) -> float:
    half_angle = min(arc_km / (2.0 * EARTH_RADIUS_KM), math.pi / 2)
    return 2.0 * EARTH_RADIUS_KM * math.sin(half_angle)


def _check_point(lon: float, lat: float) -> None:
    try:
        ok = math.isfinite(lon) and math.isfinite(lat) and -180.0 <= lon <= 180.0 and -90.0 <= lat <= 90.0
    except TypeError:
        ok = False
    if not ok:
        raise RouteInputError("位置坐标无效，请提供有效的经纬度（WGS-84）", "position_invalid")


# --------------------------------------------------------------------------
# Station index
# --------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class StationIndex:
    """Stations as arrays plus KD-trees; build once, share across queries (read-only)."""

    ids: npt.NDArray[np.int64]
    lon: FloatArray
    lat: FloatArray
    x: FloatArray
    y: FloatArray
    z: FloatArray
    is_expressway: BoolArray
    # True for expressway halves that must match the route heading (bearing set, halves not linked).
    checks_bearing: BoolArray
    bearing_east: FloatArray
    bearing_north: FloatArray
    tree: cKDTree
    expressway_rows: IntArray
    expressway_tree: cKDTree
    offroad_rows: IntArray
    offroad_tree: cKDTree

    @classmethod
    def build(cls, stations: Sequence[StationPoint]) -> StationIndex:
        """Validate the stations and precompute coordinates and trees. Raises ValueError."""
        seen: set[int] = set()
        for s in stations:
            if s.id in seen:
                raise ValueError(f"duplicate station id {s.id}")
            seen.add(s.id)
            if not (math.isfinite(s.lon) and math.isfinite(s.lat)) or abs(s.lon) > 180 or abs(s.lat) > 90:
                raise ValueError(f"station {s.id}: invalid coordinates ({s.lon}, {s.lat})")
            if s.site_class not in ("expressway", "offroad"):
                raise ValueError(f"station {s.id}: unknown site_class {s.site_class!r}")
            if s.bearing_deg is not None and not math.isfinite(s.bearing_deg):
                raise ValueError(f"station {s.id}: bearing_deg must be finite or None")

        n = len(stations)
        lon = np.array([s.lon for s in stations], dtype=np.float64)
        lat = np.array([s.lat for s in stations], dtype=np.float64)
        x, y, z = _ecef(lon, lat)
        is_expressway = np.array([s.site_class == "expressway" for s in stations], dtype=np.bool_)
        checks_bearing = np.array(
            [s.site_class == "expressway" and s.bearing_deg is not None and not s.linked_halves for s in stations],
            dtype=np.bool_,
        )
        bearing = np.radians(np.array([s.bearing_deg or 0.0 for s in stations], dtype=np.float64))
        xyz = np.column_stack([x, y, z]) if n else np.empty((0, 3))
        expressway_rows = np.flatnonzero(is_expressway)
        offroad_rows = np.flatnonzero(~is_expressway)
        return cls(
            ids=np.array([s.id for s in stations], dtype=np.int64),
            lon=lon,
            lat=lat,
            x=x,
            y=y,
            z=z,
            is_expressway=is_expressway,
            checks_bearing=checks_bearing,
            bearing_east=np.sin(bearing),
            bearing_north=np.cos(bearing),
            tree=cKDTree(xyz),
            expressway_rows=expressway_rows,
            expressway_tree=cKDTree(xyz[expressway_rows]),
            offroad_rows=offroad_rows,
            offroad_tree=cKDTree(xyz[offroad_rows]),
        )

    def __len__(self) -> int:
        return len(self.ids)


def _check_radius(radius_km: float, limit: int | None) -> None:
    try:
        ok = math.isfinite(radius_km) and radius_km >= 0
    except TypeError:
        ok = False
    if not ok:
        raise RouteInputError("搜索半径必须是非负的有限数值（公里）", "radius_invalid")
    if limit is not None and limit < 0:
        raise RouteInputError("结果数量上限不能为负数", "limit_invalid")


def _sorted_pairs(ids: npt.NDArray[np.int64], dist_km: FloatArray, limit: int | None) -> list[tuple[int, float]]:
    order = np.lexsort((ids, dist_km))  # distance first, id breaks ties
    if limit is not None:
        order = order[:limit]
    return [(int(i), float(d)) for i, d in zip(ids[order], dist_km[order], strict=True)]


def nearby(
    index: StationIndex, lon: float, lat: float, radius_km: float, limit: int | None = None
) -> list[tuple[int, float]]:
    """Stations within ``radius_km`` great-circle km of a point, as (id, km) by distance then id."""
    _check_point(lon, lat)
    _check_radius(radius_km, limit)
    if not len(index):
        return []
    px, py, pz = (float(c) for c in _ecef(lon, lat))
    chord_r = _arc_to_chord_km(radius_km)
    rows = np.asarray(index.tree.query_ball_point((px, py, pz), chord_r + _RADIUS_SLACK_KM), dtype=np.intp)
    dx = index.x[rows] - px
    dy = index.y[rows] - py
    dz = index.z[rows] - pz
    # Haversine via the chord, sin(θ/2) = chord / 2R: one asin per candidate, no sin/cos.
    half = np.minimum(np.sqrt(dx * dx + dy * dy + dz * dz) / (2.0 * EARTH_RADIUS_KM), 1.0)
    dist = 2.0 * EARTH_RADIUS_KM * np.arcsin(half)
    keep = dist <= radius_km
    return _sorted_pairs(index.ids[rows[keep]], dist[keep], limit)


# --------------------------------------------------------------------------
# Route
# --------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Route:
    """A driving route (polyline) with per-vertex cumulative km and seconds; build once per route.

    Segment ``i`` joins vertex ``i`` to ``i + 1`` of the input, so segment numbers match the caller's
    polyline even when it repeats a point (such zero-length segments are never matched).
    """

    lon: FloatArray
    lat: FloatArray
    cum_km: FloatArray
    cum_seconds: FloatArray
    # Per segment (ECEF km): start a, end b, b - a, unit normal n of the great circle through a and
    # b, unit tangents u = n × â (at a, towards b) and v = b̂ × n (at b, back towards a).
    ax: FloatArray
    ay: FloatArray
    az: FloatArray
    bx: FloatArray
    by: FloatArray
    bz: FloatArray
    dx: FloatArray
    dy: FloatArray
    dz: FloatArray
    nx: FloatArray
    ny: FloatArray
    nz: FloatArray
    ux: FloatArray
    uy: FloatArray
    uz: FloatArray
    vx: FloatArray
    vy: FloatArray
    vz: FloatArray
    usable: BoolArray
    seg_km: FloatArray
    seg_seconds: FloatArray
    bearing_deg: FloatArray
    bearing_east: FloatArray
    bearing_north: FloatArray
    # Candidate search: points along the route, each standing for the segments sample_first..last
    # (the stretch within half a sample spacing of it), and the radius to add to a corridor so that
    # a station within the corridor of a segment is within reach of a sample standing for it.
    sample_first: IntArray
    sample_last: IntArray
    sample_tree: cKDTree
    sample_margin_km: float
    max_sag_km: float
    # The first segment with a direction: a station whose closest point is the start of this segment
    # with its foot before it lies behind the route's start (see _behind_start).
    first_segment: int

    @property
    def length_km(self) -> float:
        return float(self.cum_km[-1])

    @property
    def segment_count(self) -> int:
        return len(self.seg_km)

    @classmethod
    def build(
        cls,
        points: Sequence[tuple[float, float]] | FloatArray,
        cumulative_seconds: Sequence[float] | None = None,
        avg_speed_kmh: float = 70.0,
    ) -> Route:
        """Validate a (lon, lat) polyline and precompute segments, distances, times and the sample tree.

        Without ``cumulative_seconds`` times follow from ``avg_speed_kmh``. Raises RouteInputError.
        """
        if not (math.isfinite(avg_speed_kmh) and avg_speed_kmh > 0):
            raise ValueError("avg_speed_kmh must be positive")
        try:
            coords = np.asarray(points, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise RouteInputError("路线格式不正确，应为 [经度, 纬度] 点列表", "route_malformed") from exc
        if coords.ndim != 2 or coords.shape[1] != 2:
            if coords.size == 0:
                raise RouteInputError("路线至少需要两个不同的点", "route_too_short")
            raise RouteInputError("路线格式不正确，应为 [经度, 纬度] 点列表", "route_malformed")
        if not np.isfinite(coords).all():
            raise RouteInputError("路线坐标包含无效数值", "route_not_finite")
        lon = np.ascontiguousarray(coords[:, 0])
        lat = np.ascontiguousarray(coords[:, 1])
        if (np.abs(lon) > 180).any() or (np.abs(lat) > 90).any():
            raise RouteInputError("路线坐标超出经纬度范围", "route_out_of_range")

        x, y, z = _ecef(lon, lat)
        dx, dy, dz = np.diff(x), np.diff(y), np.diff(z)
        chord = np.sqrt(dx * dx + dy * dy + dz * dz)
        usable = chord >= _MIN_SEGMENT_KM
        if not usable.any():
            raise RouteInputError("路线至少需要两个不同的点", "route_too_short")
        ax, ay, az = x[:-1], y[:-1], z[:-1]
        bx, by, bz = x[1:], y[1:], z[1:]
        # a × d rather than a × b: same normal, without cancelling two nearly parallel 6,371 km vectors.
        cx, cy, cz = ay * dz - az * dy, az * dx - ax * dz, ax * dy - ay * dx
        inv_norm = np.where(usable, 1.0 / np.where(usable, np.sqrt(cx * cx + cy * cy + cz * cz), 1.0), 0.0)
        nx, ny, nz = cx * inv_norm, cy * inv_norm, cz * inv_norm
        ux, uy, uz = (
            (ny * az - nz * ay) / EARTH_RADIUS_KM,
            (nz * ax - nx * az) / EARTH_RADIUS_KM,
            (nx * ay - ny * ax) / EARTH_RADIUS_KM,
        )
        vx, vy, vz = (
            (by * nz - bz * ny) / EARTH_RADIUS_KM,
            (bz * nx - bx * nz) / EARTH_RADIUS_KM,
            (bx * ny - by * nx) / EARTH_RADIUS_KM,
        )
        seg_km = 2.0 * EARTH_RADIUS_KM * np.arcsin(np.minimum(chord / (2.0 * EARTH_RADIUS_KM), 1.0))
        cum_km = np.concatenate([[0.0], np.cumsum(seg_km)])

        if cumulative_seconds is None:
            cum_s = cum_km / avg_speed_kmh * 3600.0
        else:
            try:
                cum_s = np.asarray(cumulative_seconds, dtype=np.float64)
            except (TypeError, ValueError) as exc:
                raise RouteInputError("累计时间必须是数值列表", "route_times_invalid") from exc
            if cum_s.shape != lon.shape:
                raise RouteInputError("累计时间的数量必须与路线点数量一致", "route_times_mismatch")
            if not np.isfinite(cum_s).all() or (np.diff(cum_s) < 0).any():
                raise RouteInputError("累计时间必须是有限且不递减的数值", "route_times_invalid")

        # Initial great-circle bearing of each segment; short segments make start/end bearings equal.
        lat1, lat2 = np.radians(lat[:-1]), np.radians(lat[1:])
        dlon = np.radians(lon[1:] - lon[:-1])
        b_east = np.sin(dlon) * np.cos(lat2)
        b_north = np.cos(lat1) * np.sin(lat2) - np.sin(lat1) * np.cos(lat2) * np.cos(dlon)
        norm = np.hypot(b_east, b_north)
        norm = np.where(norm > 0, norm, 1.0)

        # Samples every h km of route distance, at the middle of each stretch [jh, (j + 1)h]. A point of
        # segment i at route distance τ is within chord distance |τ - τ_j| <= h/2 of the sample of its
        # stretch (chords are never longer than arcs), and that sample lists segment i.
        n_seg = len(chord)
        length = float(cum_km[-1])
        step = _SEGMENTS_PER_SAMPLE * length / int(usable.sum())
        step = min(_SAMPLE_STEP_MAX_KM, max(_SAMPLE_STEP_MIN_KM, step))
        n_samples = max(1, math.ceil(length / step))
        spacing = length / n_samples
        tau = (np.arange(n_samples) + 0.5) * spacing
        at = np.clip(np.searchsorted(cum_km, tau, side="right") - 1, 0, n_seg - 1)  # never zero-length
        frac = (tau - cum_km[at]) / seg_km[at]
        samples = np.column_stack([ax[at] + frac * dx[at], ay[at] + frac * dy[at], az[at] + frac * dz[at]])
        # One extra segment each side absorbs rounding in the cumulative distances.
        sample_first = np.clip(np.searchsorted(cum_km, tau - spacing / 2, side="right") - 2, 0, n_seg - 1)
        sample_last = np.clip(np.searchsorted(cum_km, tau + spacing / 2, side="right"), 0, n_seg - 1)
        # A chord sags below the sphere by R - sqrt(R² - (L/2)²); offsets are measured on the sphere.
        half_chord = float(chord[usable].max()) / 2.0
        max_sag = EARTH_RADIUS_KM - math.sqrt(EARTH_RADIUS_KM**2 - min(half_chord, EARTH_RADIUS_KM) ** 2)

        return cls(
            lon=lon,
            lat=lat,
            cum_km=cum_km,
            cum_seconds=cum_s,
            ax=ax.copy(),
            ay=ay.copy(),
            az=az.copy(),
            bx=bx.copy(),
            by=by.copy(),
            bz=bz.copy(),
            dx=dx,
            dy=dy,
            dz=dz,
            nx=nx,
            ny=ny,
            nz=nz,
            ux=ux,
            uy=uy,
            uz=uz,
            vx=vx,
            vy=vy,
            vz=vz,
            usable=usable,
            seg_km=seg_km,
            seg_seconds=np.diff(cum_s),
            bearing_deg=np.degrees(np.arctan2(b_east, b_north)) % 360.0,
            bearing_east=b_east / norm,
            bearing_north=b_north / norm,
            sample_first=sample_first.astype(np.intp),
            sample_last=sample_last.astype(np.intp),
            sample_tree=cKDTree(samples),
            sample_margin_km=spacing / 2.0 + max_sag,
            max_sag_km=max_sag,
            first_segment=int(np.argmax(usable)),
        )


def _project(
    px: FloatArray | float,
    py: FloatArray | float,
    pz: FloatArray | float,
    route: Route,
    seg: IntArray | slice,
) -> tuple[FloatArray, FloatArray]:
    """Closest point of each segment's great-circle arc: (offset chord km, chord km from the start).

    Elementwise +, -, *, /, sqrt only (no reductions, no trig), so a point gets bit-identical
    results whether it is processed alone or in a batch, on any CPU.
    """
    ax, ay, az = route.ax[seg], route.ay[seg], route.az[seg]
    nx, ny, nz = route.nx[seg], route.ny[seg], route.nz[seg]
    wx, wy, wz = px - ax, py - ay, pz - az
    # Foot on the great circle: drop the normal component and push back onto the sphere. Unlike
    # projecting onto the straight chord, this is the true cross-track foot at any segment length.
    h = wx * nx + wy * ny + wz * nz
    fx, fy, fz = px - h * nx, py - h * ny, pz - h * nz
    lift = EARTH_RADIUS_KM / np.maximum(np.sqrt(fx * fx + fy * fy + fz * fz), 1e-12)
    fx, fy, fz = fx * lift, fy * lift, fz * lift
    # A foot before the start or past the end of the arc: that end is the closest point.
    before = wx * route.ux[seg] + wy * route.uy[seg] + wz * route.uz[seg] < 0.0
    rx, ry, rz = px - route.bx[seg], py - route.by[seg], pz - route.bz[seg]
    after = rx * route.vx[seg] + ry * route.vy[seg] + rz * route.vz[seg] < 0.0
    fx = np.where(before, ax, np.where(after, route.bx[seg], fx))
    fy = np.where(before, ay, np.where(after, route.by[seg], fy))
    fz = np.where(before, az, np.where(after, route.bz[seg], fz))
    ex, ey, ez = px - fx, py - fy, pz - fz
    gx, gy, gz = fx - ax, fy - ay, fz - az
    return np.sqrt(ex * ex + ey * ey + ez * ez), np.sqrt(gx * gx + gy * gy + gz * gz)


def _behind_start(
    px: FloatArray | float, py: FloatArray | float, pz: FloatArray | float, route: Route, seg: IntArray | int
) -> BoolArray:
    """Whether a station matched to ``seg`` lies behind the route's start (not just beside it).

    Its closest point is then the start vertex itself (the foot is clamped there), so it would measure
    0 km from the start: a phone that sends its route from its GPS fix would be shown the service area
    it has just passed. The ``before`` test of :func:`_project`, elementwise, so both paths agree.
    """
    first = route.first_segment
    wx, wy, wz = px - route.ax[first], py - route.ay[first], pz - route.az[first]
    # Beyond a 1 µm tie: a station square beside the start (dot ~ ±1e-13) is beside it, not behind.
    before = wx * route.ux[first] + wy * route.uy[first] + wz * route.uz[first] < -_TIE_KM
    return np.asarray((np.asarray(seg) == first) & before, dtype=np.bool_)


def _arc_km(chord_km: float) -> float:
    # Chord to great-circle km. math.asin rather than np.arcsin: numpy's SIMD and scalar loops may
    # round differently, and both search paths must produce the same bits.
    return 2.0 * EARTH_RADIUS_KM * math.asin(min(1.0, chord_km / (2.0 * EARTH_RADIUS_KM)))


def _nearest_segment(offsets: FloatArray) -> int:
    """Index of the closest segment; near-ties go to the earliest along the route."""
    return int(np.flatnonzero(offsets <= offsets.min() + _TIE_KM)[0])


def _position(route: Route, seg: int, chord_from_start_km: float) -> tuple[float, float, float]:
    """(km from route start, seconds from route start, fraction of segment) of a projected point."""
    seg_km = float(route.seg_km[seg])
    arc = min(_arc_km(chord_from_start_km), seg_km)
    frac = arc / seg_km
    return float(route.cum_km[seg]) + arc, float(route.cum_seconds[seg]) + frac * float(route.seg_seconds[seg]), frac


def locate(route: Route, lon: float, lat: float) -> RouteLocation:
    """Project a point onto the route (closest segment, earliest on ties). Raises RouteInputError."""
    _check_point(lon, lat)
    px, py, pz = (float(c) for c in _ecef(lon, lat))
    off, along = _project(px, py, pz, route, slice(None))
    off = np.where(route.usable, off, np.inf)
    seg = _nearest_segment(off)
    km, seconds, frac = _position(route, seg, float(along[seg]))
    return RouteLocation(km=km, seconds=seconds, offset_m=_arc_km(float(off[seg])) * 1000.0, segment=seg, fraction=frac)


@dataclass(frozen=True, slots=True)
class _Rules:
    expressway_km: float
    offroad_km: float
    # The same corridors as chord lengths, the unit _project measures offsets in.
    expressway_chord_km: float
    offroad_chord_km: float
    min_seconds: float
    max_seconds: float
    detour_speed_kmh: float

    def detour(self, expressway: bool, offset_km: float) -> tuple[float, float]:
        """(km, minutes): out to an off-road site and back at detour speed; 0 for a service area."""
        detour_km = 0.0 if expressway else 2.0 * offset_km
        return detour_km, detour_km / self.detour_speed_kmh * 60.0


def _rules(
    expressway_corridor_m: float,
    offroad_corridor_m: float,
    min_seconds_ahead: float | None,
    max_seconds_ahead: float | None,
    detour_speed_kmh: float,
) -> _Rules:
    for name, value in (
        ("expressway_corridor_m", expressway_corridor_m),
        ("offroad_corridor_m", offroad_corridor_m),
    ):
        if not (math.isfinite(value) and value >= 0):
            raise ValueError(f"{name} must be a non-negative number")
    if not (math.isfinite(detour_speed_kmh) and detour_speed_kmh > 0):
        raise ValueError("detour_speed_kmh must be positive")
    return _Rules(
        expressway_km=expressway_corridor_m / 1000.0,
        offroad_km=offroad_corridor_m / 1000.0,
        expressway_chord_km=_arc_to_chord_km(expressway_corridor_m / 1000.0),
        offroad_chord_km=_arc_to_chord_km(offroad_corridor_m / 1000.0),
        min_seconds=-math.inf if min_seconds_ahead is None else float(min_seconds_ahead),
        max_seconds=math.inf if max_seconds_ahead is None else float(max_seconds_ahead),
        detour_speed_kmh=float(detour_speed_kmh),
    )


def _driver(route: Route, position: tuple[float, float] | None, *, fast: bool = False) -> tuple[float, float]:
    if position is None:
        return 0.0, float(route.cum_seconds[0])
    if not fast:
        here = locate(route, position[0], position[1])
        return here.km, here.seconds
    # locate over the segments near the position only: the closest segment (and any within _TIE_KM of it) has a
    # point within nearest-sample distance + sag, and every point is within the margin of a sample standing for
    # it, as in _candidate_pairs. Same elementwise projection, so the same bits as the full scan.
    _check_point(position[0], position[1])
    px, py, pz = (float(c) for c in _ecef(position[0], position[1]))
    nearest, _ = route.sample_tree.query((px, py, pz))
    radius = float(nearest) + route.max_sag_km + route.sample_margin_km + _RADIUS_SLACK_KM
    samples = np.asarray(route.sample_tree.query_ball_point((px, py, pz), radius), dtype=np.intp)
    first, last = route.sample_first[samples], route.sample_last[samples]
    count = last - first + 1
    segs = np.repeat(first - (np.cumsum(count) - count), count) + np.arange(int(count.sum()))
    segs = np.unique(segs[route.usable[segs]])  # ascending: ties go to the earliest, as in locate
    off, along = _project(px, py, pz, route, segs)
    best = _nearest_segment(off)
    km, seconds, _ = _position(route, int(segs[best]), float(along[best]))
    return km, seconds


def _candidate_pairs(tree: cKDTree, rows: IntArray, route: Route, corridor_km: float) -> tuple[IntArray, IntArray]:
    """(station row, segment) pairs that may lie within the corridor: a superset of the true ones."""
    if not len(rows):
        empty = np.empty(0, dtype=np.intp)
        return empty, empty
    radius = corridor_km + route.sample_margin_km + _RADIUS_SLACK_KM
    pairs = tree.sparse_distance_matrix(route.sample_tree, radius, output_type="ndarray")
    station, sample, dist = pairs["i"], pairs["j"], pairs["v"]
    # The closest segment is at most nearest-sample distance + sag away, and its sample at most a
    # margin further: drop samples beyond that. Cuts wide (5-10 km) off-road corridors to the near side.
    nearest = np.full(len(rows), np.inf)
    np.minimum.at(nearest, station, dist)
    near = dist <= nearest[station] + route.max_sag_km + route.sample_margin_km + _RADIUS_SLACK_KM
    station, sample = station[near], sample[near]
    # Expand each (station, sample) pair to the sample's run of segments.
    first = route.sample_first[sample]
    count = route.sample_last[sample] - first + 1
    run_start = np.cumsum(count) - count
    segs = np.repeat(first - run_start, count) + np.arange(int(count.sum()))
    return np.repeat(rows[station], count), segs


def along_route(
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
    """Stations ahead of the driver within the corridors, ordered by km ahead then id.

    Each station is projected onto its closest route segment (ties: earliest). Expressway halves need
    ``offset <= expressway_corridor_m`` and a matching carriageway (±60°) unless linked or
    direction-agnostic; off-road sites need ``offset <= offroad_corridor_m``. Stations projecting
    behind the driver's projected ``position`` (route start when None) and those outside
    ``[min_seconds_ahead, max_seconds_ahead]`` are dropped, and so are those behind the route's start
    (closest to its first point, but on the far side of it), which would otherwise read 0 km ahead;
    ``keep_behind_start`` keeps them at 0 km, for coverage of a line rather than a drive along it.
    Detour is an estimate: 2 × offset at ``detour_speed_kmh`` for off-road sites, 0 for service areas
    (they sit on the carriageway).
    Raises RouteInputError for a bad position, ValueError for bad parameters.
    """
    rules = _rules(expressway_corridor_m, offroad_corridor_m, min_seconds_ahead, max_seconds_ahead, detour_speed_kmh)
    driver_km, driver_s = _driver(route, position, fast=True)

    e_rows, e_segs = _candidate_pairs(index.expressway_tree, index.expressway_rows, route, rules.expressway_km)
    o_rows, o_segs = _candidate_pairs(index.offroad_tree, index.offroad_rows, route, rules.offroad_km)
    rows = np.concatenate([e_rows, o_rows])
    segs = np.concatenate([e_segs, o_segs])
    return _hits_from_pairs(index, route, rules, rows, segs, driver_km, driver_s, keep_behind_start)


def _hits_from_pairs(
    index: StationIndex,
    route: Route,
    rules: _Rules,
    rows: IntArray,
    segs: IntArray,
    driver_km: float,
    driver_s: float,
    keep_behind_start: bool,
) -> list[RouteHit]:
    """The exact part of :func:`along_route` over candidate (station row, segment) pairs, a superset of the true
    ones in any order, with repeats: shared with the STRtree baseline (chelun.stations.routing_strtree)."""
    # Neighbouring samples list overlapping segments: dedupe on a (row, segment) key, which also
    # sorts pairs by row and then by segment for the grouping below. Sort + mask, not np.unique:
    # its hash-based path measured ~10x slower than a sort on 50k keys.
    n_seg = route.segment_count
    keys = np.sort(rows.astype(np.intp) * n_seg + segs)
    keys = keys[np.flatnonzero(np.diff(keys, prepend=-1))]
    rows, segs = keys // n_seg, keys % n_seg
    usable = route.usable[segs]
    rows, segs = rows[usable], segs[usable]
    if not len(rows):
        return []

    off, along = _project(index.x[rows], index.y[rows], index.z[rows], route, segs)
    # Per station: minimum offset, then the first (= earliest) segment within _TIE_KM of it.
    starts = np.flatnonzero(np.concatenate([[True], rows[1:] != rows[:-1]]))
    counts = np.diff(np.append(starts, len(rows)))
    near = np.flatnonzero(off <= np.repeat(np.minimum.reduceat(off, starts), counts) + _TIE_KM)
    near_rows = rows[near]
    best = near[np.concatenate([[True], near_rows[1:] != near_rows[:-1]])]
    rows, segs, off, along = rows[best], segs[best], off[best], along[best]

    # Corridor and carriageway, vectorised; what survives is a few hundred stations at most.
    is_expressway = index.is_expressway[rows]
    keep = off <= np.where(is_expressway, rules.expressway_chord_km, rules.offroad_chord_km)
    dot = index.bearing_east[rows] * route.bearing_east[segs] + index.bearing_north[rows] * route.bearing_north[segs]
    keep &= ~index.checks_bearing[rows] | (dot >= _CARRIAGEWAY_MIN_DOT)
    if not keep_behind_start:
        keep &= ~_behind_start(index.x[rows], index.y[rows], index.z[rows], route, segs)
    # Exact bounds before the per-station asin below (km and seconds only grow along a segment): a segment that
    # ends behind the driver, or starts beyond the time window, cannot give a hit. Slack keeps them conservative.
    keep &= route.cum_km[segs + 1] >= driver_km - _RADIUS_SLACK_KM
    keep &= route.cum_seconds[segs] - driver_s <= rules.max_seconds + _RADIUS_SLACK_KM
    rows, segs, is_expressway = rows[keep], segs[keep], is_expressway[keep]

    # Position along the route: the same formulas as _position and routing_baselines._make_hit, in the same order, so
    # the numbers match the baseline bit for bit (asin via math on the few survivors, see _arc_km).
    offset_km = np.array([_arc_km(v) for v in off[keep].tolist()], dtype=np.float64)
    arc = np.minimum(np.array([_arc_km(v) for v in along[keep].tolist()], dtype=np.float64), route.seg_km[segs])
    km_ahead = route.cum_km[segs] + arc - driver_km
    seconds_ahead = route.cum_seconds[segs] + arc / route.seg_km[segs] * route.seg_seconds[segs] - driver_s
    keep = (km_ahead >= 0.0) & (seconds_ahead >= rules.min_seconds) & (seconds_ahead <= rules.max_seconds)

    ids, segs, offset_km, is_expressway = index.ids[rows[keep]], segs[keep], offset_km[keep], is_expressway[keep]
    km_ahead, seconds_ahead = km_ahead[keep], seconds_ahead[keep]
    detour_km = np.where(is_expressway, 0.0, 2.0 * offset_km)
    detour_minutes = detour_km / rules.detour_speed_kmh * 60.0
    offset_m = offset_km * 1000.0
    order = np.lexsort((ids, km_ahead)).tolist()
    return [
        RouteHit(
            station_id=station_id,
            km_ahead=k,
            seconds_ahead=sec,
            offset_m=m,
            detour_km=dk,
            detour_minutes=dm,
            segment=seg,
        )
        for station_id, k, sec, m, dk, dm, seg in zip(
            ids[order].tolist(),
            km_ahead[order].tolist(),
            seconds_ahead[order].tolist(),
            offset_m[order].tolist(),
            detour_km[order].tolist(),
            detour_minutes[order].tolist(),
            segs[order].tolist(),
            strict=True,
        )
    ]
