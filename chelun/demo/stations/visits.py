"""Check-ins over the last weeks: each visit uses one or more services, in the shares of a running truck rest
station (most drivers park and rest, many take hot water or a meal, few ask anything)."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from django.conf import settings

from chelun.demo.stations.plans import Half
from chelun.stations import selectors, services
from chelun.stations.choices import CheckInService
from chelun.stations.models import CheckIn, Station

__all__ = ["CHECKIN_SERVICE_WEIGHTS", "CHECKIN_WEEKS", "JINTANG_VISITS_PER_4_WEEKS", "insert_checkins", "plan_checkins"]

CHECKIN_WEEKS = 8

# Percent of visits that use each service (a visit may use several: 2.06 on average). Demo assumptions for a station
# in its routine, not published figures: Jintang's first month (reference/stations.md §1.1: consultation 314 of 752
# uses) was a new station's month of "what is here?", and repeated over weeks it made nearly every visit a
# consultation. Parking and rest is why a trucker stops; hot water and a hot meal come next; a shower or laundry on
# a longer stop; beds only where there are beds.
CHECKIN_SERVICE_WEIGHTS: dict[str, int] = {
    CheckInService.PARKING: 72,
    CheckInService.HOT_WATER: 46,
    CheckInService.MEAL: 38,
    CheckInService.SHOWER: 24,
    CheckInService.LAUNDRY: 14,
    CheckInService.BED: 6,
    CheckInService.CONSULTATION: 4,
    CheckInService.PARTY: 2,
}
# Jintang, the busiest (its first month had 340 drivers); the other sites draw theirs.
JINTANG_VISITS_PER_4_WEEKS = 200
_OTHER_VISITS_PER_4_WEEKS = (30, 100)

_VISIT_HOURS = (3, 2, 1, 1, 1, 2, 4, 6, 7, 6, 5, 5, 6, 6, 5, 5, 6, 7, 9, 10, 10, 9, 7, 5)


def _visit_time(rng: random.Random, station: Station, now: dt.datetime, tz: ZoneInfo) -> dt.datetime:
    today = now.astimezone(tz).date()
    while True:
        day = today - dt.timedelta(days=rng.randrange(CHECKIN_WEEKS * 7))
        hour = rng.choices(range(24), weights=_VISIT_HOURS)[0]
        moment = dt.datetime.combine(day, dt.time(hour, rng.randrange(60), rng.randrange(60)), tzinfo=tz)
        if moment < now and selectors.station_is_open_at(station, moment):
            return moment


def plan_checkins(rng: random.Random, site_halves: Sequence[Half], now: dt.datetime) -> None:
    """A site's visits over CHECKIN_WEEKS, each service used by round(visits x its percent / 100) distinct visits
    (no beds where there are none), so the shares hold in the rows; every visit uses at least one service."""
    primary = site_halves[0]
    assert primary.site is not None
    key, tz = primary.site.key, ZoneInfo(settings.TIME_ZONE)
    per_4_weeks = JINTANG_VISITS_PER_4_WEEKS if key == "jintang" else rng.randint(*_OTHER_VISITS_PER_4_WEEKS)
    visit_count = round(per_4_weeks * CHECKIN_WEEKS / 4)
    weights = {s: w for s, w in CHECKIN_SERVICE_WEIGHTS.items() if s != CheckInService.BED or primary.station.beds}
    visits: list[list[str]] = [[] for _ in range(visit_count)]
    for service, percent in weights.items():
        for visit in sorted(rng.sample(range(visit_count), round(visit_count * percent / 100))):
            visits[visit].append(service)
    # A visit the draws left empty takes one service from a visit with several (it cannot already have it): the
    # counts per service stay exact.
    for empty in [v for v in visits if not v]:
        donor = rng.choice([v for v in visits if len(v) > 1])
        empty.append(donor.pop(rng.randrange(len(donor))))
    for used in visits:
        used.sort(key=list(CHECKIN_SERVICE_WEIGHTS).index)
    spaces = [h.station.truck_spaces for h in site_halves]
    pool = max(1, round(len(visits) * 0.8))  # some drivers come back
    planned = []
    for services_used in visits:
        half = primary
        if len(site_halves) > 1 and CheckInService.BED not in services_used and rng.random() > spaces[0] / sum(spaces):
            half = site_halves[1]
        planned.append((rng.randrange(pool), _visit_time(rng, half.station, now, tz), half, services_used))
    # Two visits by one driver within 10 minutes would be one check-in (services.checkin_record): the later one
    # becomes another driver.
    last_seen: dict[int, dt.datetime] = {}
    next_driver = pool
    for driver, moment, half, services_used in sorted(planned, key=lambda p: (p[0], p[1])):
        if driver in last_seen and moment - last_seen[driver] < dt.timedelta(minutes=services.CHECKIN_DEDUPE_MINUTES):
            driver, next_driver = next_driver, next_driver + 1
        last_seen[driver] = moment
        visitor = services.visitor_key_for(user=None, device_id=f"demo:{key}:{driver}")
        half.checkins.append((services_used, moment, visitor))
    for half in site_halves:
        half.checkins.sort(key=lambda c: c[1])


def insert_checkins(named: Sequence[Half]) -> int:
    checkins = [
        CheckIn(station=h.station, visitor_key=visitor, services=used, created_at=at)
        for h in named
        for used, at, visitor in h.checkins
    ]
    CheckIn.objects.bulk_create(checkins, batch_size=2000)
    return len(checkins)
