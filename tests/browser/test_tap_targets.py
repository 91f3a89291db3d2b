"""Every tap target on the driver's pages is at least 44×44 px on a phone (390×844) and none sits off-screen: the
breadcrumb link was 54×15, the map's zoom buttons 30×30 and the 200 公里 chip scrolled out of sight. Also the
operator's 营业中/已关闭 switch posts on the tap itself."""

from __future__ import annotations

import pytest

PHONE = {"width": 390, "height": 844}
MIN_PX = 44

# Visible tap targets that are too small or reach past the viewport's sides.
MEASURE = """(min) => {
  const bad = [];
  for (const el of document.querySelectorAll('a, button, input[type=submit], label.chip, label.chip-opt')) {
    const r = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    if ((r.width === 0 && r.height === 0) || style.visibility === 'hidden') continue;
    const off = r.left < -0.5 || r.right > window.innerWidth + 0.5;
    if (r.width < min - 0.5 || r.height < min - 0.5 || off) {
      const text = (el.innerText || el.value || el.getAttribute('aria-label') || el.className).trim().slice(0, 16);
      const size = `${Math.round(r.width)}x${Math.round(r.height)}`;
      bad.push(`${el.tagName.toLowerCase()} "${text}" ${size}${off ? ' off-screen' : ''}`);
    }
  }
  return bad;
}"""


@pytest.fixture
def stations(transactional_db, sichuan):
    from chelun.orgs.tests.factories import build_tree, make_user
    from chelun.stations import selectors, services
    from chelun.stations.choices import Amenity
    from chelun.stations.tests.factories import make_station

    tree = build_tree()
    operator = make_user("tap-op", first_name="站长")
    selectors.search_catalog.clear()
    station = make_station(
        org=tree.wuhou_branch,
        name="武侯暖心之家",
        lon=104.04,
        lat=30.64,
        operators=[operator],
        amenities=[Amenity.TRUCK_PARKING, Amenity.SHOWER, Amenity.HOT_MEAL],
        contact_phone="028-85000000",
    )
    services.station_status_set(actor=operator, station=station, is_open=True, free_spaces=12)
    return station, operator


def phone_page(browser, live_server, user=None):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN")
    if user is not None:
        from django.conf import settings
        from django.test import Client

        client = Client()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])
    page = context.new_page()
    page.set_default_timeout(15_000)
    return page


def test_driver_pages_have_44px_tap_targets_on_a_phone(live_server, stations, browser):
    from chelun.accounts.models import User
    from chelun.members.tests.factories import make_driver
    from chelun.orgs.models import Organization

    station, _operator = stations
    driver = User.objects.create_user(
        username="tap-driver", person=make_driver(org=Organization.objects.get(name="武侯物流公司党支部"))
    )
    urls = [
        "/stations/",
        "/stations/?lon=104.06&lat=30.57&radius=50",  # with a result in the list and on the map
        "/stations/route/",
        "/stations/route/?mode=paste",
        f"/stations/{station.pk}/",
    ]
    found = {}
    for user in (None, driver):
        page = phone_page(browser, live_server, user)
        for url in urls:
            page.goto(live_server.url + url)
            page.wait_for_load_state("networkidle")
            bad = page.evaluate(MEASURE, MIN_PX)
            if bad:
                found[f"{'driver' if user else 'anonymous'} {url}"] = bad
        page.context.close()

    assert found == {}


def test_choosing_closed_posts_at_once(live_server, stations, browser):
    from playwright.sync_api import expect

    station, operator = stations
    page = phone_page(browser, live_server, operator)
    page.goto(f"{live_server.url}/stations/operate/{station.pk}/")

    page.get_by_text("已关闭", exact=True).click()

    expect(page.get_by_test_id("live-status")).to_have_text("当前关闭 · 刚刚 · 站长")
    station.refresh_from_db()
    assert station.live_open is False
