"""The demo year of appeals: deterministic, consistent with the workflow, within the tree."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter

import pytest

from chelun.appeals import workflow
from chelun.appeals.models import Appeal, AppealEvent
from chelun.appeals.sla import BEIJING
from chelun.demo.appeals import seed_appeals
from chelun.members.tests.factories import make_driver

NOW = dt.datetime(2026, 11, 30, 12, 0, tzinfo=BEIJING)


@pytest.fixture
def drivers(tree):
    return [make_driver(org=org) for org in (tree.wuhou_branch, tree.jinjiang_branch, tree.fucheng_branch)]


def _fingerprint():
    return list(Appeal.objects.order_by("pk").values_list("category__code", "status", "owner_id", "submitted_at"))


def test_the_same_seed_gives_the_same_year(tree, drivers):
    result = seed_appeals(rng=random.Random(1), drivers=600, now=NOW)
    first = _fingerprint()
    assert result.appeals == 500  # at least 500, else a third of the drivers
    AppealEvent.objects.all().delete()
    Appeal.objects.all().delete()
    seed_appeals(rng=random.Random(1), drivers=600, now=NOW)
    assert [row[:3] for row in _fingerprint()] == [row[:3] for row in first]


def test_every_appeal_is_in_the_year_owned_by_its_county_and_its_history_follows_the_table(tree, drivers):
    seed_appeals(rng=random.Random(2), drivers=600, now=NOW)
    appeals = list(Appeal.objects.select_related("driver"))
    county = {tree.wuhou.region_id: tree.wuhou, tree.jinjiang.region_id: tree.jinjiang}
    county[tree.fucheng.region_id] = tree.fucheng
    for appeal in appeals:
        assert NOW - dt.timedelta(days=366) <= appeal.submitted_at <= NOW
        assert appeal.owner == county[appeal.driver.region_id]
    # Replaying each history through the transition table reaches the stored status.
    for appeal in Appeal.objects.prefetch_related("events")[:200]:
        status = "submitted"
        for event in appeal.events.all()[1:]:
            status = workflow.transition(status, event.action, event.party)
        assert status == appeal.status
    statuses = Counter(a.status for a in appeals)
    # A year: most closed, a few still open this week.
    assert statuses == Counter(
        {
            "closed": 368,
            "confirmed": 57,
            "resolved": 35,
            "reopened": 16,
            "in_progress": 13,
            "submitted": 7,
            "accepted": 4,
        }
    )
    assert Appeal.objects.filter(escalation_level=1).exists()
    assert Appeal.objects.filter(money_recovered_fen__gt=0, category__code="unpaid_freight").exists()


@pytest.mark.parametrize("group", ["category", "owner", "region"])
def test_the_monthly_rollups_give_the_live_figures(tree, drivers, group):
    from chelun.appeals.selectors import appeal_statistics
    from chelun.appeals.stats import appeal_stats_refresh

    seed_appeals(rng=random.Random(3), drivers=600, now=NOW)  # refreshes every month
    for actor in (tree.province_admin, tree.wuhou_admin, tree.jinjiang_admin):
        rolled = appeal_statistics(actor=actor, group=group)
        live = appeal_statistics(actor=actor, group=group, live=True)
        assert rolled == live
        assert sum(r.total for r in rolled) == (500 if actor is tree.province_admin else sum(r.total for r in live))
    # Refreshing again changes nothing (idempotent).
    before = list(appeal_statistics(actor=tree.province_admin, group=group))
    appeal_stats_refresh(months=None, at=NOW)
    assert appeal_statistics(actor=tree.province_admin, group=group) == before
    # Since one month: the roll-ups and the live scan agree on a month-aligned bound too.
    since = dt.datetime(2026, 6, 1, tzinfo=BEIJING)
    assert appeal_statistics(actor=tree.province_admin, group=group, since=since) == appeal_statistics(
        actor=tree.province_admin, group=group, since=since, live=True
    )


def test_a_new_appeal_after_the_demo_gets_a_fresh_id(tree, drivers):
    from chelun.appeals.tests.factories import driver_user, submit

    seed_appeals(rng=random.Random(4), drivers=600, now=NOW)
    appeal = submit(driver_user("driver-new", org=tree.wuhou_branch))
    assert appeal.pk == Appeal.objects.order_by("-pk").values_list("pk", flat=True)[1] + 1
