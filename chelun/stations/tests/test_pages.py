"""暖心之家 pages: drivers' map/list/route/station card, the operator's phone console, the province console."""

import datetime as dt
import io
import itertools
import json
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from chelun.core.geo import encode_polyline, haversine_km, wgs84_to_gcj02
from chelun.core.models import Region
from chelun.orgs.choices import Role
from chelun.orgs.tests.factories import make_user
from chelun.stations import selectors, services
from chelun.stations.choices import Amenity, FeedbackStatus, StationStatus, StatusSource
from chelun.stations.corridors import corridor_points
from chelun.stations.models import CheckIn, Feedback, Station, StationPrice, StatusReport
from chelun.stations.tests.factories import make_station

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
G5_CHENGDU_XICHANG = ("G5", "510100", "513401")


def point_along(points, km):
    """The point `km` along a polyline of (lon, lat), interpolated within the segment it falls in."""
    walked = 0.0
    for (lon1, lat1), (lon2, lat2) in itertools.pairwise(points):
        length = haversine_km(lon1, lat1, lon2, lat2)
        if walked + length >= km:
            f = (km - walked) / length
            return lon1 + f * (lon2 - lon1), lat1 + f * (lat2 - lat1)
        walked += length
    raise ValueError("beyond the end of the line")


def statuses(html):
    """The live-status lines of a page, in order."""
    return re.findall(r'data-testid="live-status">([^<]*)<', html)


def xlsx_sheets(response):
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    return {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in book.worksheets}


def minutes_ago(n):
    return timezone.now() - dt.timedelta(minutes=n)


@pytest.fixture
def operator(tree):
    return make_user("wuhou-operator", first_name="王站长")


@pytest.fixture
def wuhou_station(tree, operator):
    selectors.search_catalog.clear()
    return make_station(
        org=tree.wuhou_branch,
        name="武侯暖心之家",
        lon=104.04,
        lat=30.64,
        operators=[operator],
        truck_spaces=40,
        beds=6,
        amenities=[
            Amenity.TRUCK_PARKING,
            Amenity.SHOWER,
            Amenity.LAUNDRY,
            Amenity.BEDS,
            Amenity.HOT_MEAL,
            Amenity.TOILET,
        ],
        prices={Amenity.BEDS: 100, Amenity.HOT_MEAL: 1000, Amenity.SHOWER: 0},
        cctv=True,
        guards=True,
    )


@pytest.fixture
def jinjiang_station(tree):
    return make_station(org=tree.jinjiang_branch, name="锦江暖心之家", lon=104.10, lat=30.66)


@pytest.fixture
def synthetic_station(tree):
    station = make_station(org=tree.wuhou_branch, name="合成测试站", lon=104.05, lat=30.645)
    Station.objects.filter(pk=station.pk).update(is_demo_synthetic=True)
    return station


# ---------------------------------------------------------------------------------------------------------------
# Drivers: map and list
# ---------------------------------------------------------------------------------------------------------------


def test_home_lists_the_directory_without_synthetic_stations(
    client, wuhou_station, jinjiang_station, synthetic_station
):
    response = client.get(reverse("stations:home"))

    assert response.status_code == 200
    assert [r.station.name for r in response.context["rows"]] == ["武侯暖心之家", "锦江暖心之家"]
    assert "合成测试站" not in response.text
    assert 'id="station-map"' in response.text and 'data-basemap="/stations/basemap.geojson"' in response.text
    assert "leaflet/leaflet.js" in response.text and "js/stations-map.js" in response.text

    shown = client.get(reverse("stations:home"), {"synthetic": "1"})
    assert [r.station.name for r in shown.context["rows"]] == ["合成测试站", "武侯暖心之家", "锦江暖心之家"]


def test_near_me_is_sorted_by_distance_and_every_status_shows_its_age_and_source(
    client, operator, wuhou_station, jinjiang_station, synthetic_station
):
    services.station_status_set(actor=operator, station=wuhou_station, is_open=True, free_spaces=12, at=minutes_ago(8))

    response = client.get(reverse("stations:home"), {"lon": "104.10", "lat": "30.66", "radius": "10"})

    assert response.status_code == 200
    rows = response.context["rows"]
    assert [r.station.name for r in rows] == ["锦江暖心之家", "武侯暖心之家"]
    assert rows[1].result.distance_km == 6.16
    assert statuses(response.text) == ["状态未知 · 暂无上报", "空余车位 12 个 · 8 分钟前 · 站长"]
    markers = json.loads(re.search(r'id="station-markers" type="application/json">(.*?)</script>', response.text)[1])
    assert [(m["name"], m["state"]) for m in markers] == [("锦江暖心之家", "unknown"), ("武侯暖心之家", "available")]


def test_tapping_a_town_searches_around_it_and_filters_by_amenity(client, wuhou_station, jinjiang_station, sichuan):
    town = Region.objects.get(code="510104")  # 锦江区

    response = client.get(reverse("stations:home"), {"town": town.pk, "radius": "30", "amenities": "laundry"})

    assert response.status_code == 200
    assert response.context["centre"][2] == "锦江区"
    assert [r.station.name for r in response.context["rows"]] == ["武侯暖心之家"]  # the only one with laundry


def test_htmx_search_returns_the_results_partial(client, wuhou_station):
    response = client.get(reverse("stations:home"), {"lon": "104.04", "lat": "30.64"}, headers={"HX-Request": "true"})

    assert response.status_code == 200
    assert "<html" not in response.text
    assert 'id="station-markers"' in response.text and "武侯暖心之家" in response.text


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"lon": "2.35", "lat": "48.85"}, "不在中国境内"),
        ({"lon": "104.0"}, "位置不完整：经度和纬度需同时提供"),
        ({"lon": "东经", "lat": "30"}, "输入一个数字"),
        ({"amenities": "helipad"}, "helipad"),
    ],
)
def test_bad_near_me_input_gets_a_chinese_message_not_a_500(client, wuhou_station, params, message):
    response = client.get(reverse("stations:home"), params)

    assert response.status_code == 422
    assert message in response.text
    assert response.context["rows"] == []


def test_stale_status_shows_unknown_not_a_count(client, operator, wuhou_station):
    services.station_status_set(actor=operator, station=wuhou_station, is_open=True, free_spaces=12, at=minutes_ago(90))

    response = client.get(reverse("stations:detail", args=[wuhou_station.pk]))

    assert response.status_code == 200
    [status] = statuses(response.text)
    assert status.startswith("状态未知，最后已知：空余 12 个（")
    assert status.endswith("） · 1 小时前 · 站长")
    assert 'data-state="unknown"' in response.text
    assert "空余车位 12 个" not in response.text


def test_basemap_is_one_feature_collection_of_prefectures_and_the_outline_with_strong_caching(client, sichuan):
    response = client.get(reverse("stations:basemap"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json; charset=utf-8"
    assert response["Cache-Control"] == "public, max-age=604800"
    data = json.loads(response.content)
    assert data["type"] == "FeatureCollection"
    levels = [f["properties"]["level"] for f in data["features"]]
    assert levels == ["prefecture"] * 21 + ["province"]  # the outline last, drawn on top
    assert data["features"][0]["properties"] == {"code": "510100", "name": "成都市", "level": "prefecture"}
    ring = (
        data["features"][0]["geometry"]["coordinates"][0][0]
        if data["features"][0]["geometry"]["type"] == ("MultiPolygon")
        else data["features"][0]["geometry"]["coordinates"][0]
    )
    assert all(round(v, 4) == v for point in ring for v in point)

    again = client.get(reverse("stations:basemap"), headers={"If-None-Match": response["ETag"]})
    assert again.status_code == 304
    assert again["ETag"] == response["ETag"]


def test_service_worker_caches_driver_pages_but_never_the_consoles(client):
    response = client.get(reverse("stations:sw"))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/javascript; charset=utf-8"
    assert response["Cache-Control"] == "no-cache"
    text = response.text
    assert '"/stations/basemap.geojson",' in text and '"/static/js/stations-map.js",' in text
    assert 'const PRIVATE = ["/stations/operate/", "/stations/console/"];' in text
    assert re.search(r'const VERSION = "stations-[0-9a-f]{12}";', text)


def test_driver_pages_register_the_service_worker_and_consoles_do_not(client, operator, wuhou_station):
    marker = 'data-sw="/stations/sw.js"'
    for name, args in (("home", []), ("route", []), ("detail", [wuhou_station.pk]), ("checkin", [wuhou_station.pk])):
        assert marker in client.get(reverse(f"stations:{name}", args=args)).text, name
    client.force_login(operator)
    assert marker not in client.get(reverse("stations:operate", args=[wuhou_station.pk])).text


# ---------------------------------------------------------------------------------------------------------------
# Drivers: along the route
# ---------------------------------------------------------------------------------------------------------------


@pytest.fixture
def g5(tree, operator):
    """Stations on G5 成都 → 西昌 (70 km/h): a shower 1 h ahead, a shower 3.5 h ahead, no shower 3.4 h ahead, and a
    synthetic shower station 3.5 h ahead; fresh operator counts on all of them."""
    selectors.search_catalog.clear()
    line = corridor_points(*G5_CHENGDU_XICHANG)

    def place(name, km, amenities, **fields):
        lon, lat = point_along(line, km)
        station = make_station(
            org=tree.wuhou_branch, name=name, lon=lon, lat=lat, amenities=amenities, operators=[operator], **fields
        )
        return station

    stations = {
        "one_hour": place("雅安暖心之家", 70, [Amenity.SHOWER, Amenity.TRUCK_PARKING]),
        "no_shower": place("荥经停车区", 238, [Amenity.TRUCK_PARKING, Amenity.TOILET]),
        "shower": place("汉源暖心之家", 245, [Amenity.SHOWER, Amenity.LAUNDRY, Amenity.TRUCK_PARKING]),
        "synthetic": place("合成淋浴站", 246, [Amenity.SHOWER]),
    }
    Station.objects.filter(pk=stations["synthetic"].pk).update(is_demo_synthetic=True)
    for station in stations.values():
        services.station_status_set(actor=operator, station=station, is_open=True, free_spaces=15, at=minutes_ago(5))
    return stations


def route_params(**extra):
    corridor, start, end = G5_CHENGDU_XICHANG
    return {"corridor": corridor, "from_town": start, "to_town": end, **extra}


def test_route_page_offers_the_corridors_and_their_towns(client, sichuan):
    response = client.get(reverse("stations:route"))

    assert response.status_code == 200
    assert response.context["searched"] is False
    towns = response.context["towns"]
    assert towns[0] == ("510812", "朝天区") and ("513401", "西昌市") in towns
    assert '<option value="G5" selected>G5 京昆高速</option>' in response.text
    assert "3–4 小时后" in response.text and "今晚住宿" in response.text


def test_route_search_in_the_rest_window_with_a_shower_finds_the_right_station(client, g5):
    response = client.get(reverse("stations:route"), route_params(window="3-4", amenities="shower"))

    assert response.status_code == 200
    rows = [row for row, _ in response.context["rows"]]
    assert [r.station.name for r in rows] == ["汉源暖心之家"]
    assert rows[0].result.km_ahead == pytest.approx(245, abs=0.5)
    words = response.context["rows"][0][1]
    assert words["ahead"] == f"前方 {rows[0].result.km_ahead:g} 公里"
    assert words["eta"].startswith("约 3 小时 30 分 · 预计 ")
    assert statuses(response.text) == ["空余车位 15 个 · 5 分钟前 · 站长"]


def test_route_results_are_ordered_by_km_ahead_and_hide_synthetic(client, g5):
    response = client.get(reverse("stations:route"), route_params())

    names = [row.station.name for row, _ in response.context["rows"]]
    assert names == ["雅安暖心之家", "荥经停车区", "汉源暖心之家"]


def test_route_forecast_at_eta_with_confidence(client, g5, operator):
    shower = g5["shower"]
    eta = timezone.now() + dt.timedelta(hours=3.5)
    for weeks, free in ((1, 20), (2, 20)):
        services.station_status_set(
            actor=operator, station=shower, is_open=True, free_spaces=free, at=eta - dt.timedelta(weeks=weeks)
        )
    services.station_status_set(actor=operator, station=shower, is_open=True, free_spaces=15, at=minutes_ago(5))

    response = client.get(reverse("stations:route"), route_params(window="3-4", amenities="shower"))

    assert response.context["rows"][0][1]["forecast"] == "预计到达时约空余 20 个车位 · 可信度 67%"
    assert response.context["rows"][0][0].result.forecast.samples == 2


def test_sleep_tonight_keeps_stations_with_beds(client, g5):
    Station.objects.filter(pk=g5["no_shower"].pk).update(beds=4)

    response = client.get(reverse("stations:route"), route_params(sleep="on"))

    assert [row.station.name for row, _ in response.context["rows"]] == ["荥经停车区"]


def test_pasted_polyline_and_gcj02_geojson_give_the_corridor_answer(client, g5):
    line = corridor_points(*G5_CHENGDU_XICHANG)
    polyline = client.get(
        reverse("stations:route"), {"mode": "paste", "route_text": encode_polyline(line), "window": "3-4"}
    )
    gcj = {"type": "LineString", "coordinates": [list(wgs84_to_gcj02(lon, lat)) for lon, lat in line]}
    geojson = client.get(
        reverse("stations:route"),
        {"mode": "paste", "route_text": json.dumps(gcj), "coord": "gcj02", "window": "3-4"},
    )
    amap = client.get(
        reverse("stations:route"),
        {"mode": "paste", "route_text": ";".join(f"{lon},{lat}" for lon, lat in line), "window": "3-4"},
    )

    for response in (polyline, geojson, amap):
        assert response.status_code == 200
        assert [row.station.name for row, _ in response.context["rows"]] == ["荥经停车区", "汉源暖心之家"]


def test_position_moves_the_driver_along_the_route(client, g5):
    here = point_along(corridor_points(*G5_CHENGDU_XICHANG), 100)

    response = client.get(reverse("stations:route"), route_params(position=f"{here[0]:.5f},{here[1]:.5f}"))

    rows = [row for row, _ in response.context["rows"]]
    assert [r.station.name for r in rows] == ["荥经停车区", "汉源暖心之家"]  # 雅安 is behind
    assert rows[1].result.km_ahead == pytest.approx(145, abs=0.5)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (route_params(to_town="510100"), "起点和终点不能相同"),
        (route_params(to_town="510104"), "G5 不经过该地"),
        (route_params(corridor="G999"), "请选择有效的高速线路"),
        (route_params(position="东经104度"), "位置格式应为：经度,纬度"),
        (route_params(position="2.35,48.85"), "不在中国境内"),
        ({"mode": "paste", "route_text": "   "}, "请粘贴路线数据"),
        ({"mode": "paste", "route_text": "{not json"}, "GeoJSON 格式有误"),
        ({"mode": "paste", "route_text": '{"type": "Point", "coordinates": [104, 30]}'}, "LineString"),
        ({"mode": "paste", "route_text": "_p~iF~ps|U_ulLnnqC_mqNvxq`@!!"}, "折线数据含有非法字符"),
        ({"mode": "paste", "route_text": "104.0,30.5;104.0,30.5"}, "路线至少需要两个不同的点"),
        ({"mode": "paste", "route_text": "104,30;105,31", "coord": "bd09"}, "有效的选项"),
    ],
)
def test_bad_route_input_gets_a_chinese_message_not_a_500(client, sichuan, params, message):
    response = client.get(reverse("stations:route"), params)

    assert response.status_code == 422
    assert message in response.text
    assert response.context["rows"] == []


# ---------------------------------------------------------------------------------------------------------------
# Drivers: one station
# ---------------------------------------------------------------------------------------------------------------


def test_station_card_shows_prices_free_badges_amenities_hours_and_security(client, wuhou_station):
    response = client.get(reverse("stations:detail", args=[wuhou_station.pk]))

    assert response.status_code == 200
    prices = {p["code"]: (p["price"], p["free"], p["standard"]) for p in response.context["prices"]}
    assert prices == {
        "hot_meal": ("10.00", False, False),
        "shower": ("0.00", True, True),
        "laundry": ("0.00", True, True),  # offered, no price listed: free by standard
        "truck_parking": ("0.00", True, True),
        "beds": ("1.00", False, False),
    }
    assert response.text.count("按标准免费</span>") == 3
    assert "<b>1.00 元</b>" in response.text and "<b>10.00 元</b>" in response.text
    assert "24 小时开放" in response.text
    assert "银级（视频监控、保安巡逻）" in response.text
    assert response.cookies["chelun_device"].value


def test_forecast_for_arriving_in_n_hours(client, operator, wuhou_station):
    in_three = timezone.now() + dt.timedelta(hours=3)
    services.station_status_set(
        actor=operator, station=wuhou_station, is_open=True, free_spaces=10, at=in_three - dt.timedelta(weeks=1)
    )

    response = client.get(
        reverse("stations:detail", args=[wuhou_station.pk]), {"arrive": "3"}, headers={"HX-Request": "true"}
    )

    assert response.status_code == 200
    assert "<html" not in response.text
    assert "预计空余约 <b>10</b> 个车位 · 可信度 50%" in response.text
    empty = client.get(reverse("stations:detail", args=[wuhou_station.pk]), {"arrive": "6"})
    assert "6 小时后" in empty.text and "历史数据不足" in empty.text


def test_suspended_station_page_has_no_check_in_and_planned_one_is_404(client, wuhou_station, jinjiang_station):
    Station.objects.filter(pk=wuhou_station.pk).update(status=StationStatus.SUSPENDED)
    Station.objects.filter(pk=jinjiang_station.pk).update(status=StationStatus.PLANNED)

    response = client.get(reverse("stations:detail", args=[wuhou_station.pk]))

    assert statuses(response.text) == ["暂停服务"]
    assert "无法签到" in response.text
    assert client.get(reverse("stations:detail", args=[jinjiang_station.pk])).status_code == 404
    assert client.get(reverse("stations:detail", args=[999999])).status_code == 404


def test_driver_confirms_the_space_level_with_one_tap(client, operator, wuhou_station):
    services.station_status_set(actor=operator, station=wuhou_station, is_open=True, free_spaces=12, at=minutes_ago(8))
    client.get(reverse("stations:detail", args=[wuhou_station.pk]))  # gets the device cookie

    response = client.post(
        reverse("stations:confirm", args=[wuhou_station.pk]), {"level": "full"}, headers={"HX-Request": "true"}
    )

    assert response.status_code == 200
    assert "谢谢！已记录：已满" in response.text
    # One anonymous tap does not replace the operator's fresh count (issue 10.3); it shows beside it.
    assert statuses(response.text) == ["空余车位 12 个 · 8 分钟前 · 站长"]
    assert '<p class="small" data-testid="live-drivers">1 位司机 1 分钟内反馈：已满</p>' in response.text
    report = StatusReport.objects.get(station=wuhou_station, source=StatusSource.DRIVER)
    assert (report.level, report.reporter) == ("full", None)
    again = client.post(
        reverse("stations:confirm", args=[wuhou_station.pk]), {"level": "plenty"}, headers={"HX-Request": "true"}
    )
    assert again.status_code == 429
    assert "您刚刚反馈过该站点" in again.text
    assert StatusReport.objects.filter(station=wuhou_station, source=StatusSource.DRIVER).count() == 1


def test_confirm_with_a_bad_level_writes_nothing(client, wuhou_station):
    response = client.post(reverse("stations:confirm", args=[wuhou_station.pk]), {"level": "half"})

    assert response.status_code == 302
    assert StatusReport.objects.filter(station=wuhou_station).count() == 0
    page = client.get(response["Location"])
    assert "请选择：车位多 / 车位少 / 已满" in page.text


def test_check_in_twice_within_ten_minutes_counts_once(client, wuhou_station):
    url = reverse("stations:checkin", args=[wuhou_station.pk])
    page = client.get(url)
    assert page.status_code == 200 and "欢迎来到武侯暖心之家" in page.text
    device = page.cookies["chelun_device"].value

    first = client.post(url, {"services": "shower"}, headers={"HX-Request": "true"})
    second = client.post(url, {"services": "laundry"}, headers={"HX-Request": "true"})

    assert "签到成功，欢迎！已记录：淋浴" in first.text
    assert "已签到（10 分钟内只计一次），已添加：洗衣烘干" in second.text
    checkin = CheckIn.objects.get(station=wuhou_station)
    assert checkin.services == ["shower", "laundry"]
    assert checkin.user is None and checkin.visitor_key != device  # stored hashed
    assert client.cookies["chelun_device"].value == device

    other_phone = client.__class__()
    other_phone.post(url, {"services": "shower"})
    assert CheckIn.objects.filter(station=wuhou_station).count() == 2


def test_check_in_without_htmx_redirects_back_with_the_message(client, wuhou_station):
    url = reverse("stations:checkin", args=[wuhou_station.pk])

    response = client.post(url, {"services": "parking"}, follow=True)

    assert response.redirect_chain == [(url, 302)]
    assert "签到成功，欢迎！已记录：停车休息" in response.text
    assert CheckIn.objects.get(station=wuhou_station).services == ["parking"]


def test_check_in_with_an_unknown_service_writes_nothing(client, wuhou_station):
    response = client.post(reverse("stations:checkin", args=[wuhou_station.pk]), {"services": "spa"})

    assert response.status_code == 422
    assert "请选择列出的服务" in response.text
    assert CheckIn.objects.count() == 0


def test_feedback_then_operator_reply_shows_on_the_public_page(client, operator, wuhou_station):
    detail_url = reverse("stations:detail", args=[wuhou_station.pk])
    posted = client.post(
        reverse("stations:feedback", args=[wuhou_station.pk]),
        {"rating": "2", "issues": ["charged_free", "dirty"], "text": "洗澡要先买饭"},
        headers={"HX-Request": "true"},
    )
    assert posted.status_code == 200
    assert "感谢反馈" in posted.text
    item = Feedback.objects.get(station=wuhou_station)
    assert (item.rating, item.issues, item.text, item.status) == (2, ["charged_free", "dirty"], "洗澡要先买饭", "open")
    before = client.get(detail_url)
    assert "免费项目被收费" in before.text and "等待站点答复" in before.text

    client.force_login(operator)
    operate = client.get(reverse("stations:operate", args=[wuhou_station.pk]))
    assert "洗澡要先买饭" in operate.text
    replied = client.post(
        reverse("stations:feedback_reply", args=[item.pk]),
        {f"f{item.pk}-reply": "已整改，淋浴免费，不需买饭"},
        headers={"HX-Request": "true"},
    )
    assert replied.status_code == 200 and "答复已发布" in replied.text
    client.logout()

    after = client.get(detail_url)
    assert '<p class="reply" data-testid="reply"><b>站点答复</b>' in after.text
    assert "已整改，淋浴免费，不需买饭" in after.text
    assert "已答复" in after.text
    item.refresh_from_db()
    assert (item.status, item.replied_by) == (FeedbackStatus.ANSWERED, operator)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"issues": "dirty"}, "请选择评分（1–5 星）"),
        ({"rating": "9"}, "评分应为 1 到 5 星"),
        ({"rating": "3", "issues": "other"}, "选择“其他”时请写明情况"),
        ({"rating": "3", "issues": "bribery"}, "请选择列出的问题类型"),
    ],
)
def test_refused_feedback_writes_nothing(client, wuhou_station, data, message):
    response = client.post(reverse("stations:feedback", args=[wuhou_station.pk]), data, headers={"HX-Request": "true"})

    assert response.status_code == 422
    assert message in response.text
    assert Feedback.objects.count() == 0


def test_share_card_has_open_graph_tags(client, operator, wuhou_station):
    services.station_status_set(actor=operator, station=wuhou_station, is_open=True, free_spaces=12, at=minutes_ago(8))

    response = client.get(reverse("stations:share", args=[wuhou_station.pk]))

    assert response.status_code == 200
    assert '<meta property="og:title" content="武侯暖心之家 · 暖心之家">' in response.text
    assert (
        '<meta property="og:description" content="空余车位 12 个 · 8 分钟前 · 站长 · '
        '免费：淋浴、洗衣、货车停车 · 24 小时开放">' in response.text
    )
    assert f'<meta property="og:url" content="http://testserver/stations/{wuhou_station.pk}/share/">' in response.text
    assert "收费：</b>热饭热菜 10.00 元；住宿床位 1.00 元" in response.text


def test_qr_sheet_points_at_the_check_in_url(client, wuhou_station):
    response = client.get(reverse("stations:qr", args=[wuhou_station.pk]))

    assert response.status_code == 200
    url = f"http://testserver/stations/{wuhou_station.pk}/checkin/"
    assert f'data-testid="checkin-url">{url}<' in response.text
    assert f'data-testid="qr-code" data-url="{url}"' in response.text
    # The code drawn is the code of that URL (and not, say, of the station page).
    import segno

    assert segno.make(url, error="m").svg_inline(scale=8, border=2, omitsize=True) in response.text
    other = f"http://testserver/stations/{wuhou_station.pk}/"
    assert segno.make(other, error="m").svg_inline(scale=8, border=2, omitsize=True) not in response.text


# ---------------------------------------------------------------------------------------------------------------
# Operator's phone console
# ---------------------------------------------------------------------------------------------------------------


def test_operate_pages_need_login(client, wuhou_station):
    for url in (reverse("stations:operate_list"), reverse("stations:operate", args=[wuhou_station.pk])):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_operator_lists_and_opens_their_station(client, operator, wuhou_station, jinjiang_station):
    client.force_login(operator)

    listing = client.get(reverse("stations:operate_list"))
    page = client.get(reverse("stations:operate", args=[wuhou_station.pk]))

    assert [s.name for s, _ in listing.context["rows"]] == ["武侯暖心之家"]
    assert page.status_code == 200
    assert page.context["quick_counts"] == [0, 10, 20, 30, 40]
    # Priceable services only (the toilet is offered but not a priced service), in the checklist's order.
    assert [code for code, *_ in page.context["prices_form"].rows()] == [
        "hot_meal",
        "shower",
        "laundry",
        "truck_parking",
        "beds",
    ]
    assert client.get(reverse("stations:operate", args=[jinjiang_station.pk])).status_code == 404


def test_operator_sets_status_with_a_quick_button(client, operator, wuhou_station):
    client.force_login(operator)

    response = client.post(
        reverse("stations:operate_status", args=[wuhou_station.pk]),
        {"is_open": "1", "quick": "10", "free_spaces": "3"},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 200
    assert "状态已更新" in response.text
    assert statuses(response.text) == ["空余车位 10 个 · 刚刚 · 站长"]
    wuhou_station.refresh_from_db()
    assert (wuhou_station.live_open, wuhou_station.live_free_spaces, wuhou_station.live_source) == (
        True,
        10,
        "operator",
    )


def test_operator_closes_the_station(client, operator, wuhou_station):
    client.force_login(operator)

    client.post(reverse("stations:operate_status", args=[wuhou_station.pk]), {"is_open": "0", "free_spaces": "5"})

    report = StatusReport.objects.get(station=wuhou_station)
    assert (report.is_open, report.free_spaces) == (False, None)


@pytest.mark.parametrize(("free", "message"), [("-1", "空余车位不能为负数"), ("41", "空余车位不能超过总车位（40 个）")])
def test_status_out_of_range_is_refused_and_nothing_is_written(client, operator, wuhou_station, free, message):
    client.force_login(operator)

    response = client.post(
        reverse("stations:operate_status", args=[wuhou_station.pk]),
        {"is_open": "1", "free_spaces": free},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 422
    assert message in response.text
    assert StatusReport.objects.count() == 0
    wuhou_station.refresh_from_db()
    assert wuhou_station.live_free_spaces is None


def test_operator_sets_prices_in_yuan(client, operator, wuhou_station):
    client.force_login(operator)

    response = client.post(
        reverse("stations:operate_prices", args=[wuhou_station.pk]),
        {"price_beds": "1.5", "unit_beds": "晚", "price_hot_meal": "12", "unit_hot_meal": "份", "price_shower": "0"},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 200 and "价格已保存" in response.text
    prices = {p.service: (p.price_fen, p.unit) for p in StationPrice.objects.filter(station=wuhou_station)}
    assert prices == {"beds": (150, "晚"), "hot_meal": (1200, "份"), "shower": (0, "")}


def test_a_price_on_a_free_service_is_refused_and_nothing_is_written(client, operator, wuhou_station):
    client.force_login(operator)
    before = sorted(StationPrice.objects.filter(station=wuhou_station).values_list("service", "price_fen"))

    response = client.post(
        reverse("stations:operate_prices", args=[wuhou_station.pk]),
        {"price_beds": "2", "price_shower": "5"},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 422
    assert "淋浴属于按标准免费的基本服务，不能收费" in response.text
    assert sorted(StationPrice.objects.filter(station=wuhou_station).values_list("service", "price_fen")) == before


def test_feedback_still_to_answer_comes_first_on_the_operate_page(client, operator, wuhou_station):
    now = timezone.now()
    answered = services.feedback_create(
        station=wuhou_station, user=None, rating=5, text="很好", at=now - dt.timedelta(hours=5)
    )
    services.feedback_reply(actor=operator, feedback=answered, reply="谢谢", at=now - dt.timedelta(hours=4))
    waiting = services.feedback_create(
        station=wuhou_station, user=None, rating=2, text="太吵", at=now - dt.timedelta(hours=30)
    )
    services.feedback_escalate_overdue(now=now)
    fresh = services.feedback_create(station=wuhou_station, user=None, rating=3, text="一般", at=now)
    client.force_login(operator)

    response = client.get(reverse("stations:operate", args=[wuhou_station.pk]))

    entries = response.context["feedback_items"]
    assert [(e["feedback"].pk, e["open"]) for e in entries] == [
        (fresh.pk, True),
        (waiting.pk, True),
        (answered.pk, False),
    ]
    assert response.context["feedback_waiting"] == 2
    assert "待答复 2 条" in response.text


def test_operator_sees_visits_by_day_and_service(client, operator, wuhou_station):
    now = timezone.now()
    services.checkin_record(station=wuhou_station, user=None, device_id="a", services=["shower", "laundry"], at=now)
    services.checkin_record(station=wuhou_station, user=None, device_id="b", services=["shower"], at=now)
    client.force_login(operator)

    response = client.get(reverse("stations:operate", args=[wuhou_station.pk]))

    assert response.context["visits_total"] == 2
    assert response.context["visits_by_service"] == [("淋浴", 2), ("洗衣烘干", 1)]
    assert response.context["visits_by_day"][0][:2] == (timezone.localdate(), 2)


# ---------------------------------------------------------------------------------------------------------------
# Scope: the 锦江 admin (sibling county) sees none of 武侯's station anywhere in the consoles
# ---------------------------------------------------------------------------------------------------------------


@pytest.fixture
def wuhou_feedback(wuhou_station):
    return services.feedback_create(station=wuhou_station, user=None, rating=1, issues=["dirty"], text="太脏")


def test_sibling_admin_gets_404_on_every_operate_page_and_writes_nothing(
    client, tree, wuhou_station, jinjiang_station, wuhou_feedback
):
    client.force_login(tree.jinjiang_admin)
    pk = wuhou_station.pk

    assert client.get(reverse("stations:operate", args=[pk])).status_code == 404
    assert client.post(reverse("stations:operate_status", args=[pk]), {"is_open": "1", "quick": "5"}).status_code == 404
    assert client.post(reverse("stations:operate_prices", args=[pk]), {"price_beds": "9"}).status_code == 404
    reply = client.post(
        reverse("stations:feedback_reply", args=[wuhou_feedback.pk]), {f"f{wuhou_feedback.pk}-reply": "x"}
    )
    assert reply.status_code == 404
    assert [s.name for s, _ in client.get(reverse("stations:operate_list")).context["rows"]] == ["锦江暖心之家"]

    assert StatusReport.objects.count() == 0
    assert StationPrice.objects.get(station=wuhou_station, service="beds").price_fen == 100
    wuhou_feedback.refresh_from_db()
    assert (wuhou_feedback.status, wuhou_feedback.reply) == ("open", "")
    assert "太脏" not in client.get(reverse("stations:operate", args=[jinjiang_station.pk])).text


def test_a_viewer_who_sees_a_station_but_does_not_run_it_gets_404_on_operate(client, tree, wuhou_station):
    viewer = make_user("province-viewer", org=tree.province, role=Role.VIEWER)
    client.force_login(viewer)

    console = client.get(reverse("stations:console"))

    assert [s.name for s, *_ in console.context["rows"]] == ["武侯暖心之家"]
    assert console.context["rows"][0][3] is False  # no 管理 button
    assert client.get(reverse("stations:operate", args=[wuhou_station.pk])).status_code == 404


def test_console_list_and_export_are_scoped(client, tree, wuhou_station, jinjiang_station, synthetic_station):
    client.force_login(tree.wuhou_admin)
    own = client.get(reverse("stations:console"))
    assert [s.name for s, *_ in own.context["rows"]] == ["武侯暖心之家"]
    own_rows = xlsx_sheets(client.get(reverse("stations:console"), {"export": "xlsx"}))["站点"]
    assert [r[0] for r in own_rows] == ["名称", "武侯暖心之家"]
    assert own_rows[1][:9] == [
        "武侯暖心之家",
        "物流园区",
        "B类",
        None,
        None,
        "武侯区",
        "武侯物流公司党支部",
        "运营中",
        "状态未知 · 暂无上报",
    ]
    with_synthetic = client.get(reverse("stations:console"), {"synthetic": "on"})
    assert [s.name for s, *_ in with_synthetic.context["rows"]] == ["合成测试站", "武侯暖心之家"]

    client.force_login(tree.jinjiang_admin)
    sibling = client.get(reverse("stations:console"), {"synthetic": "on"})
    assert [s.name for s, *_ in sibling.context["rows"]] == ["锦江暖心之家"]
    assert "武侯暖心之家" not in sibling.text
    exported = xlsx_sheets(client.get(reverse("stations:console"), {"export": "xlsx", "synthetic": "on"}))["站点"]
    assert [r[0] for r in exported] == ["名称", "锦江暖心之家"]


def test_console_filters_by_name_and_region(client, tree, wuhou_station, jinjiang_station):
    client.force_login(tree.province_admin)

    by_name = client.get(reverse("stations:console"), {"q": "锦江"})
    by_region = client.get(reverse("stations:console"), {"region": Region.objects.get(code="510107").pk})

    assert [s.name for s, *_ in by_name.context["rows"]] == ["锦江暖心之家"]
    assert [s.name for s, *_ in by_region.context["rows"]] == ["武侯暖心之家"]


def test_console_pages_need_login(client, sichuan):
    for name in ("stations:console", "stations:gaps", "stations:funding"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_corridor_gaps_table_and_export(client, tree, g5):
    client.force_login(tree.jinjiang_admin)

    response = client.get(reverse("stations:gaps"))

    assert response.status_code == 200
    gaps = {g.corridor: g for g in response.context["gaps"]}
    assert gaps["G5"].stations == 3  # the open stations on the line; the synthetic benchmark one is left out
    assert "汉源暖心之家" not in response.text and "雅安暖心之家" not in response.text  # corridors, never station rows
    rows = xlsx_sheets(client.get(reverse("stations:gaps"), {"export": "xlsx"}))["布点缺口"]
    assert rows[0] == [
        "线路",
        "名称",
        "四川境内里程（公里）",
        "最长无站路段（公里）",
        "起点（公里）",
        "终点（公里）",
        "沿线站点数",
    ]
    g5_row = next(r for r in rows if r[0] == "G5")
    assert g5_row[3] == gaps["G5"].gap_km and g5_row[6] == gaps["G5"].stations


# ---------------------------------------------------------------------------------------------------------------
# Funding
# ---------------------------------------------------------------------------------------------------------------


@pytest.fixture
def funded(tree, wuhou_station):
    """Jan–Feb 2026: 武侯 (成都) costs 10,000 元 and gets 5,000 (50 %); 涪城 (绵阳) costs 8,000 and gets 3,000
    (37.5 %)."""
    fucheng = make_station(org=tree.fucheng_branch, name="涪城暖心之家", lon=104.7, lat=31.47)
    synthetic = make_station(org=tree.wuhou_branch, name="合成测试站", lon=104.05, lat=30.645)
    Station.objects.filter(pk=synthetic.pk).update(is_demo_synthetic=True)
    admin = tree.province_admin
    jan, feb = dt.date(2026, 1, 1), dt.date(2026, 2, 1)
    services.cost_report_set(actor=admin, station=synthetic, month=jan, amounts_fen={"staff": 100_000})
    services.cost_report_set(actor=admin, station=wuhou_station, month=jan, amounts_fen={"staff": 600_000})
    services.cost_report_set(actor=admin, station=wuhou_station, month=feb, amounts_fen={"staff": 400_000})
    services.cost_report_set(actor=admin, station=fucheng, month=jan, amounts_fen={"utilities": 800_000})
    for key, station, month, source, fen in (
        ("w1", wuhou_station, jan, "finance", 300_000),
        ("w2", wuhou_station, feb, "party_fees", 100_000),
        ("w3", wuhou_station, feb, "union", 50_000),
        ("w4", wuhou_station, feb, "road_fee", 50_000),
        ("f1", fucheng, jan, "finance", 200_000),
        ("f2", fucheng, jan, "union", 100_000),
        ("x1", fucheng, dt.date(2026, 4, 1), "finance", 999_900),  # outside the range
        ("s1", synthetic, jan, "finance", 777_700),  # a synthetic benchmark station: never counted
    ):
        services.subsidy_record(
            actor=admin, station=station, month=month, source=source, amount_fen=fen, idempotency_key=key
        )
    return {"wuhou": wuhou_station, "fucheng": fucheng}


def test_funding_report_per_station_city_and_total_with_red_flags(client, tree, funded):
    client.force_login(tree.province_admin)

    response = client.get(reverse("stations:funding"), {"start": "2026-01", "end": "2026-02"})

    assert response.status_code == 200
    stations = {r["name"]: (r["cost"], r["subsidy"], r["ratio"], r["below"]) for r in response.context["stations"]}
    assert stations == {
        "武侯暖心之家": ("10,000.00", "5,000.00", "50.0%", False),
        "涪城暖心之家": ("8,000.00", "3,000.00", "37.5%", True),
    }
    assert [(r["name"], r["ratio"]) for r in response.context["cities"]] == [("成都市", "50.0%"), ("绵阳市", "37.5%")]
    assert (response.context["total"]["cost"], response.context["total"]["ratio"]) == ("18,000.00", "44.4%")
    assert "37.5% 低于50%" in response.text


def test_funding_export_has_a_summary_sheet_and_one_sheet_per_source(client, tree, funded):
    client.force_login(tree.province_admin)

    response = client.get(reverse("stations:funding"), {"start": "2026-01", "end": "2026-02", "export": "xlsx"})

    sheets = xlsx_sheets(response)
    assert list(sheets) == ["汇总", "财政", "党费", "工会", "路网运行保障服务费"]
    summary = sheets["汇总"]
    assert summary[0] == [
        "层级",
        "名称",
        "运营成本（元）",
        "财政（元）",
        "党费（元）",
        "工会（元）",
        "路网运行保障服务费（元）",
        "补贴合计（元）",
        "补贴比例",
        "低于50%",
    ]
    assert [(r[0], r[1]) for r in summary[1:]] == [
        ("站点", "武侯暖心之家"),
        ("站点", "涪城暖心之家"),
        ("市州", "成都市"),
        ("市州", "绵阳市"),
        ("合计", "全省合计"),
    ]
    for row in summary[1:]:
        cost, sources, subsidy, ratio = row[2], row[3:7], row[7], row[8]
        assert subsidy == sum(sources)
        assert ratio == round(subsidy / cost, 4)
        assert (row[9] == "是") == (ratio < 0.5)
    assert summary[2][2:] == [8000, 2000, 0, 1000, 0, 3000, 0.375, "是"]
    assert summary[5][2:] == [18000, 5000, 1000, 1500, 500, 8000, 0.4444, "是"]
    finance = sheets["财政"]
    assert finance[0] == ["层级", "名称", "运营成本（元）", "财政（元）", "占成本比例"]
    assert finance[1] == ["站点", "武侯暖心之家", 10000, 3000, 0.3]
    assert finance[-1] == ["合计", "全省合计", 18000, 5000, round(5000 / 18000, 4)]
    assert sheets["路网运行保障服务费"][2] == ["站点", "涪城暖心之家", 8000, 0, 0]


def test_funding_is_scoped_for_the_sibling_admin(client, tree, funded):
    client.force_login(tree.jinjiang_admin)

    page = client.get(reverse("stations:funding"), {"start": "2026-01", "end": "2026-02"})
    sheets = xlsx_sheets(
        client.get(reverse("stations:funding"), {"start": "2026-01", "end": "2026-02", "export": "xlsx"})
    )

    assert page.context["stations"] == [] and page.context["cities"] == []
    assert "武侯暖心之家" not in page.text and "涪城暖心之家" not in page.text
    assert sheets["汇总"][1:] == [["合计", "全省合计", 0, 0, 0, 0, 0, 0, None, None]]
    assert all(len(rows) == 2 for rows in list(sheets.values())[1:])  # header + the zero total


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"start": "2026-05", "end": "2026-01"}, "起始月份不能晚于截止月份"),
        ({"start": "2026-13", "end": "2026-01"}, "月份格式应为 2026-01"),
        ({"start": "2020-01", "end": "2026-01"}, "一次最多统计 60 个月"),
    ],
)
def test_bad_funding_months_get_a_message(client, tree, params, message):
    client.force_login(tree.province_admin)

    response = client.get(reverse("stations:funding"), params)

    assert response.status_code == 422
    assert message in response.text
    assert response.context["report"] is None
