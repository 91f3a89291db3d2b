"""route_input: a pasted route in Amap's "lng,lat" list (newlines or semicolons), GeoJSON, GPX or an encoded
polyline is recognised and read; whatever cannot be read is named in Chinese. No database."""

import json

import pytest

from chelun.core.geo import encode_polyline
from chelun.stations.route_input import RouteInputError, detect_format, parse_route_text

LINE = [(104.06, 30.66), (104.1, 30.7), (104.2, 30.75)]


def gpx(points, tag="trkpt"):
    body = "".join(f'<{tag} lat="{lat}" lon="{lon}"><ele>500</ele></{tag}>' for lon, lat in points)
    wrap = ("<trk><trkseg>", "</trkseg></trk>") if tag == "trkpt" else ("<rte>", "</rte>")
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<gpx version="1.1" creator="test" '
        f'xmlns="http://www.topografix.com/GPX/1/1">{wrap[0]}{body}{wrap[1]}</gpx>'
    )


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("104.06,30.66;104.1,30.7;104.2,30.75", "lnglat"),
        ("104.06,30.66\n104.1,30.7\n104.2,30.75\n", "lnglat"),
        ("104.06,30.66；104.1，30.7\r\n104.2,30.75;", "lnglat"),  # full-width separators from a Chinese keyboard
        (json.dumps({"type": "LineString", "coordinates": [list(p) for p in LINE]}), "geojson"),
        (gpx(LINE), "gpx"),
        (gpx(LINE, tag="rtept"), "gpx"),
        (encode_polyline(LINE), "polyline"),
    ],
)
def test_each_format_is_detected_and_read(text, kind):
    route = parse_route_text(text)

    assert detect_format(text) == kind
    assert route.format == kind
    assert [(round(lon, 6), round(lat, 6)) for lon, lat in route.points] == LINE


def test_geojson_feature_collections_and_multilines_are_joined_in_order():
    collection = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "geometry": {"type": "Point", "coordinates": [1, 2]}},
            {"type": "Feature", "geometry": {"type": "LineString", "coordinates": [list(LINE[0]), list(LINE[1])]}},
            {
                "type": "Feature",
                "geometry": {"type": "MultiLineString", "coordinates": [[list(LINE[2]), [104.3, 30.8]]]},
            },
        ],
    }

    assert parse_route_text(json.dumps(collection)).points == [*LINE, (104.3, 30.8)]


def message_for(text):
    with pytest.raises(RouteInputError) as caught:
        parse_route_text(text)
    return caught.value.message, caught.value.code


def test_bad_points_in_a_list_are_named_by_position_and_fault():
    text = "104.06,30.66\n30.7,104.1\nabc\n104.2,30.75\n200,30"

    assert message_for(text) == (
        "5 个点中有 3 个无法读取：第 2 个点“30.7,104.1”像是“纬度,经度”，请把经度写在前面；"
        "第 3 个点“abc”不是“经度,纬度”；"
        "第 5 个点“200,30”超出经纬度范围（经度 −180～180，纬度 −90～90）。"
        "每个点写作“经度,纬度”，点与点之间换行或用分号隔开",
        "lnglat_invalid",
    )


def test_more_than_three_bad_points_are_counted_not_listed():
    message, _ = message_for(";".join(["x,y"] * 5 + ["104.06,30.66"]))

    assert message.startswith("6 个点中有 5 个无法读取：第 1 个点“x,y”不是“经度,纬度”；")
    assert "第 4 个点" not in message and "；另有 2 个点有误。" in message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ("请粘贴路线数据", "route_empty")),
        (
            "从成都到西昌",
            (
                "无法识别路线格式。请粘贴“经度,纬度”列表（每行一个点，或用分号隔开）、GeoJSON、GPX 或编码折线",
                "route_format_unknown",
            ),
        ),
        (
            '{"type": "Point", "coordinates": [104, 30]}',
            ("GeoJSON 中没有线路（LineString 或 MultiLineString）", "geojson_type"),
        ),
        (
            '{"type": "LineString",\n "coordinates": [[104, 30],',
            ("GeoJSON 格式有误，无法解析（第 2 行附近）", "geojson_invalid"),
        ),
        ("<gpx><trk><trkpt lat='30'></gpx>", ("GPX 格式有误，无法解析（第 1 行附近）", "gpx_invalid")),
        ("<gpx><wpt lat='30' lon='104'/></gpx>", ("GPX 中没有轨迹点（trkpt）或路线点（rtept）", "gpx_no_points")),
        (
            "<gpx><trk><trkseg><trkpt lat='30' lon='104'/><trkpt lat='x' lon='104.1'/><trkpt lon='104.2'/>"
            "</trkseg></trk></gpx>",
            ("GPX 的 3 个点中有 2 个缺少或写错 lat/lon 属性（第 2、3 个）", "gpx_point_invalid"),
        ),
        ('<!DOCTYPE lolz [<!ENTITY lol "lol">]><gpx/>', ("GPX 文件不能含有 DOCTYPE 或实体声明", "gpx_invalid")),
        ("104.0,30.5;104.0,30.5", ("路线至少需要两个不同的点（这段“经度,纬度”列表中有 1 个）", "route_too_few_points")),
    ],
)
def test_unreadable_input_says_what_is_wrong(text, expected):
    assert message_for(text) == expected


def test_a_polyline_with_a_typo_is_read_as_a_polyline_and_the_bad_character_named():
    message, code = message_for("_p~iF~ps|U_ulLnnqC_mqNvxq`@!!")

    assert code == "polyline_malformed"
    assert message.startswith("编码折线：折线数据含有非法字符（第 ")
