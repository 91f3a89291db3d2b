"""The pages: driver submit / my appeals / confirm, the staff queue, detail and steps, exports, scope."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import load_workbook

from chelun.appeals.models import Appeal
from chelun.appeals.tests.factories import PNG, category, driver_user, submit
from chelun.orgs.choices import Role
from chelun.orgs.tests.factories import make_user


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def driver(tree):
    return driver_user("driver-1", org=tree.wuhou_branch)


def _form(**kw):
    data = {"category": category("unpaid_freight").pk, "description": "运费拖欠 5000 元", "contact": "phone"}
    data.update(kw)
    return data


def test_driver_submits_from_the_page_and_lands_on_its_steps(tree, driver):
    response = client_for(driver).post("/appeals/new/", _form(region=""))
    appeal = Appeal.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/appeals/mine/{appeal.pk}/"
    assert appeal.owner == tree.wuhou
    page = client_for(driver).get(f"/appeals/mine/{appeal.pk}/").content.decode()
    assert "武侯区交通运输行业党委" in page and "提交诉求" in page


def test_the_submit_page_renders_every_category(tree, driver):
    page = client_for(driver).get("/appeals/new/").content.decode()
    for name in ("运费拖欠", "执法争议", "清廉交通举报", "暖心之家投诉"):
        assert name in page


def test_a_place_category_without_a_place_shows_the_error_and_writes_nothing(tree, driver):
    response = client_for(driver).post("/appeals/new/", _form(category=category("breakdown").pk))
    assert response.status_code == 422
    assert "「故障救援」须提供地点：请定位或选择地区" in response.content.decode()
    assert Appeal.objects.count() == 0


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("a.jpg", b"GIF89a" + b"\x00" * 20, "image/jpeg"), "只能上传 JPEG、PNG 或 WebP"),
        (SimpleUploadedFile("b.png", PNG + b"\x00" * (5 * 1024 * 1024), "image/png"), "照片不能超过 5 MB"),
    ],
)
def test_a_non_image_or_oversized_upload_is_refused(tree, driver, upload, message):
    response = client_for(driver).post("/appeals/new/", {**_form(), "photos": [upload]})
    assert response.status_code == 422
    assert message in response.content.decode()
    assert Appeal.objects.count() == 0


def test_a_good_photo_is_kept(tree, driver, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    upload = SimpleUploadedFile("c.png", PNG, "image/png")
    client_for(driver).post("/appeals/new/", {**_form(), "photos": [upload]})
    assert Appeal.objects.get().photos.count() == 1


def test_my_list_shows_only_my_own(tree, driver):
    mine = submit(driver)
    other = submit(driver_user("driver-2", org=tree.wuhou_branch))
    page = client_for(driver).get("/appeals/mine/").content.decode()
    assert f'data-appeal="{mine.pk}"' in page and f'data-appeal="{other.pk}"' not in page
    assert client_for(driver).get(f"/appeals/mine/{other.pk}/").status_code == 404


def test_staff_queue_detail_and_steps_within_scope(tree, driver):
    appeal = submit(driver)
    staff = client_for(tree.wuhou_admin)
    assert f'data-appeal="{appeal.pk}"' in staff.get("/appeals/queue/").content.decode()
    assert staff.get(f"/appeals/{appeal.pk}/").status_code == 200
    assert staff.post(f"/appeals/{appeal.pk}/accept/").status_code == 302
    response = staff.post(f"/appeals/{appeal.pk}/resolve/", {"resolution": "已付清", "money_recovered": "5000.50"})
    assert response.status_code == 302
    appeal.refresh_from_db()
    assert (appeal.status, appeal.money_recovered_fen) == ("resolved", 500050)
    d = client_for(driver)
    assert d.post(f"/appeals/mine/{appeal.pk}/confirm/", {"rating": "4", "comment": "好"}).status_code == 302
    appeal.refresh_from_db()
    assert (appeal.status, appeal.rating) == ("confirmed", 4)


def test_a_sibling_county_sees_nothing(tree, driver):
    appeal = submit(driver)
    sibling = client_for(tree.jinjiang_admin)
    assert f'data-appeal="{appeal.pk}"' not in sibling.get("/appeals/queue/").content.decode()
    assert sibling.get(f"/appeals/{appeal.pk}/").status_code == 404
    assert sibling.post(f"/appeals/{appeal.pk}/accept/").status_code == 404
    export = sibling.get("/appeals/queue/?export=xlsx")
    rows = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))
    assert rows[1:] == []
    appeal.refresh_from_db()
    assert appeal.status == "submitted"


def test_a_role_without_the_right_is_refused_and_nothing_changes(tree, driver):
    appeal = submit(driver)
    viewer = client_for(make_user("viewer", org=tree.wuhou, role=Role.VIEWER))
    response = viewer.post(f"/appeals/{appeal.pk}/accept/")
    assert response.status_code == 403
    assert "没有办理该诉求的权限" in response.content.decode()
    appeal.refresh_from_db()
    assert (appeal.status, appeal.events.count()) == ("submitted", 1)


def test_a_step_not_allowed_in_the_state_is_409_with_its_message(tree, driver):
    appeal = submit(driver)
    response = client_for(tree.wuhou_admin).post(f"/appeals/{appeal.pk}/close/")
    assert response.status_code == 409
    assert "诉求当前为「已提交」，不能关闭" in response.content.decode()


def test_confirmation_by_staff_is_404_and_nothing_changes(tree, driver):
    appeal = submit(driver)
    staff = client_for(tree.wuhou_admin)
    staff.post(f"/appeals/{appeal.pk}/accept/")
    staff.post(f"/appeals/{appeal.pk}/resolve/", {"resolution": "已付清"})
    assert staff.post(f"/appeals/mine/{appeal.pk}/confirm/", {"rating": "5"}).status_code == 404
    appeal.refresh_from_db()
    assert (appeal.status, appeal.rating) == ("resolved", None)


def test_the_export_holds_the_queue_and_hides_a_confidential_reporter(tree, driver):
    plain = submit(driver)
    secret = submit(driver, code="integrity", description="举报索贿")
    export = client_for(tree.wuhou_admin).get("/appeals/queue/?export=xlsx")
    rows = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))
    by_number = {row[0]: row for row in rows[1:]}
    assert set(by_number) == {plain.number, secret.number}
    assert by_number[secret.number][5] == "（保密）"
    assert by_number[plain.number][5] == "张三"


def test_internal_notes_are_not_shown_to_the_driver(tree, driver):
    appeal = submit(driver)
    client_for(tree.wuhou_admin).post(f"/appeals/{appeal.pk}/note/", {"text": "货主难缠"})
    assert "货主难缠" in client_for(tree.wuhou_admin).get(f"/appeals/{appeal.pk}/").content.decode()
    assert "货主难缠" not in client_for(driver).get(f"/appeals/mine/{appeal.pk}/").content.decode()


def test_supervision_board_and_routing_preview_and_statistics(tree, driver):
    appeal = submit(driver)
    province = client_for(tree.province_admin)
    assert province.post(f"/appeals/{appeal.pk}/supervise/", {"days": "5", "reason": "群众关注"}).status_code == 302
    assert f'data-appeal="{appeal.pk}"' in province.get("/appeals/supervision/").content.decode()
    preview = province.get("/appeals/routing/", {"category": category("legal").pk, "region": ""}).content.decode()
    assert "未提供地点：由省级行业党委分派" in preview
    from chelun.appeals.stats import appeal_stats_refresh

    appeal_stats_refresh(months=None)
    stats = province.get("/appeals/statistics/", {"group": "category"}).content.decode()
    assert "运费拖欠" in stats


def test_a_driver_has_no_console_pages(tree, driver):
    d = client_for(driver)
    assert d.get("/appeals/queue/").status_code == 404
    assert d.get("/appeals/").status_code == 302 and d.get("/appeals/")["Location"] == "/appeals/mine/"


def test_a_routing_rule_is_added_by_the_province_only(tree, driver):
    data = {"category": category("legal").pk, "region": "", "target": "fixed_org", "organization": tree.chengdu.pk,
            "priority": "5", "note": "法律咨询统一到市里"}  # fmt: skip
    response = client_for(tree.wuhou_admin).post("/appeals/routing/", data)
    assert response.status_code == 403
    assert client_for(tree.province_admin).post("/appeals/routing/", data).status_code == 302
    assert submit(driver, code="legal").owner == tree.chengdu
