"""Abuse limits on the public writes (issue 9, point 11): anonymous feedback, check-ins and confirmations are counted
per address and per device (a fresh device id no longer starts afresh), signed-in drivers per account; past the
limit the answer is 429 in the one error shape and nothing is written, on the page and the API alike. An operator
marks feedback as spam: its deadline stops, it is never escalated, and the station page no longer shows it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from chelun.core.ratelimit import Limit, RateLimited, rate_limit
from chelun.orgs.tests.factories import make_user
from chelun.stations import selectors, services
from chelun.stations.choices import FeedbackStatus
from chelun.stations.models import CheckIn, Feedback, StatusReport
from chelun.stations.tests import test_api
from chelun.stations.tests.test_api import API, NOW, login

# The stations API tests' world (two stations and their operators), clock and cache cleaning.
world = test_api.world
_clock = test_api._clock
_clean_caches = test_api._clean_caches

RATE_LIMITED = {"message": "提交过于频繁，请稍后再试", "code": "rate_limited"}


def send(client: Client, url: str, body: dict[str, Any], *, device: str = "", address: str = "10.0.0.1") -> Any:
    headers = {"X-Device-Id": device} if device else {}
    return client.post(url, body, content_type="application/json", headers=headers, REMOTE_ADDR=address)


def refusal(response: Any) -> tuple[int, dict[str, Any]]:
    body = response.json()
    return response.status_code, {"message": body["message"], "code": body["code"]}


@pytest.fixture
def small_limits(monkeypatch):
    """Three per visitor and five per address an hour, so a test reaches them in a few requests."""
    for kind in services.PUBLIC_WRITE_LIMITS:
        monkeypatch.setitem(services.PUBLIC_WRITE_LIMITS, kind, (Limit(3, 3600), Limit(5, 3600)))


# --- the counter ------------------------------------------------------------------------------------------------------


def test_rate_limit_counts_per_key_and_opens_a_new_window():
    limit = Limit(2, 60)
    for _ in range(2):
        rate_limit(scope="t", keys=[("a", limit)], message="慢一点", now=1_000_000.0)
    with pytest.raises(RateLimited) as refused:
        rate_limit(scope="t", keys=[("a", limit)], message="慢一点", now=1_000_010.0)
    # The window is [999 960, 1 000 020): 10 s left, plus the one that rounds up.
    assert (refused.value.status_code, refused.value.code, refused.value.extra) == (
        429,
        "rate_limited",
        {"retry_after_seconds": 11},
    )
    rate_limit(scope="t", keys=[("b", limit)], message="慢一点", now=1_000_010.0)  # another key is its own count
    rate_limit(scope="t", keys=[("a", limit)], message="慢一点", now=1_000_020.0)  # the next window


# --- the API ----------------------------------------------------------------------------------------------------------


def test_anonymous_feedback_without_a_device_is_limited_per_address(world):
    url = f"{API}/{world.wuhou.pk}/feedback"
    statuses = [send(Client(), url, {"rating": 1}).status_code for _ in range(30)]
    assert statuses == [201] * 30
    refused = send(Client(), url, {"rating": 1})
    assert refusal(refused) == (429, RATE_LIMITED)
    assert refused.json()["extra"]["retry_after_seconds"] > 0
    assert Feedback.objects.count() == 30
    # Another address is another count.
    assert send(Client(), url, {"rating": 1}, address="10.0.0.2").status_code == 201


def test_anonymous_feedback_is_limited_per_device_and_a_new_device_still_counts_on_the_address(world):
    url = f"{API}/{world.wuhou.pk}/feedback"
    assert [send(Client(), url, {"rating": 2}, device="phone-a").status_code for _ in range(5)] == [201] * 5
    assert refusal(send(Client(), url, {"rating": 2}, device="phone-a")) == (429, RATE_LIMITED)
    assert send(Client(), url, {"rating": 2}, device="phone-b").status_code == 201
    assert Feedback.objects.count() == 6


def test_checkins_with_fresh_device_ids_are_limited_per_address(world, small_limits):
    url = f"{API}/{world.wuhou.pk}/checkins"
    statuses = [send(Client(), url, {"services": ["shower"]}, device=f"phone-{i}").status_code for i in range(5)]
    assert statuses == [201] * 5
    refused = send(Client(), url, {"services": ["shower"]}, device="phone-99")
    assert refusal(refused) == (429, RATE_LIMITED)
    assert CheckIn.objects.count() == 5


def test_confirmations_are_limited_per_device_across_stations(world, small_limits):
    stations = [world.wuhou, world.jinjiang]
    before = StatusReport.objects.count()
    answers = [
        send(Client(), f"{API}/{stations[i % 2].pk}/confirm", {"level": "some"}, device=f"phone-{i // 2}")
        for i in range(4)
    ]
    assert [a.status_code for a in answers] == [200, 200, 200, 200]
    # phone-1 and phone-0 have two each; the address has four of five.
    assert send(Client(), f"{API}/{world.wuhou.pk}/confirm", {"level": "full"}, device="phone-2").status_code == 200
    refused = send(Client(), f"{API}/{world.jinjiang.pk}/confirm", {"level": "full"}, device="phone-3")
    assert refusal(refused) == (429, RATE_LIMITED)
    assert StatusReport.objects.count() == before + 5


def test_a_signed_in_driver_is_counted_per_account_not_per_address(world, small_limits):
    # Many drivers share a carrier's address; an account answers for itself.
    client = login(make_user("driver-a"))
    url = f"{API}/{world.wuhou.pk}/feedback"
    assert [send(Client(), url, {"rating": 3}).status_code for _ in range(5)] == [201] * 5
    assert [send(client, url, {"rating": 3}).status_code for _ in range(3)] == [201] * 3
    assert refusal(send(client, url, {"rating": 3})) == (429, RATE_LIMITED)
    assert Feedback.objects.count() == 8


# --- the pages --------------------------------------------------------------------------------------------------------


def test_the_pages_share_the_limits(world, small_limits):
    client = Client()
    client.cookies["chelun_device"] = "phone-page"
    feedback_url = f"/stations/{world.wuhou.pk}/feedback/"
    answers = [client.post(feedback_url, {"rating": "4"}, REMOTE_ADDR="10.0.0.3") for _ in range(4)]
    assert [a.status_code for a in answers] == [302, 302, 302, 429]
    assert Feedback.objects.count() == 3
    # The API from the same phone is the same count.
    assert refusal(send(Client(), f"{API}/{world.wuhou.pk}/feedback", {"rating": 4}, device="phone-page")) == (
        429,
        RATE_LIMITED,
    )


def test_page_checkins_and_confirmations_are_limited(world, small_limits, monkeypatch):
    client = Client(HTTP_HX_REQUEST="true", REMOTE_ADDR="10.0.0.3")
    client.cookies["chelun_device"] = "phone-page"
    checkin_url = f"/stations/{world.wuhou.pk}/checkin/"
    statuses = [client.post(checkin_url, {"services": ["shower"]}).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert CheckIn.objects.count() == 1  # within ten minutes the taps are one visit
    # One confirmation per device an hour: the second station's tap is the rate limit, not the 5-minute rule.
    monkeypatch.setitem(services.PUBLIC_WRITE_LIMITS, "confirm", (Limit(1, 3600), Limit(5, 3600)))
    before = StatusReport.objects.count()
    assert client.post(f"/stations/{world.wuhou.pk}/confirm/", {"level": "full"}).status_code == 200
    refused = client.post(f"/stations/{world.jinjiang.pk}/confirm/", {"level": "full"})
    assert refused.status_code == 429
    assert "提交过于频繁，请稍后再试" in refused.content.decode()
    assert StatusReport.objects.count() == before + 1


# --- spam -------------------------------------------------------------------------------------------------------------


@pytest.fixture
def spam(world):
    return services.feedback_create(station=world.wuhou, user=None, rating=1, text="加微信领红包", at=NOW)


def test_the_operator_marks_feedback_as_spam_and_its_deadline_stops(world, spam):
    kept = services.feedback_create(station=world.wuhou, user=None, rating=4, text="热水很好", at=NOW)
    response = login(world.wuhou_op).post(f"{API}/feedback/{spam.pk}/spam", content_type="application/json")
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["status_label"], response.json()["overdue"]) == (
        "spam",
        "垃圾信息",
        False,
    )
    # A day later only the real feedback escalates; the spam is not overdue anywhere.
    assert services.feedback_escalate_overdue(now=NOW + dt.timedelta(hours=25)) == 1
    spam.refresh_from_db()
    kept.refresh_from_db()
    assert (spam.status, kept.status) == (FeedbackStatus.SPAM, FeedbackStatus.ESCALATED)
    # The station page neither shows it nor counts it in the average.
    summary = selectors.feedback_public_summary(station=world.wuhou)
    assert (summary.count, summary.average_rating, [f.pk for f in summary.recent]) == (1, 4.0, [kept.pk])


def test_only_waiting_feedback_can_be_marked_and_only_by_the_station(world, spam):
    sibling = login(world.jinjiang_op).post(f"{API}/feedback/{spam.pk}/spam", content_type="application/json")
    assert (sibling.status_code, sibling.json()["code"]) == (404, "not_found")
    services.feedback_reply(actor=world.wuhou_op, feedback=spam, reply="已处理")
    answered = login(world.wuhou_op).post(f"{API}/feedback/{spam.pk}/spam", content_type="application/json")
    assert (answered.status_code, answered.json()["code"]) == (400, "feedback_not_waiting")
    spam.refresh_from_db()
    assert spam.status == FeedbackStatus.ANSWERED


def test_the_operator_page_has_the_button_and_marks_spam(world, spam):
    client = login(world.wuhou_op)
    page = client.get(f"/stations/operate/{world.wuhou.pk}/").content.decode()
    assert f'action="/stations/operate/feedback/{spam.pk}/spam/"' in page
    assert "标为垃圾信息" in page
    marked = client.post(f"/stations/operate/feedback/{spam.pk}/spam/", HTTP_HX_REQUEST="true")
    assert marked.status_code == 200
    assert "已标为垃圾信息，不再计入待答复" in marked.content.decode()
    spam.refresh_from_db()
    assert spam.status == FeedbackStatus.SPAM
    # It has left the waiting list: no reply form, no button.
    page = client.get(f"/stations/operate/{world.wuhou.pk}/").content.decode()
    assert f"/stations/operate/feedback/{spam.pk}/spam/" not in page
