"""The catch-up on the seeded demo: the seed marks its named stations, and a day later they read as the seed left
them at its `now` (fresh, but for the few it leaves stale on purpose)."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.db import transaction

from chelun.core.models import Region
from chelun.core.regions import regions_load
from chelun.demo.geography import load_divisions
from chelun.demo.models import DemoStation
from chelun.demo.orgs import insert_organisations, plan_organisations
from chelun.demo.stations import STALE_HALVES, seed_stations
from chelun.demo.stations.catch_up import status_catch_up
from chelun.stations import selectors
from chelun.stations.choices import StatusSource
from chelun.stations.models import Station, StatusReport

NOW = dt.datetime(2026, 11, 23, 10, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
DAY_LATER = NOW + dt.timedelta(days=1)


@pytest.fixture(scope="module")
def caught_up(django_db_setup, django_db_blocker):
    """The tiny demo seeded at NOW, then caught up to a day later (twice: the second run must add nothing)."""
    with django_db_blocker.unblock(), transaction.atomic():
        if not Region.objects.filter(level="county").exists():
            regions_load()
        plan = plan_organisations(load_divisions(settings.SHARED_DATA_DIR / "expressways.json"), random.Random(1))
        insert_organisations(plan, dict(Region.objects.values_list("code", "pk")))
        seed_stations(rng=random.Random(20241012), scale="tiny", now=NOW, demo_passwords=False)
        seeded_reports = StatusReport.objects.count()
        first = status_catch_up(now=DAY_LATER)
        second = status_catch_up(now=DAY_LATER)
        yield seeded_reports, first, second
        transaction.set_rollback(True)


pytestmark = [pytest.mark.django_db]


def test_the_seed_marks_its_named_stations_and_nothing_else(caught_up):
    named = Station.objects.filter(is_demo_synthetic=False)
    assert set(DemoStation.objects.values_list("pk", flat=True)) == set(named.values_list("pk", flat=True))
    assert DemoStation.objects.count() == 37
    assert DemoStation.objects.filter(stale_minutes__gt=0).count() == STALE_HALVES


def test_a_day_later_the_named_stations_read_as_at_the_seed_and_the_second_run_adds_nothing(caught_up):
    seeded_reports, first, second = caught_up
    states = Counter()
    for station in Station.objects.filter(is_demo_synthetic=False):
        latest = StatusReport.objects.filter(station=station).order_by("-observed_at", "-id").first()
        assert latest is not None and latest.source == StatusSource.OPERATOR
        assert (station.live_free_spaces, station.live_observed_at) == (latest.free_spaces, latest.observed_at)
        states[selectors.station_live_status(station, now=DAY_LATER).state == "unknown"] += 1
    assert states == {True: STALE_HALVES, False: 37 - STALE_HALVES}
    assert (first.stations, first.skipped) == (37, 0)
    assert StatusReport.objects.count() == seeded_reports + first.reports
    # A day of counts every 30–60 minutes on 37 halves (fewer where posted hours close a site at night, none past
    # the stale halves' lag), the odd driver confirmation between them.
    assert 37 * 14 < first.reports < 37 * 52
    assert (second.stations, second.reports, second.skipped) == (0, 0, 0)


def test_the_synthetic_stations_are_not_continued(caught_up):
    synthetic = StatusReport.objects.filter(station__is_demo_synthetic=True)
    assert not synthetic.filter(observed_at__gt=NOW).exists()
