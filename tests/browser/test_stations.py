"""End to end in headless Chromium on a phone (390x844) with no internet: only the live server answers, every other
request is aborted and recorded. A driver finds a station on G5 成都 → 西昌 in the 3–4 hour rest window with a
shower, opens it, checks in and leaves feedback; the operator logs in on their phone, sets the free spaces and answers;
the driver's station page shows the answer."""

from __future__ import annotations

import re
from urllib.parse import urlparse

import pytest

SHOTS = "/tmp/stations-{}.png"  # noqa: S108 (fixed paths the reviewer looks at)
PHONE = {"width": 390, "height": 844}
CHENGDU = {"longitude": 104.0668, "latitude": 30.5728}


@pytest.fixture
def offline_phone(browser):
    """A factory of phone contexts that can reach the live server and nothing else."""
    attempted: list[str] = []
    contexts = []

    def guard(route):
        if urlparse(route.request.url).hostname in ("localhost", "127.0.0.1"):
            route.continue_()
        else:
            attempted.append(route.request.url)
            route.abort("internetdisconnected")

    def new_phone(**options):
        context = browser.new_context(
            viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN", accept_downloads=True, **options
        )
        context.route("**/*", guard)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        return page

    new_phone.attempted = attempted  # type: ignore[attr-defined]
    yield new_phone
    for context in contexts:
        context.close()


def fits_the_phone(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_driver_finds_checks_in_and_gets_the_operators_answer(live_server, transactional_db, sichuan, offline_phone):
    import datetime as dt

    from django.utils import timezone
    from playwright.sync_api import expect

    from chelun.orgs.tests.factories import build_tree, make_user
    from chelun.stations import selectors, services
    from chelun.stations.choices import Amenity
    from chelun.stations.corridors import corridor_points
    from chelun.stations.models import CheckIn, Feedback
    from chelun.stations.tests.factories import make_station
    from chelun.stations.tests.test_pages import point_along

    tree = build_tree()
    operator = make_user("hanyuan-op", first_name="汉源站长")
    selectors.search_catalog.clear()
    line = corridor_points("G5", "510100", "513401")

    def place(name, km, amenities, **fields):
        lon, lat = point_along(line, km)
        return make_station(
            org=tree.wuhou_branch, name=name, lon=lon, lat=lat, amenities=amenities, operators=[operator], **fields
        )

    # At 70 km/h: 雅安 ~1 h ahead (shower), 荥经 ~3.4 h (no shower), 汉源 ~3.5 h (shower, laundry).
    yaan = place("雅安暖心之家", 70, [Amenity.SHOWER, Amenity.TRUCK_PARKING])
    yingjing = place("荥经停车区", 238, [Amenity.TRUCK_PARKING, Amenity.TOILET])
    hanyuan = place(
        "汉源暖心之家",
        245,
        [Amenity.SHOWER, Amenity.LAUNDRY, Amenity.DRYING, Amenity.TRUCK_PARKING, Amenity.HOT_MEAL, Amenity.BEDS],
        beds=6,
        prices={Amenity.BEDS: 100, Amenity.HOT_MEAL: 1000},
        cctv=True,
        guards=True,
        lighting=True,
        carriageway="往西昌方向",
        corridor_ref="G5",
        contact_phone="0835-4200000",
    )
    eight_minutes_ago = timezone.now() - dt.timedelta(minutes=8)
    for station, free in ((yaan, 30), (yingjing, 25), (hanyuan, 12)):
        services.station_status_set(
            actor=operator, station=station, is_open=True, free_spaces=free, at=eight_minutes_ago
        )

    # ---------------------------------------------------------------- the driver, near me
    driver = offline_phone(geolocation=CHENGDU, permissions=["geolocation"])
    driver.goto(f"{live_server.url}/stations/")
    expect(driver.get_by_role("heading", level=1)).to_contain_text("暖心之家")
    expect(driver.locator("#station-map.leaflet-container")).to_be_visible()
    driver.wait_for_function("window.stationMap && window.stationMap.sichuan !== null")  # the base layer loaded
    attribution = driver.locator(".leaflet-control-attribution")
    expect(attribution).to_contain_text("© OpenStreetMap contributors (ODbL)")
    driver.get_by_test_id("locate").click()
    expect(driver.get_by_test_id("result-head")).to_contain_text("我的位置周边 50 公里内")
    expect(driver.locator(".station-item")).to_have_count(0)  # nothing within 50 km of 成都
    driver.get_by_text("200 公里").click()
    items = driver.locator(".station-item")
    expect(items).to_have_count(2)  # 雅安 59 km, 荥经 195 km; 汉源 is 201 km away
    expect(items.first.locator(".st-name")).to_have_text("雅安暖心之家")
    expect(items.first.get_by_test_id("live-status")).to_have_text("空余车位 30 个 · 8 分钟前 · 站长")
    assert driver.evaluate("window.stationMap.markers.getLayers().length") == 2
    driver.screenshot(path=SHOTS.format("home"), full_page=True)
    assert fits_the_phone(driver)

    # ---------------------------------------------------------------- the driver, along G5
    driver.get_by_role("link", name="沿途找站").click()
    expect(driver.get_by_role("heading", level=1)).to_have_text("沿途找站")
    driver.locator("#id_corridor").select_option("G5")
    driver.locator("#id_from_town").select_option(label="成都市")
    driver.locator("#id_to_town").select_option(label="西昌市")
    driver.get_by_text("3–4 小时后").click()
    driver.locator("#route-form").get_by_text("淋浴", exact=True).click()
    driver.get_by_test_id("route-search").click()
    results = driver.locator("#results .station-item")
    expect(results).to_have_count(1)
    first = results.first
    expect(first.locator(".st-name")).to_have_text("汉源暖心之家")
    expect(first.get_by_test_id("live-status")).to_have_text(re.compile(r"^空余车位 12 个 · \d+ 分钟前 · 站长$"))
    expect(first.locator(".st-eta")).to_contain_text("约 3 小时 30 分")
    expect(driver).to_have_url(re.compile(r"window=3-4"))
    driver.screenshot(path=SHOTS.format("route-results"))  # the answer is scrolled into view
    driver.screenshot(path=SHOTS.format("route"), full_page=True)
    assert fits_the_phone(driver)

    # ---------------------------------------------------------------- the station card: check in, feedback
    first.locator("a").click()
    expect(driver.get_by_role("heading", level=1)).to_have_text("汉源暖心之家")
    expect(driver.locator("#live-card").get_by_test_id("live-status")).to_have_text(
        re.compile(r"^空余车位 12 个 · \d+ 分钟前 · 站长$")
    )
    expect(driver.locator("#prices")).to_contain_text("1.00 元")
    driver.screenshot(path=SHOTS.format("detail-top"))
    driver.screenshot(path=SHOTS.format("detail"), full_page=True)
    assert fits_the_phone(driver)
    checkin = driver.locator("#checkin")
    checkin.get_by_role("button", name="淋浴").click()
    expect(driver.get_by_test_id("checkin-result")).to_have_text("签到成功，欢迎！已记录：淋浴")
    driver.locator("#checkin").get_by_role("button", name="洗衣烘干").click()
    expect(driver.get_by_test_id("checkin-result")).to_have_text("已签到（10 分钟内只计一次），已添加：洗衣烘干")
    assert list(CheckIn.objects.filter(station=hanyuan).values_list("services", flat=True)) == [["shower", "laundry"]]

    feedback = driver.locator("#feedback")
    feedback.get_by_text("4 星").click()
    feedback.get_by_text("卫生不达标").click()
    feedback.get_by_label("具体情况").fill("淋浴间地面有积水")
    feedback.get_by_role("button", name="提交反馈").click()
    expect(driver.get_by_test_id("feedback-result")).to_contain_text("感谢反馈")
    expect(driver.locator("#feedback .fb")).to_have_count(1)
    expect(driver.locator("#feedback .fb")).to_contain_text("等待站点答复")
    assert Feedback.objects.get(station=hanyuan).issues == ["dirty"]

    # ---------------------------------------------------------------- the operator, on their phone
    op = offline_phone()
    op.goto(f"{live_server.url}/accounts/login/?next=/stations/operate/")
    op.get_by_label("用户名").fill("hanyuan-op")
    op.get_by_label("密码").fill("Pass-word-123")
    op.get_by_role("button", name="登录").click()
    expect(op).to_have_url(f"{live_server.url}/stations/operate/")
    op.get_by_role("link", name=re.compile("汉源暖心之家")).click()
    expect(op.get_by_role("heading", level=1)).to_have_text("汉源暖心之家")
    op.get_by_test_id("quick-10").click()  # 40 spaces: quick buttons 0, 10, 20, 30, 40
    expect(op.locator("#status").get_by_test_id("live-status")).to_have_text("空余车位 10 个 · 刚刚 · 站长")
    item = op.locator("#feedback .fb").first
    expect(item).to_contain_text("淋浴间地面有积水")
    item.get_by_label("答复司机").fill("已清理积水并加装防滑垫，谢谢提醒")
    item.get_by_role("button", name="发布答复").click()
    expect(op.locator("#feedback .fb").first).to_contain_text("答复已发布")
    op.screenshot(path=SHOTS.format("operate"), full_page=True)
    op.locator("#prices").scroll_into_view_if_needed()
    op.screenshot(path=SHOTS.format("operate-prices"))
    assert fits_the_phone(op)

    # ---------------------------------------------------------------- the driver sees the answer
    driver.reload()
    expect(driver.get_by_test_id("reply")).to_contain_text("已清理积水并加装防滑垫，谢谢提醒")
    expect(driver.locator("#live-card").get_by_test_id("live-status")).to_have_text("空余车位 10 个 · 刚刚 · 站长")
    driver.get_by_test_id("reply").scroll_into_view_if_needed()
    driver.screenshot(path=SHOTS.format("reply"))

    # ---------------------------------------------------------------- the card for the WeChat group, the wall sheet
    driver.get_by_test_id("share").click()
    expect(driver.get_by_test_id("share-card")).to_contain_text("免费：淋浴、洗衣、货车停车")
    og_title = driver.locator('meta[property="og:title"]').get_attribute("content")
    assert og_title == "汉源暖心之家 · 暖心之家"
    driver.screenshot(path=SHOTS.format("share"), full_page=True)
    assert fits_the_phone(driver)
    driver.goto(f"{live_server.url}/stations/{hanyuan.pk}/qr/")
    expect(driver.get_by_test_id("checkin-url")).to_have_text(f"{live_server.url}/stations/{hanyuan.pk}/checkin/")
    driver.screenshot(path=SHOTS.format("qr"), full_page=True)
    assert fits_the_phone(driver)

    # ---------------------------------------------------------------- no signal: the last copy, said to be old
    driver.context.set_offline(True)
    driver.goto(f"{live_server.url}/stations/{hanyuan.pk}/")
    expect(driver.get_by_role("heading", level=1)).to_have_text("汉源暖心之家")
    expect(driver.locator(".offline-banner")).to_have_text(
        re.compile(r"^当前离线：显示的是 \d\d-\d\d \d\d:\d\d 保存的信息，车位情况以现场为准。$")
    )
    expect(driver.get_by_test_id("reply")).to_contain_text("已清理积水并加装防滑垫")
    driver.screenshot(path=SHOTS.format("offline"))

    # ---------------------------------------------------------------- a check-in with no signal is sent later
    driver.locator("#checkin").get_by_role("button", name="热水").click()
    queued = "当前离线：签到已保存在本机，联网后自动提交（1 条待提交）"
    expect(driver.get_by_test_id("checkin-result")).to_have_text(queued)
    assert list(CheckIn.objects.filter(station=hanyuan).values_list("services", flat=True)) == [["shower", "laundry"]]
    driver.context.set_offline(False)
    expect(driver.get_by_test_id("checkin-result")).to_have_text("已补交 1 条离线签到，谢谢！")
    # Tapped within 10 minutes of the first visit: the same visit, one more service.
    assert list(CheckIn.objects.filter(station=hanyuan).values_list("services", flat=True)) == [
        ["shower", "laundry", "hot_water"]
    ]

    assert offline_phone.attempted == []
