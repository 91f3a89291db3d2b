"""End to end in headless Chromium on a phone: a driver reports unpaid freight, the county admin accepts and
resolves it, the driver confirms and rates it; then a confidential integrity report whose reporter the county
admin never sees. Screenshots of every page at 390×844 and 1366×900 go to /tmp/appeals_shots/."""

from __future__ import annotations

import pytest

SHOTS = "/tmp/appeals_shots"  # noqa: S108 (a fixed path the reviewer looks at)


def _context(browser, width, height, mobile):
    context = browser.new_context(
        viewport={"width": width, "height": height}, is_mobile=mobile, has_touch=mobile, locale="zh-CN"
    )
    context.set_default_timeout(15_000)
    return context


def _login(page, base, username):
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill("Pass-word-123")
    page.get_by_role("button", name="登录").click()


@pytest.fixture
def setup(live_server, transactional_db, sichuan):
    from chelun.appeals.tests.factories import driver_user, ensure_defaults
    from chelun.orgs.tests.factories import build_tree

    ensure_defaults()
    tree = build_tree()
    driver = driver_user("driver-1", org=tree.wuhou_branch)
    driver.set_password("Pass-word-123")
    driver.save()
    return tree


def test_submit_accept_resolve_confirm_on_a_phone(browser, live_server, setup):
    import os

    from playwright.sync_api import expect

    from chelun.appeals.models import Appeal

    os.makedirs(SHOTS, exist_ok=True)
    base = live_server.url
    driver_ctx = _context(browser, 390, 844, True)
    page = driver_ctx.new_page()
    _login(page, base, "driver-1")
    page.goto(f"{base}/appeals/new/")
    page.get_by_text("运费拖欠").click()
    expect(page.locator("[data-hint]:not([hidden])")).to_contain_text("写明货主")
    page.get_by_label("情况说明").fill("成都某物流公司拖欠运费 8000 元，已逾期两个月")
    page.screenshot(path=f"{SHOTS}/new-390.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.get_by_test_id("submit-appeal").click()
    expect(page.get_by_test_id("status")).to_have_text("已提交")
    expect(page.get_by_test_id("history")).to_contain_text("武侯区交通运输行业党委")
    appeal = Appeal.objects.get()

    staff_ctx = _context(browser, 390, 844, True)
    staff = staff_ctx.new_page()
    _login(staff, base, "wuhou-admin")
    staff.goto(f"{base}/appeals/queue/")
    expect(staff.locator(f'tr[data-appeal="{appeal.pk}"]')).to_contain_text("受理·还剩")
    staff.screenshot(path=f"{SHOTS}/queue-390.png", full_page=True)
    staff.locator(f'tr[data-appeal="{appeal.pk}"] a').click()
    staff.get_by_test_id("step-accept").get_by_role("button", name="受理").click()
    expect(staff.get_by_test_id("status")).to_have_text("已受理")
    staff.get_by_text("办结", exact=True).first.click()
    staff.get_by_label("办理结果").fill("已协调货主，运费全部付清")
    staff.get_by_label("追回欠款（元）").fill("8000")
    staff.get_by_test_id("step-resolve").get_by_role("button", name="办结").click()
    expect(staff.get_by_test_id("status")).to_have_text("已办结")
    staff.screenshot(path=f"{SHOTS}/detail-390.png", full_page=True)

    page.reload()
    page.get_by_text("★★★★★ 非常满意").click()
    page.get_by_test_id("confirm").click()
    expect(page.get_by_test_id("status")).to_have_text("已确认")
    expect(page.get_by_test_id("history")).to_contain_text("满意度 5 星")
    page.screenshot(path=f"{SHOTS}/my-detail-390.png", full_page=True)
    appeal.refresh_from_db()
    assert (appeal.status, appeal.rating, appeal.money_recovered_fen) == ("confirmed", 5, 800_000)

    # A confidential integrity report: the county admin sees it, never who sent it.
    page.goto(f"{base}/appeals/new/")
    page.get_by_text("清廉交通举报").click()
    page.get_by_label("情况说明").fill("某检测站工作人员索要好处费")
    page.get_by_test_id("submit-appeal").click()
    expect(page.get_by_test_id("status")).to_have_text("已提交")
    report = Appeal.objects.get(category__code="integrity")
    staff.goto(f"{base}/appeals/queue/")
    expect(staff.locator(f'tr[data-appeal="{report.pk}"]')).to_contain_text("（保密）")
    staff.goto(f"{base}/appeals/{report.pk}/")
    expect(staff.get_by_test_id("reporter")).to_have_text("（保密）")
    expect(staff.get_by_test_id("history")).not_to_contain_text("driver-1")

    # Desk-sized screenshots of the console pages.
    desk_ctx = _context(browser, 1366, 900, False)
    desk = desk_ctx.new_page()
    _login(desk, base, "province-admin")
    for name, url in [
        ("queue", "/appeals/queue/"),
        ("detail", f"/appeals/{appeal.pk}/"),
        ("statistics", "/appeals/statistics/"),
        ("routing", "/appeals/routing/"),
        ("supervision", "/appeals/supervision/"),
    ]:
        desk.goto(f"{base}{url}")
        desk.screenshot(path=f"{SHOTS}/{name}-1366.png", full_page=True)
    for name, url in [("statistics", "/appeals/statistics/"), ("routing", "/appeals/routing/")]:
        staff.goto(f"{base}{url}")
        staff.screenshot(path=f"{SHOTS}/{name}-390.png", full_page=True)
    page.goto(f"{base}/appeals/mine/")
    page.screenshot(path=f"{SHOTS}/mine-390.png", full_page=True)
    for ctx in (driver_ctx, staff_ctx, desk_ctx):
        ctx.close()
