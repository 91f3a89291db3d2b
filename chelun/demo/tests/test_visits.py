"""The demo's check-ins: the services of a visit follow the shares of a running truck rest station.

Planning only (no database): two halves of the Jintang site, one rng seed; the expected counts are worked out by hand
from the percentages in chelun.demo.stations.visits (Jintang: 200 visits per 4 weeks, 8 weeks -> 400 visits).
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from zoneinfo import ZoneInfo

import pytest

from chelun.demo.stations.plans import Half
from chelun.demo.stations.sites import NAMED_SITES
from chelun.demo.stations.visits import plan_checkins
from chelun.stations.choices import CheckInService as S
from chelun.stations.choices import StationStatus
from chelun.stations.models import Station

NOW = dt.datetime(2026, 11, 23, 10, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
JINTANG = next(site for site in NAMED_SITES if site.key == "jintang")

# 400 visits x 72 / 46 / 38 / 24 / 14 / 6 / 4 / 2 percent.
EXPECTED_WITH_BEDS = {
    S.PARKING: 288,
    S.HOT_WATER: 184,
    S.MEAL: 152,
    S.SHOWER: 96,
    S.LAUNDRY: 56,
    S.BED: 24,
    S.CONSULTATION: 16,
    S.PARTY: 8,
}


def _halves(beds: int) -> list[Half]:
    def half(spaces: int, primary: bool, half_beds: int) -> Half:
        station = Station(name="金堂", truck_spaces=spaces, beds=half_beds, open_24h=True, status=StationStatus.OPEN)
        return Half(station, "510121", JINTANG, primary, (), {}, (0.3, 0.9, 0.04))

    return [half(40, True, beds), half(28, False, 0)]


def _planned(beds: int, seed: int = 11) -> tuple[list[Half], Counter[str]]:
    halves = _halves(beds)
    plan_checkins(random.Random(seed), halves, NOW)
    return halves, Counter(s for h in halves for used, _at, _visitor in h.checkins for s in used)


def test_parking_and_hot_water_lead_and_consultation_is_rare_in_exact_shares():
    halves, uses = _planned(beds=6)
    visits = sum(len(h.checkins) for h in halves)
    assert visits == 400
    assert dict(uses) == EXPECTED_WITH_BEDS
    # The complaint was 61 of 63 visits with a consultation and 2 with parking: now 4 % and 72 %.
    assert (uses[S.CONSULTATION] / visits, uses[S.PARKING] / visits) == (0.04, 0.72)


def test_every_visit_uses_at_least_one_service_and_none_twice():
    halves, _uses = _planned(beds=6)
    used = [u for h in halves for u, _at, _visitor in h.checkins]
    assert min(len(u) for u in used) == 1
    assert all(len(set(u)) == len(u) for u in used)
    assert sum(len(u) for u in used) == sum(EXPECTED_WITH_BEDS.values()) == 824


def test_beds_only_at_the_half_with_beds_and_none_where_there_are_none():
    halves, _uses = _planned(beds=6)
    assert not any(S.BED in u for u, _at, _visitor in halves[1].checkins)
    _halves_without, uses = _planned(beds=0)
    assert dict(uses) == {s: n for s, n in EXPECTED_WITH_BEDS.items() if s != S.BED}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_shares_do_not_depend_on_the_seed(seed):
    _halves_planned, uses = _planned(beds=6, seed=seed)
    assert dict(uses) == EXPECTED_WITH_BEDS


def test_all_visits_fall_in_the_eight_weeks_before_now():
    halves, _uses = _planned(beds=6)
    moments = [at for h in halves for _used, at, _visitor in h.checkins]
    assert max(moments) < NOW
    # Days are drawn among the 56 ending today (local), so the first is 55 days before today's midnight.
    assert min(moments) >= NOW.replace(hour=0, minute=0) - dt.timedelta(days=55)
