"""Pure geographic helpers: distances, polylines, GeoJSON, GCJ-02 and route checks.

Everything here takes and returns plain values (floats, tuples, lists, numpy
arrays) so it can be used from views, tasks and scripts without Django.

Coordinates are always ordered ``(lon, lat)`` like GeoJSON, even where the
wire format (Google polyline) stores latitude first.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Sequence

import numpy as np
import numpy.typing as npt
import shapely

__all__ = [
    "EARTH_RADIUS_KM",
    "GeoInputError",
    "decode_polyline",
    "decode_polyline_array",
    "destination_point",
    "encode_polyline",
    "gcj02_to_wgs84",
    "haversine_km",
    "haversine_km_array",
    "initial_bearing_deg",
    "interpolate_great_circle",
    "out_of_china",
    "parse_geojson_linestring",
    "route_is_self_intersecting",
    "validate_china_point",
    "wgs84_to_gcj02",
]

Point = tuple[float, float]

# Mean Earth radius (IUGG R1, rounded). Haversine on a sphere is ~0.5 % off the
# ellipsoid anyway, so the exact constant matters less than being consistent.
EARTH_RADIUS_KM = 6371.0


class GeoInputError(ValueError):
    """Invalid geographic input.

    ``message`` is user-facing (Chinese); ``code`` is a stable machine-readable key.
    """

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


# --------------------------------------------------------------------------
# Distances
# --------------------------------------------------------------------------


def haversine_km(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance in kilometres between two (lon, lat) points in degrees."""
    phi1 = math.radians(lat1)
    phi2 = math.radians(lat2)
    dphi = phi2 - phi1
    dlmb = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    # Near antipodes rounding can leave ``a`` an ulp or two above 1; clamp so
    # sqrt/asin can never leave their domain whatever the inputs.
    a = min(1.0, max(0.0, a))
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


def haversine_km_array(
    lon: npt.ArrayLike,
    lat: npt.ArrayLike,
    lon0: float,
    lat0: float,
) -> npt.NDArray[np.float64]:
    """Vectorised :func:`haversine_km` from each (lon[i], lat[i]) to (lon0, lat0).

    ``lon`` and ``lat`` may be any array-likes that broadcast together; the
    result has their broadcast shape.
    """
    lon_r = np.radians(np.asarray(lon, dtype=np.float64))
    lat_r = np.radians(np.asarray(lat, dtype=np.float64))
    lat0_r = math.radians(lat0)
    lon0_r = math.radians(lon0)
    a = np.sin((lat_r - lat0_r) / 2) ** 2 + np.cos(lat_r) * math.cos(lat0_r) * np.sin((lon_r - lon0_r) / 2) ** 2
    a = np.clip(a, 0.0, 1.0)
    result: npt.NDArray[np.float64] = 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(a))
    return result


def initial_bearing_deg(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Initial great-circle bearing from the first point to the second, in degrees clockwise from north, [0, 360).

    The same formula chelun.stations.routing uses for a segment's heading, so a station placed with it faces the way
    the search measures. Equal points give 0.
    """
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dlmb = math.radians(lon2 - lon1)
    east = math.sin(dlmb) * math.cos(phi2)
    north = math.cos(phi1) * math.sin(phi2) - math.sin(phi1) * math.cos(phi2) * math.cos(dlmb)
    return math.degrees(math.atan2(east, north)) % 360.0


def _unit_vector(lon: float, lat: float) -> tuple[float, float, float]:
    lmb, phi = math.radians(lon), math.radians(lat)
    return math.cos(phi) * math.cos(lmb), math.cos(phi) * math.sin(lmb), math.sin(phi)


def interpolate_great_circle(lon1: float, lat1: float, lon2: float, lat2: float, fraction: float) -> Point:
    """The (lon, lat) point `fraction` of the way along the great-circle arc from the first point to the second.

    Spherical linear interpolation of the unit vectors, so the point is on the arc (a straight line in degrees
    would bow off it). `fraction` outside [0, 1] extends the arc. Points closer than ~1e-12 rad give the first one.
    """
    va, vb = _unit_vector(lon1, lat1), _unit_vector(lon2, lat2)
    omega = math.acos(max(-1.0, min(1.0, sum(p * q for p, q in zip(va, vb, strict=True)))))
    if omega < 1e-12:
        return lon1, lat1
    wa, wb = math.sin((1 - fraction) * omega) / math.sin(omega), math.sin(fraction * omega) / math.sin(omega)
    x, y, z = (wa * p + wb * q for p, q in zip(va, vb, strict=True))
    return math.degrees(math.atan2(y, x)), math.degrees(math.atan2(z, math.hypot(x, y)))


def destination_point(lon: float, lat: float, bearing_deg: float, km: float) -> Point:
    """The (lon, lat) point reached going `km` along a great circle from (lon, lat) with initial bearing
    `bearing_deg` (clockwise from north). The longitude is not wrapped: east of 180 it goes past 180."""
    phi1, lmb1 = math.radians(lat), math.radians(lon)
    theta, delta = math.radians(bearing_deg), km / EARTH_RADIUS_KM
    phi2 = math.asin(math.sin(phi1) * math.cos(delta) + math.cos(phi1) * math.sin(delta) * math.cos(theta))
    lmb2 = lmb1 + math.atan2(
        math.sin(theta) * math.sin(delta) * math.cos(phi1), math.cos(delta) - math.sin(phi1) * math.sin(phi2)
    )
    return math.degrees(lmb2), math.degrees(phi2)


# --------------------------------------------------------------------------
# Shared coordinate validation
# --------------------------------------------------------------------------


def _is_number(value: object) -> bool:
    # numbers.Real admits numpy scalars too; bool is an int subclass, but
    # ``true`` in JSON is never a coordinate.
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _check_lon_lat(lon: float, lat: float, prefix: str) -> None:
    """Raise GeoInputError unless lon/lat are finite and within WGS-84 ranges."""
    if not (math.isfinite(lon) and math.isfinite(lat)):
        raise GeoInputError("坐标必须是有限数值", f"{prefix}_not_finite")
    if not -180.0 <= lon <= 180.0:
        raise GeoInputError(f"经度 {lon} 超出范围（-180 至 180）", f"{prefix}_lon_range")
    if not -90.0 <= lat <= 90.0:
        raise GeoInputError(f"纬度 {lat} 超出范围（-90 至 90）", f"{prefix}_lat_range")


# --------------------------------------------------------------------------
# Google encoded polyline
# --------------------------------------------------------------------------

# A value needs at most ceil(bits / 5) chunks. 12 chunks (60 bits) is far more
# than any valid coordinate at precision <= 10 needs, and capping it stops a
# long run of continuation characters from building a huge Python int (DoS).
_MAX_CHUNKS_PER_VALUE = 12
_MAX_PRECISION = 10


def _check_precision(precision: int) -> int:
    if isinstance(precision, bool) or not isinstance(precision, int):
        raise GeoInputError("折线精度必须是整数", "polyline_precision")
    if not 0 <= precision <= _MAX_PRECISION:
        raise GeoInputError(f"折线精度必须在 0 到 {_MAX_PRECISION} 之间", "polyline_precision")
    factor: int = 10**precision
    return factor


def _round_half_away(value: float) -> int:
    # Google's reference encoder rounds half away from zero; Python's round()
    # is banker's rounding and would produce different strings on .5 ties.
    return int(math.copysign(math.floor(abs(value) + 0.5), value))


def decode_polyline(s: str, precision: int = 5) -> list[Point]:
    """Decode a Google encoded polyline into a list of (lon, lat) pairs.

    Raises GeoInputError(code="polyline_malformed") for characters outside the
    alphabet, truncated values or an odd number of values, and
    ``polyline_*_range`` codes when a decoded coordinate is impossible.
    """
    factor = _check_precision(precision)
    if not isinstance(s, str):
        raise GeoInputError("折线数据必须是字符串", "polyline_malformed")

    values: list[int] = []
    index = 0
    length = len(s)
    while index < length:
        result = 0
        shift = 0
        chunks = 0
        while True:
            if index >= length:
                raise GeoInputError("折线数据不完整（最后一个数值被截断）", "polyline_malformed")
            byte = ord(s[index]) - 63
            index += 1
            # Valid characters are '?' (63) .. '~' (126), i.e. 0..63 after the offset.
            if not 0 <= byte <= 63:
                raise GeoInputError(f"折线数据含有非法字符（第 {index} 个字符）", "polyline_malformed")
            chunks += 1
            if chunks > _MAX_CHUNKS_PER_VALUE:
                raise GeoInputError("折线数据中的数值过长", "polyline_malformed")
            result |= (byte & 0x1F) << shift
            shift += 5
            if byte < 0x20:
                break
        # Zig-zag decoding: the lowest bit carries the sign.
        values.append(~(result >> 1) if result & 1 else result >> 1)

    if len(values) % 2:
        raise GeoInputError("折线数据的坐标数量不成对", "polyline_malformed")

    points: list[Point] = []
    lat_acc = 0
    lon_acc = 0
    # Values are deltas from the previous point, latitude first.
    for i in range(0, len(values), 2):
        lat_acc += values[i]
        lon_acc += values[i + 1]
        lon = lon_acc / factor
        lat = lat_acc / factor
        _check_lon_lat(lon, lat, "polyline")
        points.append((lon, lat))
    return points


def decode_polyline_array(s: str, precision: int = 5) -> npt.NDArray[np.float64]:
    """decode_polyline as an (n, 2) array of (lon, lat), vectorised (a 5,000-point route in ~1 ms instead of ~10).

    Gives the same values as decode_polyline; any input the fast path does not accept outright is handed to
    decode_polyline, so errors carry exactly its messages and codes.
    """
    factor = _check_precision(precision)
    if not isinstance(s, str):
        raise GeoInputError("折线数据必须是字符串", "polyline_malformed")
    if not s:
        return np.empty((0, 2))

    def reference() -> npt.NDArray[np.float64]:
        return np.asarray(decode_polyline(s, precision), dtype=np.float64).reshape(-1, 2)

    try:
        chunk = np.frombuffer(s.encode("ascii"), dtype=np.uint8).astype(np.int64) - 63
    except UnicodeEncodeError:
        chunk = None
    if chunk is None or chunk.min() < 0 or chunk.max() > 63 or chunk[-1] >= 0x20:
        return reference()
    last = chunk < 0x20  # the final chunk of each value
    starts = np.flatnonzero(np.concatenate(([True], last[:-1])))
    value_of = np.cumsum(np.concatenate(([0], last[:-1])))
    shift = np.arange(len(chunk)) - starts[value_of]  # chunk number within its value
    if len(starts) % 2 or shift.max() >= _MAX_CHUNKS_PER_VALUE:
        return reference()
    raw = np.bitwise_or.reduceat((chunk & 0x1F) << (5 * shift), starts)
    values = np.where(raw & 1, ~(raw >> 1), raw >> 1)
    lat_acc, lon_acc = np.cumsum(values[0::2]), np.cumsum(values[1::2])
    # Beyond 2**53 the int -> float conversion would round differently from Python's int / int; such values are
    # far out of range anyway, so let decode_polyline report them.
    if np.abs(lat_acc).max() > 2**53 or np.abs(lon_acc).max() > 2**53:
        return reference()
    points = np.column_stack((lon_acc / factor, lat_acc / factor))
    if (np.abs(points[:, 0]) > 180.0).any() or (np.abs(points[:, 1]) > 90.0).any():
        return reference()
    return points


def _encode_signed(value: int, out: list[str]) -> None:
    # Zig-zag encode, then emit 5-bit chunks, low bits first, 0x20 = "more follows".
    value = ~(value << 1) if value < 0 else value << 1
    while value >= 0x20:
        out.append(chr((0x20 | (value & 0x1F)) + 63))
        value >>= 5
    out.append(chr(value + 63))


def encode_polyline(points: Iterable[Sequence[float]], precision: int = 5) -> str:
    """Encode (lon, lat) pairs as a Google encoded polyline string."""
    factor = _check_precision(precision)
    out: list[str] = []
    prev_lat = 0
    prev_lon = 0
    for point in points:
        if len(point) != 2 or not all(_is_number(v) for v in point):
            raise GeoInputError("每个坐标点必须是两个数值（经度, 纬度）", "polyline_point")
        lon, lat = float(point[0]), float(point[1])
        _check_lon_lat(lon, lat, "polyline")
        # Round absolute values and encode the difference of the rounded
        # integers, so rounding error does not accumulate along the line.
        lat_i = _round_half_away(lat * factor)
        lon_i = _round_half_away(lon * factor)
        _encode_signed(lat_i - prev_lat, out)
        _encode_signed(lon_i - prev_lon, out)
        prev_lat, prev_lon = lat_i, lon_i
    return "".join(out)


# --------------------------------------------------------------------------
# GeoJSON
# --------------------------------------------------------------------------


def parse_geojson_linestring(obj: object) -> list[Point]:
    """Validate a GeoJSON LineString geometry and return its (lon, lat) pairs.

    A third (altitude) member of a position is allowed by RFC 7946 and dropped.
    Error codes: geojson_not_object, geojson_type, geojson_coordinates,
    geojson_position, geojson_not_number, geojson_not_finite,
    geojson_lon_range, geojson_lat_range, geojson_too_few_points.
    """
    if not isinstance(obj, dict):
        raise GeoInputError("路线数据必须是 GeoJSON 对象", "geojson_not_object")
    if obj.get("type") != "LineString":
        raise GeoInputError("路线的 GeoJSON 类型必须是 LineString", "geojson_type")
    coords = obj.get("coordinates")
    if not isinstance(coords, list):
        raise GeoInputError("路线缺少坐标数组（coordinates）", "geojson_coordinates")

    points: list[Point] = []
    for i, position in enumerate(coords, start=1):
        if not isinstance(position, list) or len(position) not in (2, 3):
            raise GeoInputError(f"第 {i} 个坐标点格式错误，应为 [经度, 纬度]", "geojson_position")
        if not all(_is_number(v) for v in position):
            raise GeoInputError(f"第 {i} 个坐标点含有非数值内容", "geojson_not_number")
        lon, lat = float(position[0]), float(position[1])
        _check_lon_lat(lon, lat, "geojson")
        points.append((lon, lat))

    # Repeated points are harmless, but a "line" that never moves is not a route.
    if len(set(points)) < 2:
        raise GeoInputError("路线至少需要两个不同的坐标点", "geojson_too_few_points")
    return points


# --------------------------------------------------------------------------
# GCJ-02 ("Mars coordinates") <-> WGS-84
# --------------------------------------------------------------------------

# Krasovsky 1940 ellipsoid, as used by the published GCJ-02 approximation.
_GCJ_A = 6378245.0
_GCJ_EE = 0.00669342162296594323

_CHINA_LON_MIN = 72.004
_CHINA_LON_MAX = 137.8347
_CHINA_LAT_MIN = 0.8293
_CHINA_LAT_MAX = 55.8271
# (lon_min, lat_min, lon_max, lat_max), for callers that check many points at once.
CHINA_BBOX = (_CHINA_LON_MIN, _CHINA_LAT_MIN, _CHINA_LON_MAX, _CHINA_LAT_MAX)


def out_of_china(lon: float, lat: float) -> bool:
    """True if the point is outside the rough China bounding box used by GCJ-02 tools.

    The box is deliberately coarse (it includes parts of neighbouring
    countries); it only decides whether the GCJ-02 offset is applied.
    """
    # A positive "inside" test, so NaN (every comparison False) counts as outside.
    inside = _CHINA_LON_MIN <= lon <= _CHINA_LON_MAX and _CHINA_LAT_MIN <= lat <= _CHINA_LAT_MAX
    return not inside


def _transform_lat(x: float, y: float) -> float:
    ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (160.0 * math.sin(y / 12.0 * math.pi) + 320.0 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    return ret


def _transform_lon(x: float, y: float) -> float:
    ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    return ret


def _gcj_delta(lon: float, lat: float) -> Point:
    """GCJ-02 offset (dlon, dlat) in degrees for a WGS-84 point."""
    dlat = _transform_lat(lon - 105.0, lat - 35.0)
    dlon = _transform_lon(lon - 105.0, lat - 35.0)
    rad_lat = math.radians(lat)
    magic = 1 - _GCJ_EE * math.sin(rad_lat) ** 2
    sqrt_magic = math.sqrt(magic)
    dlat = (dlat * 180.0) / ((_GCJ_A * (1 - _GCJ_EE)) / (magic * sqrt_magic) * math.pi)
    dlon = (dlon * 180.0) / (_GCJ_A / sqrt_magic * math.cos(rad_lat) * math.pi)
    return dlon, dlat


def wgs84_to_gcj02(lon: float, lat: float) -> Point:
    """Convert WGS-84 (GPS) to GCJ-02 (Amap/Tencent maps); identity outside China."""
    if out_of_china(lon, lat):
        return lon, lat
    dlon, dlat = _gcj_delta(lon, lat)
    return lon + dlon, lat + dlat


# The offset field is smooth (gradient << 1), so fixed-point iteration converges
# geometrically; a handful of steps reach 1e-12 deg. The cap only guards odd input.
_GCJ_INVERSE_TOL_DEG = 1e-12
_GCJ_INVERSE_MAX_ITER = 30


def gcj02_to_wgs84(lon: float, lat: float) -> Point:
    """Convert GCJ-02 back to WGS-84 by iterating the forward transform.

    The one-step "subtract the offset" inverse used by many snippets is only
    good to a few metres; iterating brings the round trip well under 1e-6 deg.
    """
    if out_of_china(lon, lat):
        return lon, lat
    wgs_lon, wgs_lat = lon, lat
    for _ in range(_GCJ_INVERSE_MAX_ITER):
        gcj_lon, gcj_lat = wgs84_to_gcj02(wgs_lon, wgs_lat)
        err_lon = gcj_lon - lon
        err_lat = gcj_lat - lat
        wgs_lon -= err_lon
        wgs_lat -= err_lat
        if abs(err_lon) < _GCJ_INVERSE_TOL_DEG and abs(err_lat) < _GCJ_INVERSE_TOL_DEG:
            break
    return wgs_lon, wgs_lat


def validate_china_point(lon: float, lat: float) -> None:
    """Raise GeoInputError unless (lon, lat) is a finite point inside the China bbox."""
    if not (_is_number(lon) and _is_number(lat)):
        raise GeoInputError("坐标必须是数值", "invalid_coordinate")
    if not (math.isfinite(lon) and math.isfinite(lat)):
        raise GeoInputError("坐标必须是有限数值", "invalid_coordinate")
    if out_of_china(lon, lat):
        raise GeoInputError(
            f"坐标（经度 {lon}，纬度 {lat}）不在中国境内，请检查经纬度是否填反",
            "outside_china",
        )


# --------------------------------------------------------------------------
# Route geometry
# --------------------------------------------------------------------------


def route_is_self_intersecting(points: Sequence[Sequence[float]] | npt.NDArray[np.float64]) -> bool:
    """True if the route crosses or overlaps itself (shapely ``is_simple`` is False).

    Note: retracing a road (A -> B -> A) counts as self-intersecting, while a
    closed loop that only meets itself at its start/end point does not.
    """
    coords = np.asarray(points, dtype=np.float64)
    if coords.ndim != 2 or len(coords) < 2 or not (coords != coords[0]).any():
        raise GeoInputError("路线至少需要两个不同的坐标点", "too_few_points")
    return not bool(shapely.linestrings(coords).is_simple)
