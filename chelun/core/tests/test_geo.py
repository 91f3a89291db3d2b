"""Tests for chelun.core.geo (pure, no Django)."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest

from chelun.core.geo import (
    EARTH_RADIUS_KM,
    GeoInputError,
    _encode_signed,
    decode_polyline,
    decode_polyline_array,
    destination_point,
    encode_polyline,
    gcj02_to_wgs84,
    haversine_km,
    haversine_km_array,
    initial_bearing_deg,
    interpolate_great_circle,
    out_of_china,
    parse_geojson_linestring,
    route_is_self_intersecting,
    validate_china_point,
    wgs84_to_gcj02,
)

# Example from Google's "Encoded Polyline Algorithm Format" documentation,
# here in (lon, lat) order.
GOOGLE_POINTS = [(-120.2, 38.5), (-120.95, 40.7), (-126.453, 43.252)]
GOOGLE_ENCODED = "_p~iF~ps|U_ulLnnqC_mqNvxq`@"


# --- haversine --------------------------------------------------------------


def test_haversine_one_degree_of_latitude() -> None:
    assert haversine_km(0.0, 0.0, 0.0, 1.0) == pytest.approx(111.19492664455873, abs=1e-9)
    assert EARTH_RADIUS_KM * math.pi / 180 == pytest.approx(111.19492664455873, abs=1e-9)


def test_haversine_quarter_and_half_circumference() -> None:
    assert haversine_km(10.0, 0.0, 10.0, 90.0) == pytest.approx(EARTH_RADIUS_KM * math.pi / 2)
    assert haversine_km(0.0, 0.0, 180.0, 0.0) == pytest.approx(EARTH_RADIUS_KM * math.pi)


def test_haversine_antipodal_rounding() -> None:
    # For this antipodal pair the intermediate haversine term rounds to
    # 1.0000000000000002 (> 1); the result must still be half the circumference.
    expected = EARTH_RADIUS_KM * math.pi
    assert haversine_km(32.7318, 31.0574, -147.2682, -31.0574) == pytest.approx(expected)
    result = haversine_km_array([32.7318], [31.0574], -147.2682, -31.0574)
    np.testing.assert_allclose(result, [expected])


def test_haversine_zero_and_symmetric() -> None:
    assert haversine_km(104.06, 30.67, 104.06, 30.67) == 0.0
    chengdu_chongqing = haversine_km(104.0665, 30.5728, 106.5516, 29.5630)
    assert chengdu_chongqing == haversine_km(106.5516, 29.5630, 104.0665, 30.5728)
    # Straight-line Chengdu -> Chongqing is roughly 265 km.
    assert 260.0 < chengdu_chongqing < 270.0


def test_haversine_array_matches_scalar() -> None:
    lons = [104.0665, 106.5516, 0.0, 180.0]
    lats = [30.5728, 29.5630, 0.0, 0.0]
    result = haversine_km_array(lons, lats, 0.0, 0.0)
    expected = [haversine_km(lo, la, 0.0, 0.0) for lo, la in zip(lons, lats, strict=True)]
    assert result.shape == (4,)
    assert result.dtype == np.float64
    np.testing.assert_allclose(result, expected, rtol=1e-12)
    assert result[2] == 0.0
    assert result[3] == pytest.approx(EARTH_RADIUS_KM * math.pi)


def test_haversine_array_broadcasts_2d() -> None:
    lon = np.array([[0.0, 0.0], [0.0, 0.0]])
    lat = np.array([[0.0, 1.0], [2.0, 3.0]])
    result = haversine_km_array(lon, lat, 0.0, 0.0)
    np.testing.assert_allclose(result, np.array([[0.0, 1.0], [2.0, 3.0]]) * 111.19492664455873)


# --- bearing, interpolation, destination --------------------------------------

ONE_DEGREE_KM = 111.19492664455873  # one degree of a great circle on the EARTH_RADIUS_KM sphere


@pytest.mark.parametrize(
    ("to", "expected"),
    [((0.0, 1.0), 0.0), ((1.0, 0.0), 90.0), ((0.0, -1.0), 180.0), ((-1.0, 0.0), 270.0), ((0.0, 0.0), 0.0)],
)
def test_initial_bearing_of_the_four_directions_and_of_no_move(to: tuple[float, float], expected: float) -> None:
    assert initial_bearing_deg(0.0, 0.0, *to) == pytest.approx(expected, abs=1e-12)


def test_initial_bearing_is_not_the_reverse_course_plus_180_away_from_the_equator() -> None:
    # Chengdu -> Chongqing heads east-south-east; on a great circle the way back is not simply +180°. Expected values
    # from projecting the chord onto the local east/north vectors (numpy cross products), an independent method.
    there = initial_bearing_deg(104.0665, 30.5728, 106.5516, 29.5630)
    back = initial_bearing_deg(106.5516, 29.5630, 104.0665, 30.5728)
    assert there == pytest.approx(114.524826, abs=1e-6)
    assert back == pytest.approx(295.770120, abs=1e-6)
    assert back - there - 180.0 == pytest.approx(1.245294, abs=1e-6)


def test_interpolate_great_circle_ends_and_equator_midpoint() -> None:
    assert interpolate_great_circle(104.0, 30.0, 106.0, 29.0, 0.0) == pytest.approx((104.0, 30.0), abs=1e-12)
    assert interpolate_great_circle(104.0, 30.0, 106.0, 29.0, 1.0) == pytest.approx((106.0, 29.0), abs=1e-12)
    assert interpolate_great_circle(0.0, 0.0, 10.0, 0.0, 0.5) == pytest.approx((5.0, 0.0), abs=1e-12)


def test_interpolate_great_circle_stays_on_the_arc_not_on_the_straight_line_in_degrees() -> None:
    # Between two points at 60°N the great circle bulges poleward: its midpoint (the normalised sum of the two unit
    # vectors) is at 61.5188°N.
    lon, lat = interpolate_great_circle(0.0, 60.0, 40.0, 60.0, 0.5)
    assert lon == pytest.approx(20.0, abs=1e-12)
    assert lat == pytest.approx(61.518762, abs=1e-6)
    whole = haversine_km(0.0, 60.0, 40.0, 60.0)
    assert haversine_km(0.0, 60.0, lon, lat) == pytest.approx(whole / 2, rel=1e-12)
    assert haversine_km(lon, lat, 40.0, 60.0) == pytest.approx(whole / 2, rel=1e-12)


def test_interpolate_great_circle_of_one_point_gives_that_point() -> None:
    assert interpolate_great_circle(104.06, 30.67, 104.06, 30.67, 0.3) == (104.06, 30.67)


def test_destination_one_degree_each_way_from_the_origin() -> None:
    assert destination_point(0.0, 0.0, 0.0, ONE_DEGREE_KM) == pytest.approx((0.0, 1.0), abs=1e-12)
    assert destination_point(0.0, 0.0, 90.0, ONE_DEGREE_KM) == pytest.approx((1.0, 0.0), abs=1e-12)
    assert destination_point(0.0, 0.0, 180.0, ONE_DEGREE_KM) == pytest.approx((0.0, -1.0), abs=1e-12)
    assert destination_point(10.0, 20.0, 45.0, 0.0) == pytest.approx((10.0, 20.0), abs=1e-12)


def test_destination_inverts_bearing_and_distance() -> None:
    start, end = (104.0665, 30.5728), (106.5516, 29.5630)
    bearing = initial_bearing_deg(*start, *end)
    reached = destination_point(*start, bearing, haversine_km(*start, *end))
    assert reached == pytest.approx(end, abs=1e-9)
    # 40 m to the right of a north-bound carriageway is 40 m east.
    lon, lat = destination_point(*start, 90.0, 0.04)
    assert haversine_km(*start, lon, lat) == pytest.approx(0.04, rel=1e-9)
    assert lat == pytest.approx(start[1], abs=1e-8)
    assert lon > start[0]


# --- polyline ---------------------------------------------------------------


def test_decode_polyline_google_example() -> None:
    assert decode_polyline(GOOGLE_ENCODED) == GOOGLE_POINTS


def test_encode_polyline_google_example() -> None:
    assert encode_polyline(GOOGLE_POINTS) == GOOGLE_ENCODED


def test_encode_polyline_single_value_example() -> None:
    # Google's worked example: -179.9832104 -> "`~oia@"; latitude 0 is the single "?".
    assert encode_polyline([(-179.9832104, 0.0)]) == "?`~oia@"


def test_polyline_empty() -> None:
    assert decode_polyline("") == []
    assert encode_polyline([]) == ""


def test_polyline_precision_6_round_trip() -> None:
    points = [(104.065735, 30.659462), (104.071234, 30.660001), (103.999999, 30.5)]
    encoded = encode_polyline(points, precision=6)
    assert encoded != encode_polyline(points, precision=5)
    assert decode_polyline(encoded, precision=6) == points


def test_encode_polyline_rounds_half_away_from_zero() -> None:
    # 0.000005 * 1e5 = 0.5 -> 1 (Python's round() would give 0).
    assert decode_polyline(encode_polyline([(0.000005, -0.000015)])) == [(0.00001, -0.00002)]


@pytest.mark.parametrize(
    "bad",
    [
        "_p~iF~ps|U_",  # last value truncated (continuation bit set)
        "_p~iF",  # a single value: odd count
        "_p~iF ps|U",  # space is below '?' (63)
        "_p~iF\x7fps|U",  # DEL is above '~' (126)
        "_p~iF~ps|U中",  # non-ASCII
        "~" * 40 + "?",  # absurdly long value
    ],
)
def test_decode_polyline_malformed(bad: str) -> None:
    with pytest.raises(GeoInputError) as exc_info:
        decode_polyline(bad)
    assert exc_info.value.code == "polyline_malformed"
    assert isinstance(exc_info.value, ValueError)


def test_decode_polyline_out_of_range() -> None:
    # Latitude 100 is well-formed as a number but not a place.
    encoded = encode_polyline([(0.0, 80.0)]) + encode_polyline([(0.0, 20.0)])
    with pytest.raises(GeoInputError) as exc_info:
        decode_polyline(encoded)
    assert exc_info.value.code == "polyline_lat_range"


def test_polyline_bad_precision() -> None:
    with pytest.raises(GeoInputError) as exc_info:
        decode_polyline(GOOGLE_ENCODED, precision=11)
    assert exc_info.value.code == "polyline_precision"


def test_encode_polyline_rejects_bad_points() -> None:
    with pytest.raises(GeoInputError) as exc_info:
        encode_polyline([(1.0, 2.0, 3.0)])
    assert exc_info.value.code == "polyline_point"
    with pytest.raises(GeoInputError) as exc_info:
        encode_polyline([(float("nan"), 2.0)])
    assert exc_info.value.code == "polyline_not_finite"
    with pytest.raises(GeoInputError) as exc_info:
        encode_polyline([(181.0, 2.0)])
    assert exc_info.value.code == "polyline_lon_range"


# --- GeoJSON ----------------------------------------------------------------


def test_parse_geojson_linestring_ok() -> None:
    obj = {
        "type": "LineString",
        "coordinates": [[104.06, 30.67], [104.07, 30.68, 512.0]],
    }
    assert parse_geojson_linestring(obj) == [(104.06, 30.67), (104.07, 30.68)]


def test_parse_geojson_linestring_ints_become_floats() -> None:
    result = parse_geojson_linestring({"type": "LineString", "coordinates": [[104, 30], [105, 31]]})
    assert result == [(104.0, 30.0), (105.0, 31.0)]
    assert all(type(v) is float for point in result for v in point)


@pytest.mark.parametrize(
    ("obj", "code"),
    [
        ([[104.0, 30.0], [105.0, 31.0]], "geojson_not_object"),
        ({"type": "Point", "coordinates": [104.0, 30.0]}, "geojson_type"),
        (
            {"type": "linestring", "coordinates": [[104.0, 30.0], [105.0, 31.0]]},
            "geojson_type",
        ),
        ({"type": "LineString"}, "geojson_coordinates"),
        ({"type": "LineString", "coordinates": "104,30"}, "geojson_coordinates"),
        (
            {"type": "LineString", "coordinates": [[104.0], [105.0, 31.0]]},
            "geojson_position",
        ),
        ({"type": "LineString", "coordinates": [104.0, 30.0]}, "geojson_position"),
        (
            {"type": "LineString", "coordinates": [["104", 30.0], [105.0, 31.0]]},
            "geojson_not_number",
        ),
        (
            {"type": "LineString", "coordinates": [[True, 30.0], [105.0, 31.0]]},
            "geojson_not_number",
        ),
        (
            {"type": "LineString", "coordinates": [[None, 30.0], [105.0, 31.0]]},
            "geojson_not_number",
        ),
        (
            {
                "type": "LineString",
                "coordinates": [[float("inf"), 30.0], [105.0, 31.0]],
            },
            "geojson_not_finite",
        ),
        (
            {"type": "LineString", "coordinates": [[190.0, 30.0], [105.0, 31.0]]},
            "geojson_lon_range",
        ),
        (
            {"type": "LineString", "coordinates": [[104.0, -91.0], [105.0, 31.0]]},
            "geojson_lat_range",
        ),
        (
            {"type": "LineString", "coordinates": [[104.0, 30.0]]},
            "geojson_too_few_points",
        ),
        ({"type": "LineString", "coordinates": []}, "geojson_too_few_points"),
        (
            {
                "type": "LineString",
                "coordinates": [[104.0, 30.0], [104.0, 30.0], [104, 30]],
            },
            "geojson_too_few_points",
        ),
    ],
)
def test_parse_geojson_linestring_errors(obj: object, code: str) -> None:
    with pytest.raises(GeoInputError) as exc_info:
        parse_geojson_linestring(obj)
    assert exc_info.value.code == code


# --- GCJ-02 -----------------------------------------------------------------

# (wgs_lon, wgs_lat, gcj_lon, gcj_lat) reference pairs published with the
# eviltransform project (Shanghai, Shenzhen, Beijing).
EVILTRANSFORM_VECTORS = [
    (121.5272106, 31.1774276, 121.531541859215, 31.17530398364597),
    (113.912316, 22.543847, 113.9171764808363, 22.540796131694766),
    (116.377817, 39.911954, 116.38404722455657, 39.91334545536069),
]


@pytest.mark.parametrize(("wlon", "wlat", "glon", "glat"), EVILTRANSFORM_VECTORS)
def test_wgs84_to_gcj02_reference_vectors(wlon: float, wlat: float, glon: float, glat: float) -> None:
    lon, lat = wgs84_to_gcj02(wlon, wlat)
    assert lon == pytest.approx(glon, abs=1e-9)
    assert lat == pytest.approx(glat, abs=1e-9)


@pytest.mark.parametrize(("wlon", "wlat", "glon", "glat"), EVILTRANSFORM_VECTORS)
def test_gcj02_to_wgs84_reference_vectors(wlon: float, wlat: float, glon: float, glat: float) -> None:
    lon, lat = gcj02_to_wgs84(glon, glat)
    assert lon == pytest.approx(wlon, abs=1e-8)
    assert lat == pytest.approx(wlat, abs=1e-8)


def test_gcj02_tiananmen_offset() -> None:
    lon, lat = wgs84_to_gcj02(116.391, 39.907)
    offset_m = haversine_km(116.391, 39.907, lon, lat) * 1000
    assert 100.0 < offset_m < 700.0
    # GCJ-02 shifts Beijing east and slightly north.
    assert lon > 116.391
    assert lat > 39.907


@pytest.mark.parametrize(
    ("lon", "lat"),
    [
        (116.391, 39.907),
        (104.0665, 30.5728),
        (87.6168, 43.8256),
        (126.6424, 45.7567),
        (110.35, 20.02),
    ],
)
def test_gcj02_round_trip_sub_decimetre(lon: float, lat: float) -> None:
    back_lon, back_lat = gcj02_to_wgs84(*wgs84_to_gcj02(lon, lat))
    assert abs(back_lon - lon) < 1e-6
    assert abs(back_lat - lat) < 1e-6
    assert haversine_km(lon, lat, back_lon, back_lat) * 1000 < 0.1


def test_gcj02_iterative_inverse_beats_one_step() -> None:
    # The naive inverse (subtract the forward offset at the GCJ point) is metres off.
    wlon, wlat = 104.0665, 30.5728
    glon, glat = wgs84_to_gcj02(wlon, wlat)
    naive_lon = glon - (wgs84_to_gcj02(glon, glat)[0] - glon)
    naive_lat = glat - (wgs84_to_gcj02(glon, glat)[1] - glat)
    naive_err_m = haversine_km(wlon, wlat, naive_lon, naive_lat) * 1000
    lon, lat = gcj02_to_wgs84(glon, glat)
    exact_err_m = haversine_km(wlon, wlat, lon, lat) * 1000
    assert naive_err_m > 0.1
    assert exact_err_m < 0.001


@pytest.mark.parametrize(("lon", "lat"), [(2.3522, 48.8566), (-74.006, 40.7128), (151.2093, -33.8688)])
def test_gcj02_outside_china_unchanged(lon: float, lat: float) -> None:
    assert wgs84_to_gcj02(lon, lat) == (lon, lat)
    assert gcj02_to_wgs84(lon, lat) == (lon, lat)


@pytest.mark.parametrize(
    ("lon", "lat", "expected"),
    [
        (104.0665, 30.5728, False),
        (72.004, 0.8293, False),  # bbox corners are inclusive
        (137.8347, 55.8271, False),
        (72.0039, 30.0, True),
        (137.8348, 30.0, True),
        (104.0, 0.8292, True),
        (104.0, 55.8272, True),
        (2.3522, 48.8566, True),
        (float("nan"), 30.0, True),
        (104.0, float("nan"), True),
    ],
)
def test_out_of_china(lon: float, lat: float, expected: bool) -> None:
    assert out_of_china(lon, lat) is expected


def test_validate_china_point_ok() -> None:
    # Passes if nothing is raised; includes the bbox corners (inclusive).
    for lon, lat in [(104.0665, 30.5728), (72.004, 0.8293), (137.8347, 55.8271)]:
        validate_china_point(lon, lat)


def test_validate_china_point_outside_swapped() -> None:
    # The classic mistake: latitude and longitude swapped.
    with pytest.raises(GeoInputError) as exc_info:
        validate_china_point(30.5728, 104.0665)
    assert exc_info.value.code == "outside_china"
    assert "不在中国境内" in exc_info.value.message


@pytest.mark.parametrize(("lon", "lat"), [(float("nan"), 30.0), (104.0, float("inf"))])
def test_validate_china_point_not_finite(lon: float, lat: float) -> None:
    with pytest.raises(GeoInputError) as exc_info:
        validate_china_point(lon, lat)
    assert exc_info.value.code == "invalid_coordinate"


# --- self-intersection ------------------------------------------------------


@pytest.mark.parametrize(
    ("points", "expected"),
    [
        ([(0.0, 0.0), (1.0, 0.0), (1.0, 1.0)], False),
        ([(0.0, 0.0), (1.0, 1.0), (1.0, 0.0), (0.0, 1.0)], True),  # bow tie crosses
        ([(0.0, 0.0), (2.0, 0.0), (2.0, 1.0), (1.0, 1.0), (1.0, -1.0)], True),
        ([(0.0, 0.0), (1.0, 0.0), (0.0, 0.0)], True),  # out and back overlaps
        (
            [(0.0, 0.0), (1.0, 0.0), (1.0, 0.0), (2.0, 0.0)],
            False,
        ),  # repeated vertex is fine
        (
            [(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 0.0)],
            False,
        ),  # closed loop only touches at ends
    ],
)
def test_route_is_self_intersecting(points: list[tuple[float, float]], expected: bool) -> None:
    assert route_is_self_intersecting(points) is expected


def test_route_is_self_intersecting_too_few_points() -> None:
    with pytest.raises(GeoInputError) as exc_info:
        route_is_self_intersecting([(1.0, 1.0), (1.0, 1.0)])
    assert exc_info.value.code == "too_few_points"


def test_decode_polyline_array_matches_decode_polyline() -> None:
    rng = random.Random(7)
    for precision in (5, 6):
        for n in (1, 2, 17, 800):
            points = [(rng.uniform(-180, 180), rng.uniform(-90, 90)) for _ in range(n)]
            encoded = encode_polyline(points, precision)
            expected = decode_polyline(encoded, precision)
            array = decode_polyline_array(encoded, precision)
            assert array.shape == (n, 2)
            assert [tuple(p) for p in array.tolist()] == expected
    assert decode_polyline_array("").shape == (0, 2)


@pytest.mark.parametrize("bad", ["_p~iF~ps|U_", "_p~iF~ps|U_ulLnnqC_mqNvxq`@!", "_p~iF~ps|", "中文", "_" * 20 + "?"])
def test_decode_polyline_array_errors_are_decode_polylines(bad: str) -> None:
    with pytest.raises(GeoInputError) as slow:
        decode_polyline(bad)
    with pytest.raises(GeoInputError) as fast:
        decode_polyline_array(bad)
    assert (fast.value.code, fast.value.message) == (slow.value.code, slow.value.message)


def test_decode_polyline_array_out_of_range_is_refused() -> None:
    chunks: list[str] = []
    for delta in (1_000_000, 1_000_000, 10_000_000, 0):  # (lat, lon) 10, 10, then lat 110
        _encode_signed(delta, chunks)
    encoded = "".join(chunks)
    with pytest.raises(GeoInputError) as slow:
        decode_polyline(encoded)
    with pytest.raises(GeoInputError) as fast:
        decode_polyline_array(encoded)
    assert fast.value.code == slow.value.code
