"""我的记录 on a phone in headless Chromium: a driver signs in, sees their feedback with the operator's reply, and
withdraws it through the confirm dialog; the row gives way to a notice without a reload."""

from __future__ import annotations

import pytest

SHOT = "/tmp/records_shots/my-records.png"  # noqa: S108 (a fixed path the reviewer looks at)
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def test_driver_reads_their_records_and_withdraws_a_feedback(live_server, transactional_db, tree, phone):
    from pathlib import Path

    from playwright.sync_api import expect

    from chelun.orgs.tests.factories import make_user
    from chelun.stations import services
    from chelun.stations.models import Feedback
    from chelun.stations.tests.factories import make_station

    operator = make_user("records-op")
    station = make_station(org=tree.wuhou_branch, name="武侯物流园暖心之家", operators=[operator])
    driver = make_user("wang-driver", first_name="王师傅")
    services.checkin_record(station=station, user=driver, services=["shower", "meal"])
    services.station_status_confirm(actor=driver, station=station, level="full")
    answered = services.feedback_create(station=station, user=driver, rating=2, issues=["dirty"], text="淋浴没有热水")
    services.feedback_reply(actor=operator, feedback=answered, reply="已修好热水器，欢迎再来")
    waiting = services.feedback_create(station=station, user=driver, rating=5, text="停车场很宽敞")

    phone.goto(f"{live_server.url}/accounts/login/?next=/stations/me/")
    phone.get_by_label("用户名").fill("wang-driver")
    phone.get_by_label("密码").fill("Pass-word-123")
    phone.get_by_role("button", name="登录").click()
    expect(phone).to_have_url(f"{live_server.url}/stations/me/")
    expect(phone.get_by_test_id("tab-feedback")).to_have_text("我的反馈 2")
    expect(phone.locator(".fb")).to_have_count(2)
    expect(phone.get_by_test_id("reply")).to_contain_text("已修好热水器，欢迎再来")
    Path(SHOT).parent.mkdir(parents=True, exist_ok=True)
    phone.screenshot(path=SHOT, full_page=True)
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    dialogs: list[str] = []
    phone.once("dialog", lambda d: (dialogs.append(d.message), d.accept()))
    phone.locator(f'[data-feedback="{waiting.pk}"]').get_by_test_id("delete-feedback").click()
    expect(phone.get_by_test_id("feedback-deleted")).to_have_text("已删除这条反馈。")
    assert dialogs == ["确定删除这条反馈吗？删除后站点和其他司机都看不到，且无法恢复。"]
    assert list(Feedback.objects.filter(user=driver).values_list("pk", flat=True)) == [answered.pk]

    phone.get_by_test_id("tab-checkins").click()
    expect(phone.locator("[data-checkin]")).to_have_count(1)
    expect(phone.locator("[data-checkin]")).to_contain_text("淋浴")
