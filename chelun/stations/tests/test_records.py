"""我的记录: a driver sees exactly their own check-ins, reports and feedback (with the reply), and withdraws their own
feedback; nobody else's rows show, nobody else can delete."""

from __future__ import annotations

import re

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from chelun.core.errors import NotFound
from chelun.core.testing.queries import get_query_count
from chelun.orgs.tests.factories import make_user, superuser
from chelun.stations import services
from chelun.stations.models import Feedback
from chelun.stations.selectors import records
from chelun.stations.tests.factories import at, make_station
from chelun.stations.views.card import DEVICE_COOKIE

pytestmark = pytest.mark.django_db

URL = "/stations/me/"


@pytest.fixture
def world(tree):
    """Two stations; 王师傅 (the driver) and 李师傅 (another driver), each with a check-in, a report and feedback;
    the driver's first feedback has the operator's reply."""
    operator = make_user("records-operator")
    home = make_station(org=tree.wuhou_branch, name="武侯物流园暖心之家", operators=[operator])
    other = make_station(org=tree.wuhou_branch, name="双流货运站暖心之家", lon=103.93, lat=30.57)
    wang, li = make_user("wang"), make_user("li")
    c1, _ = services.checkin_record(station=home, user=wang, services=["shower", "meal"], at=at(8))
    c2, _ = services.checkin_record(station=other, user=wang, services=["parking"], at=at(20))
    services.checkin_record(station=home, user=li, services=["bed"], at=at(9))
    # Made on the driver's phone before signing in, and on another phone: only the first is the driver's.
    phone, _ = services.checkin_record(station=other, user=None, device_id="wang-phone", services=["laundry"], at=at(6))
    services.checkin_record(station=other, user=None, device_id="li-phone", services=["hot_water"], at=at(7))
    r1 = services.station_status_confirm(actor=wang, station=home, level="full", at=at(10))
    services.station_status_confirm(actor=li, station=home, level="plenty", at=at(11))
    services.station_status_confirm(actor=None, station=home, level="some", at=at(12))
    f1 = services.feedback_create(
        station=home, user=wang, rating=2, issues=["dirty"], text="王：淋浴没有热水", at=at(9)
    )
    f2 = services.feedback_create(station=other, user=wang, rating=5, text="王：双流很干净", at=at(21))
    f3 = services.feedback_create(station=home, user=li, rating=1, text="李：厕所太脏", at=at(9, 30))
    services.feedback_reply(actor=operator, feedback=f1, reply="已修好热水器", at=at(10, 15))
    return {"wang": wang, "li": li, "operator": operator, "c": (c1, c2, phone), "r1": r1, "f": (f1, f2, f3)}


def _page(client, user, query="", device=""):
    client.force_login(user)
    if device:
        client.cookies[DEVICE_COOKIE] = device
    response = client.get(URL + query)
    assert response.status_code == 200
    return response.content.decode()


def _ids(html, attr):
    return [int(i) for i in re.findall(rf'data-{attr}="(\d+)"', html)]


def test_feedback_tab_lists_exactly_the_drivers_feedback_newest_first_with_the_reply(client, world):
    f1, f2, _f3 = world["f"]
    html = _page(client, world["wang"])
    assert _ids(html, "feedback") == [f2.pk, f1.pk]
    assert "李：厕所太脏" not in html
    assert "站点答复</b>（2026-11-23 10:15）：已修好热水器" in html
    assert "已答复" in html
    assert "我的反馈 2" in html and "签到 2" in html and "车位上报 1" in html


def test_checkin_tab_lists_the_drivers_checkins_and_this_phones_anonymous_ones(client, world):
    c1, c2, phone = world["c"]
    html = _page(client, world["wang"], "?tab=checkins", device="wang-phone")
    assert _ids(html, "checkin") == [c2.pk, c1.pk, phone.pk]
    assert "淋浴" in html and "用餐/加热" in html and "洗衣烘干" in html
    assert "住宿" not in html and "热水</span>" not in html  # 李's check-in and the other phone's
    assert html.count(">本机<") == 1


def test_checkins_without_the_device_cookie_are_only_the_signed_in_ones(world):
    c1, c2, _phone = world["c"]
    assert list(records.checkin_list_for_driver(actor=world["wang"])) == [c2, c1]


def test_reports_tab_lists_only_the_drivers_reports(client, world):
    html = _page(client, world["wang"], "?tab=reports")
    assert _ids(html, "report") == [world["r1"].pk]
    assert "<b>已满</b>" in html and "车位多" not in html


def test_another_driver_sees_none_of_the_drivers_rows(client, world):
    html = _page(client, world["li"])
    assert _ids(html, "feedback") == [world["f"][2].pk]
    assert "王：" not in html
    html = _page(client, world["li"], "?tab=checkins", device="wang-phone")
    assert len(_ids(html, "checkin")) == 2  # his own, and the anonymous one of the phone he is holding


def test_pages_of_twenty_newest_first(client, world):
    home = world["f"][0].station
    made = [
        services.feedback_create(station=home, user=world["wang"], rating=4, text=f"第{i}条", at=at(0, i, day=24))
        for i in range(21)
    ]
    first = _page(client, world["wang"])
    assert _ids(first, "feedback") == [f.pk for f in reversed(made[1:])]
    second = _page(client, world["wang"], "?page=2")
    assert _ids(second, "feedback") == [made[0].pk, world["f"][1].pk, world["f"][0].pk]


def test_anonymous_is_sent_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login") + "?next=/stations/me/"


def test_author_deletes_their_feedback_and_it_is_audited(client, world):
    f1 = world["f"][0]
    client.force_login(world["wang"])
    response = client.post(reverse("stations:my_feedback_delete", args=[f1.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "已删除这条反馈。" in response.content.decode()
    assert not Feedback.objects.filter(pk=f1.pk).exists()
    entry = LogEntry.objects.get(
        content_type=ContentType.objects.get_for_model(Feedback), object_pk=str(f1.pk), action=LogEntry.Action.DELETE
    )
    assert entry.actor == world["wang"]


def test_plain_post_goes_back_to_the_records(client, world):
    client.force_login(world["wang"])
    response = client.post(reverse("stations:my_feedback_delete", args=[world["f"][1].pk]))
    assert response.status_code == 302
    assert response["Location"] == URL


@pytest.mark.parametrize("who", ["li", "operator", "admin"])
def test_nobody_but_the_author_may_delete(client, world, who):
    f1 = world["f"][0]
    user = superuser() if who == "admin" else world[who]
    client.force_login(user)
    response = client.post(reverse("stations:my_feedback_delete", args=[f1.pk]))
    assert response.status_code == 404
    f1.refresh_from_db()
    assert (f1.text, f1.reply) == ("王：淋浴没有热水", "已修好热水器")
    with pytest.raises(NotFound):
        services.feedback_delete_by_author(actor=user, feedback_id=f1.pk)
    assert Feedback.objects.filter(pk=f1.pk).exists()


def test_anonymous_feedback_cannot_be_deleted_by_anyone(world):
    f = services.feedback_create(station=world["f"][0].station, user=None, rating=3, text="匿名")
    with pytest.raises(NotFound):
        services.feedback_delete_by_author(actor=world["wang"], feedback_id=f.pk)
    assert Feedback.objects.filter(pk=f.pk).exists()


@pytest.mark.parametrize("tab", ["feedback", "checkins", "reports"])
def test_each_tab_costs_the_same_queries_whatever_the_rows(client, world, tab):
    """No query per row: the station comes with each row (select_related)."""
    client.force_login(world["wang"])
    url = f"{URL}?tab={tab}"
    before = get_query_count(client, url)
    home = world["f"][0].station
    for i in range(5):
        services.feedback_create(station=home, user=world["wang"], rating=4, text=f"又一条{i}", at=at(1, i, day=25))
        services.checkin_record(station=home, user=world["wang"], services=["shower"], at=at(2, 11 * i, day=25))
        services.station_status_confirm(actor=world["wang"], station=home, level="some", at=at(3, i, day=25))
    assert get_query_count(client, url) == before


def test_htmx_delete_of_a_feedback_gone_or_not_ones_own_says_so_in_the_row(client, world):
    f3 = world["f"][2]  # 李's
    client.force_login(world["wang"])
    response = client.post(reverse("stations:my_feedback_delete", args=[f3.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 404
    assert response.content.decode().strip() == (
        '<li class="error" role="alert" data-testid="feedback-delete-problem">'
        "这条反馈已不存在（可能已在别处删除）。</li>"
    )
    assert Feedback.objects.filter(pk=f3.pk).exists()
