"""The route page says how far from the road a station may be, lets the driver widen it, and says which format it
read a pasted route in."""

import shapely
from django.urls import reverse
from shapely.ops import nearest_points

from chelun.core.geo import haversine_km
from chelun.stations import selectors
from chelun.stations.corridors import corridor_points
from chelun.stations.tests.factories import make_station
from chelun.stations.tests.test_pages import G5_CHENGDU_XICHANG, point_along, route_params


def gpx(points):
    body = "".join(f'<trkpt lat="{lat}" lon="{lon}"/>' for lon, lat in points)
    return f'<gpx xmlns="http://www.topografix.com/GPX/1/1"><trk><trkseg>{body}</trkseg></trk></gpx>'


def names(response):
    return [row.station.name for row, _ in response.context["rows"]]


def test_the_page_says_how_far_from_the_road_and_offers_wider(client, sichuan):
    page = client.get(reverse("stations:route"))

    assert "（服务区须在路线 300 米内；路外站点要下道绕行，默认 5 公里内，可放宽）" in page.text
    assert '<input type="radio" name="offroad_km" value="5" checked><span>5 公里</span>' in page.text
    assert '<input type="radio" name="offroad_km" value="20"><span>20 公里</span>' in page.text


def test_widening_the_off_road_distance_finds_a_station_further_off(client, tree):
    selectors.search_catalog.clear()
    line = corridor_points(*G5_CHENGDU_XICHANG)
    lon, lat = point_along(line, 120)
    far = (lon + 0.16, lat)  # east of a road running south-west
    off_km = haversine_km(*far, *nearest_points(shapely.LineString(line), shapely.Point(far))[0].coords[0])
    assert 5 < off_km < 10
    make_station(org=tree.wuhou_branch, name="路外暖心之家", lon=far[0], lat=far[1])

    default = client.get(reverse("stations:route"), route_params())
    wider = client.get(reverse("stations:route"), route_params(offroad_km="10"))

    assert names(default) == []
    assert names(wider) == ["路外暖心之家"]
    assert "服务区在路线 300 米内，路外站点在 10 公里内，找不到合适的可在上方放宽。" in wider.text
    assert '<input type="radio" name="offroad_km" value="10" checked>' in wider.text


def test_an_off_road_distance_not_offered_is_refused(client, sichuan):
    response = client.get(reverse("stations:route"), route_params(offroad_km="500"))

    assert response.status_code == 422
    assert "请选择 5、10 或 20 公里" in response.text


def test_a_pasted_gpx_route_is_read_and_its_format_said(client, sichuan):
    line = corridor_points(*G5_CHENGDU_XICHANG)

    response = client.get(reverse("stations:route"), {"mode": "paste", "route_text": gpx(line)})

    assert response.status_code == 200
    assert "已按GPX读取路线；服务区在路线 300 米内，路外站点在 5 公里内" in response.text


def test_a_pasted_list_with_a_swapped_point_names_it(client, sichuan):
    text = "104.06,30.66\n30.5,103.9\n103.8,30.4"

    response = client.get(reverse("stations:route"), {"mode": "paste", "route_text": text})

    assert response.status_code == 422
    assert "第 2 个点“30.5,103.9”像是“纬度,经度”，请把经度写在前面" in response.text
