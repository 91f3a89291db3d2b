"""Check-ins over the last weeks, with services in the proportions of Jintang's first month."""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from django.conf import settings

from chelun.demo.geography import allocate
from chelun.demo.stations.plans import Half
from chelun.stations import selectors, services
from chelun.stations.choices import CheckInService
from chelun.stations.models import CheckIn, Station

__all__ = ["CHECKIN_SERVICE_WEIGHTS", "CHECKIN_WEEKS", "insert_checkins", "plan_checkins"]

CHECKIN_WEEKS = 8

# Jintang's first month (reference/stations.md §1.1): consultation 314, laundry/drying 146, washing machine 46,
# showers 76, overnight 20, kitchen/canteen 11, rest area 10. Laundry and washing machine are both "laundry" here.
CHECKIN_SERVICE_WEIGHTS: dict[str, int] = {
    CheckInService.CONSULTATION: 314,
    CheckInService.LAUNDRY: 146 + 46,
    CheckInService.SHOWER: 76,
    CheckInService.BED: 20,
    CheckInService.MEAL: 11,
    CheckInService.PARKING: 10,
}
# 752 uses by 340 drivers: about 2.2 services a visit.
_USES_PER_VISIT = 752 / 340

_VISIT_HOURS = (3, 2, 1, 1, 1, 2, 4, 6, 7, 6, 5, 5, 6, 6, 5, 5, 6, 7, 9, 10, 10, 9, 7, 5)
_JINTANG_USES_PER_4_WEEKS = 400


def _visit_time(rng: random.Random, station: Station, now: dt.datetime, tz: ZoneInfo) -> dt.datetime:
    today = now.astimezone(tz).date()
    while True:
        day = today - dt.timedelta(days=rng.randrange(CHECKIN_WEEKS * 7))
        hour = rng.choices(range(24), weights=_VISIT_HOURS)[0]
        moment = dt.datetime.combine(day, dt.time(hour, rng.randrange(60), rng.randrange(60)), tzinfo=tz)
        if moment < now and selectors.station_is_open_at(station, moment):
            return moment


def plan_checkins(rng: random.Random, site_halves: Sequence[Half], now: dt.datetime) -> None:
    """A site's visits over CHECKIN_WEEKS, with services in Jintang's first-month proportions (no beds where there
    are none). Each service's uses go to distinct visits, so the proportions hold exactly in the rows."""
    primary = site_halves[0]
    assert primary.site is not None
    key, tz = primary.site.key, ZoneInfo(settings.TIME_ZONE)
    per_4_weeks = _JINTANG_USES_PER_4_WEEKS if key == "jintang" else rng.randint(60, 220)
    uses = round(per_4_weeks * CHECKIN_WEEKS / 4)
    weights = {s: w for s, w in CHECKIN_SERVICE_WEIGHTS.items() if s != CheckInService.BED or primary.station.beds}
    counts = allocate(uses, list(weights.values()))
    chosen: list[list[str]] = [[] for _ in range(max(math.ceil(uses / _USES_PER_VISIT), *counts))]
    for service, n in zip(weights, counts, strict=True):
        for visit in sorted(rng.sample(range(len(chosen)), n)):
            chosen[visit].append(service)
    visits = [services_used for services_used in chosen if services_used]
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
