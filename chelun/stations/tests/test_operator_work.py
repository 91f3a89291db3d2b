"""The operator's daily work on the phone: the station list flags feedback still to answer (and past its deadline),
the 待答复 figures follow a reply without a reload, and price errors speak in 元, the unit of the form."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from chelun.orgs.tests.factories import make_user
from chelun.stations import services
from chelun.stations.choices import Amenity
from chelun.stations.models import StationPrice
from chelun.stations.operator_queue import FeedbackDue, feedback_due_by_station
from chelun.stations.tests.factories import make_station


@pytest.fixture
def operator(tree):
    return make_user("queue-operator", first_name="李站长")


@pytest.fixture
def station(tree, operator):
    return make_station(
        org=tree.wuhou_branch,
        name="武侯暖心之家",
        operators=[operator],
        amenities=[Amenity.TRUCK_PARKING, Amenity.HOT_MEAL],
        prices={Amenity.HOT_MEAL: 1000},
    )


@pytest.fixture
def other_station(tree):
    return make_station(org=tree.jinjiang_branch, name="锦江暖心之家", lon=104.1, lat=30.66)


def feedback(station, *, hours_ago):
    return services.feedback_create(
        station=station, user=None, rating=2, text="热水不热", at=timezone.now() - dt.timedelta(hours=hours_ago)
    )


def test_station_list_flags_waiting_and_overdue_feedback(client, operator, station):
    feedback(station, hours_ago=30)  # past the 24-hour reply deadline
    feedback(station, hours_ago=1)
    client.force_login(operator)

    page = client.get(reverse("stations:operate_list"))

    assert page.status_code == 200
    assert '<span class="badge warn">待答复 2 条</span> <span class="badge flag">已超时 1 条</span>' in page.text


def test_station_list_shows_no_flag_when_nothing_waits(client, operator, station):
    answered = feedback(station, hours_ago=2)
    services.feedback_reply(actor=operator, feedback=answered, reply="已修好")
    client.force_login(operator)

    page = client.get(reverse("stations:operate_list"))

    assert "武侯暖心之家" in page.text
    assert 'data-testid="feedback-due"' not in page.text


def test_feedback_due_counts_only_stations_the_actor_runs(operator, station, other_station):
    feedback(station, hours_ago=30)
    feedback(other_station, hours_ago=30)

    due = feedback_due_by_station(actor=operator, station_ids=[station.pk, other_station.pk], now=timezone.now())

    assert due == {station.pk: FeedbackDue(waiting=1, overdue=1)}


def test_an_htmx_reply_updates_the_waiting_figures_out_of_band(client, operator, station):
    first, _second = feedback(station, hours_ago=3), feedback(station, hours_ago=2)
    client.force_login(operator)
    assert "待答复 2 条" in client.get(reverse("stations:operate", args=[station.pk])).text

    replied = client.post(
        reverse("stations:feedback_reply", args=[first.pk]),
        {f"f{first.pk}-reply": "已修好热水器"},
        headers={"HX-Request": "true"},
    )

    assert replied.status_code == 200
    assert (
        '<small class="muted" id="fb-waiting" data-testid="fb-waiting" hx-swap-oob="true">待答复 1 条</small>'
        in replied.text
    )
    assert '<span id="fb-waiting-badge" hx-swap-oob="true"> <span class="badge warn">1</span></span>' in replied.text


def test_a_negative_price_is_refused_in_yuan_words_and_nothing_changes(client, operator, station):
    client.force_login(operator)

    response = client.post(
        reverse("stations:operate_prices", args=[station.pk]),
        {"price_hot_meal": "-5", "unit_hot_meal": "份"},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 422
    assert "金额不能为负数" in response.text
    assert "（分）" not in response.text
    assert StationPrice.objects.get(station=station, service=Amenity.HOT_MEAL).price_fen == 1000


def test_choosing_open_or_closed_submits_at_once(client, operator, station):
    client.force_login(operator)

    page = client.get(reverse("stations:operate", args=[station.pk]))

    # Each radio posts the status form on change; the browser test exercises the tap itself.
    post = f'hx-post="{reverse("stations:operate_status", args=[station.pk])}" hx-trigger="change"'
    assert page.text.count(post) == 2
