"""The demo stays alive: demo stations' status history is continued to now by the seed's rules, and nothing else is
touched (chelun.demo.stations.catch_up, the periodic task and manage.py seed_demo_catch_up)."""

from __future__ import annotations

import datetime as dt
import io
import random

import pytest
from django.core.management import call_command

from chelun.demo.management.commands.seed_demo_catch_up import Command as CatchUpCommand
from chelun.demo.models import DemoStation
from chelun.demo.stations.catch_up import CatchUpResult, status_catch_up
from chelun.demo.stations.status import HISTORY
from chelun.demo.tasks import demo_status_catch_up
from chelun.orgs.tests.factories import make_user
from chelun.stations import selectors, services
from chelun.stations.choices import StatusSource
from chelun.stations.models import Station, StatusReport
from chelun.stations.tests.factories import at, make_station

T0 = at(10, 0)  # Monday 23 Nov 2026, 10:00 Beijing time: the seed's last count
DAY_LATER = T0 + dt.timedelta(days=1)
PROFILE = {"day_occupancy": 0.3, "night_occupancy": 0.9, "noise": 0.04}


def _demo_station(tree, name: str = "演示暖心之家", *, marked: bool = True, **fields) -> Station:
    """A station as the seed leaves it: an operator, its last count at T0 and (when `marked`) the demo's mark."""
    operator = make_user(f"op-{name}")
    station = make_station(org=tree.wuhou_branch, name=name, operators=[operator], **fields)
    services.station_status_set(actor=operator, station=station, is_open=True, free_spaces=20, at=T0)
    if marked:
        DemoStation.objects.create(station=station, **PROFILE)
    station.refresh_from_db()
    return station


def _rows(station: Station) -> list[tuple]:
    return list(
        StatusReport.objects.filter(station=station)
        .order_by("observed_at", "source")
        .values_list("source", "is_open", "free_spaces", "level", "observed_at", "reporter__username")
    )


def _chain(station: Station, start: dt.datetime, end: dt.datetime) -> list[dt.datetime]:
    """The moments of operator counts after `start` up to `end`, by the documented rule restated: each step is
    30–60 minutes, drawn from an rng seeded by the station and the moment the step leaves from (in UTC)."""
    moments: list[dt.datetime] = []
    moment = start
    while True:
        key = f"demo-status:{station.pk}:step:{moment.astimezone(dt.UTC).isoformat()}"
        moment = moment + dt.timedelta(minutes=random.Random(key).uniform(30, 60))
        if moment > end:
            return moments
        moments.append(moment)


def test_after_a_simulated_day_the_live_status_is_fresh_and_the_counts_follow_the_step(tree):
    station = _demo_station(tree)

    result = status_catch_up(now=DAY_LATER)

    station.refresh_from_db()
    rows = _rows(station)
    counts = [r for r in rows if r[0] == StatusSource.OPERATOR and r[4] > T0]
    taps = [r for r in rows if r[0] == StatusSource.DRIVER]
    expected = _chain(station, T0, DAY_LATER)
    assert [r[4] for r in counts] == expected
    assert 24 <= len(expected) <= 48  # one a day at 30–60 minutes apart: the rule above holds
    assert result == CatchUpResult(stations=1, reports=len(counts) + len(taps), skipped=0)
    assert len(rows) == 1 + len(counts) + len(taps)
    # Counts are the operator's; a driver's confirmation comes between two counts, never after the latest.
    assert {r[5] for r in counts} == {"op-演示暖心之家"} and {r[5] for r in taps} <= {None}
    assert all(r[4] < expected[-1] for r in taps)
    # The live fields are the latest count's, set by the status service, and read fresh a day after the seed.
    last = counts[-1]
    assert (station.live_open, station.live_free_spaces, station.live_level, station.live_observed_at) == (
        True,
        last[2],
        last[3],
        last[4],
    )
    live = selectors.station_live_status(station, now=DAY_LATER)
    assert live.fresh and live.age_minutes == int((DAY_LATER - last[4]).total_seconds() // 60) < 60
    assert all(0 <= r[2] <= station.truck_spaces for r in counts)


def test_a_second_run_at_the_same_moment_adds_nothing(tree):
    station = _demo_station(tree)
    status_catch_up(now=DAY_LATER)
    before = _rows(station)

    assert status_catch_up(now=DAY_LATER) == CatchUpResult(stations=0, reports=0, skipped=0)
    assert _rows(station) == before


def test_continued_every_ten_minutes_the_history_is_the_one_continued_at_once(tree):
    # Several stations (the rng is seeded by the station), one with posted hours, over an evening and a night.
    stations = [_demo_station(tree, f"演示{i}") for i in range(5)]
    stations.append(_demo_station(tree, "演示夜间关门", open_24h=False, opens_at=dt.time(7), closes_at=dt.time(22)))
    end = T0 + dt.timedelta(hours=16)
    status_catch_up(now=end)
    at_once = [_rows(s) for s in stations]
    assert sum(r[0] == StatusSource.DRIVER for rows in at_once for r in rows) > 0  # the comparison covers taps too
    StatusReport.objects.filter(station__in=stations, observed_at__gt=T0).delete()

    for tick in range(1, 16 * 6 + 1):
        status_catch_up(now=T0 + dt.timedelta(minutes=10 * tick))

    assert [_rows(s) for s in stations] == at_once


def test_the_latest_report_goes_through_the_status_service(tree, monkeypatch):
    station = _demo_station(tree)
    calls = []
    real = services.station_status_set

    def spy(**kwargs):
        calls.append(kwargs)
        return real(**kwargs)

    monkeypatch.setattr(services, "station_status_set", spy)
    status_catch_up(now=DAY_LATER)

    latest = StatusReport.objects.filter(station=station).latest("observed_at")
    assert [(c["station"].pk, c["actor"].username, c["free_spaces"], c["at"]) for c in calls] == [
        (station.pk, "op-演示暖心之家", latest.free_spaces, latest.observed_at)
    ]


def test_without_the_demo_mark_nothing_is_written(tree):
    station = _demo_station(tree, marked=False)
    before = _rows(station)

    assert status_catch_up(now=DAY_LATER) == CatchUpResult(stations=0, reports=0, skipped=0)

    station.refresh_from_db()
    assert _rows(station) == before
    assert station.live_observed_at == T0
    assert not selectors.station_live_status(station, now=DAY_LATER).fresh


def test_a_real_station_in_a_demo_database_is_left_alone(tree):
    demo = _demo_station(tree)
    real = _demo_station(tree, "真实站点", marked=False)
    real_before = _rows(real)

    status_catch_up(now=DAY_LATER)

    assert _rows(real) == real_before
    assert len(_rows(demo)) > len(real_before)


def test_posted_hours_counts_only_while_open_and_one_closing_report_a_day(tree):
    station = _demo_station(tree, open_24h=False, opens_at=dt.time(7), closes_at=dt.time(22))

    status_catch_up(now=DAY_LATER)

    rows = [r for r in _rows(station) if r[4] > T0]
    closings = [r for r in rows if r[1] is False]
    assert [(r[0], r[2], r[3]) for r in closings] == [(StatusSource.OPERATOR, None, "")]
    closing_local = closings[0][4].astimezone(T0.tzinfo)
    assert closing_local.date() == T0.date() and dt.time(22) <= closing_local.time() <= dt.time(22, 8)
    opened = [r[4].astimezone(T0.tzinfo).time() for r in rows if r[1] is True or r[0] == StatusSource.DRIVER]
    assert all(dt.time(7) <= t < dt.time(22) for t in opened)
    expected = [m for m in _chain(station, T0, DAY_LATER) if dt.time(7) <= m.astimezone(T0.tzinfo).time() < dt.time(22)]
    assert [r[4] for r in rows if r[1] is True] == expected


def test_a_stale_half_stays_as_old_as_the_seed_left_it(tree):
    station = _demo_station(tree)
    DemoStation.objects.filter(station=station).update(stale_minutes=120)

    status_catch_up(now=DAY_LATER)

    station.refresh_from_db()
    assert station.live_observed_at == _chain(station, T0, DAY_LATER - dt.timedelta(minutes=120))[-1]
    assert not selectors.station_live_status(station, now=DAY_LATER).fresh


def test_an_old_demo_is_refilled_only_as_far_back_as_the_forecast_reads(tree):
    station = _demo_station(tree)
    now = T0 + dt.timedelta(days=180)

    status_catch_up(now=now)

    added = StatusReport.objects.filter(station=station, observed_at__gt=T0).order_by("observed_at")
    first = added.first()
    assert first is not None
    floor = now - HISTORY
    assert floor < first.observed_at <= floor + dt.timedelta(minutes=60)
    assert first.observed_at == _chain(station, floor, now)[0]


def test_a_demo_station_without_an_operator_is_skipped(tree):
    station = _demo_station(tree)
    station.operators.clear()

    assert status_catch_up(now=DAY_LATER) == CatchUpResult(stations=0, reports=0, skipped=1)
    assert len(_rows(station)) == 1


def test_a_naive_now_is_refused(tree):
    with pytest.raises(ValueError, match="timezone-aware"):
        status_catch_up(now=dt.datetime(2026, 11, 24, 10, 0))  # naive: the moment under test


def test_the_periodic_task_and_the_command_run_the_catch_up(tree, monkeypatch):
    station = _demo_station(tree)
    monkeypatch.setattr("django.utils.timezone.now", lambda: DAY_LATER)

    added = demo_status_catch_up.call_local()

    assert added == len(_rows(station)) - 1 > 0
    out = io.StringIO()
    call_command(CatchUpCommand(), stdout=out)
    assert out.getvalue() == "演示站点状态已是最新（或数据库中没有演示站点），无需补齐。\n"
    StatusReport.objects.filter(station=station, observed_at__gt=T0).delete()
    out = io.StringIO()
    call_command(CatchUpCommand(), stdout=out)
    assert out.getvalue() == f"演示站点状态已补齐到现在：1 个站点，新增状态上报 {added:,} 条。\n"
