"""End to end in headless Chromium on a phone-sized screen: a city admin logs in, walks the organisation tree down
to a county, opens its people, exports them to Excel and logs out."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook

SCREENSHOT = "/tmp/console-phone.png"  # noqa: S108 (a fixed path the reviewer looks at)


@pytest.fixture
def phone(browser):
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, accept_downloads=True, locale="zh-CN"
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def test_city_admin_walks_the_tree_to_a_county_and_exports_its_people(live_server, transactional_db, sichuan, phone):
    from playwright.sync_api import expect

    from chelun.members.tests.factories import make_driver, make_person
    from chelun.orgs.tests.factories import build_tree, make_user

    tree = build_tree()
    make_user("chengdu-admin", org=tree.chengdu, first_name="成都管理员")
    wuhou_people = [
        make_driver(org=tree.wuhou_branch, name="武侯司机甲", phone="13800000011"),
        make_person(org=tree.wuhou, name="武侯人员乙", phone="13800000012"),
    ]
    make_driver(org=tree.jinjiang_branch, name="锦江司机丙", phone="13800000013")
    page = phone

    # Log in as the 成都 city admin.
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill("chengdu-admin")
    page.get_by_label("密码").fill("Pass-word-123")
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(f"{live_server.url}/orgs/")

    # The tree starts at 成都; expanding it loads its counties over HTMX.
    city = page.locator(f'li.node[data-org="{tree.chengdu.pk}"]')
    expect(city.get_by_role("link", name="成都市交通运输行业党委")).to_be_visible()
    expect(page.get_by_text("四川省交通运输行业党委")).to_have_count(0)
    city.locator("summary .twisty").first.click()
    county_link = city.get_by_role("link", name="武侯区交通运输行业党委")
    expect(county_link).to_be_visible()
    expect(city.get_by_role("link", name="锦江区交通运输行业党委")).to_be_visible()
    # ... and one level further, the county's branch.
    page.locator(f'li.node[data-org="{tree.wuhou.pk}"] summary .twisty').first.click()
    expect(page.get_by_role("link", name="武侯物流公司党支部")).to_be_visible()

    # Open the county, then its people.
    county_link.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("武侯区交通运输行业党委")
    page.get_by_test_id("org-people").click()
    expect(page).to_have_url(re.compile(rf"/people/\?org={tree.wuhou.pk}$"))
    rows = page.locator("tr[data-person]")
    expect(rows).to_have_count(2)
    expect(page.get_by_text("138****0011")).to_be_visible()
    expect(page.get_by_text("13800000011")).to_have_count(0)
    page.screenshot(path=SCREENSHOT, full_page=True)

    # Nothing on the page is wider than the phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    # Export to Excel: the county's people, masked.
    with page.expect_download() as download_info:
        page.get_by_test_id("export-xlsx").click()
    download = download_info.value
    assert re.fullmatch(r"人员-\d{8}\.xlsx", download.suggested_filename)
    with open(download.path(), "rb") as handle:
        sheet = load_workbook(io.BytesIO(handle.read()), read_only=True).active
    exported = [row[:4] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert exported == [(p.name, p.get_gender_display(), p.id_number_masked, p.phone_masked) for p in wuhou_people]

    # Log out.
    page.get_by_test_id("logout").click()
    expect(page).to_have_url(f"{live_server.url}/accounts/login/")
    page.goto(f"{live_server.url}/people/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/people/$"))
