"""Keeping the demo alive: the status history of the demo stations continued from their latest report to now.

The seed writes 8 weeks of history ending a few minutes before its `now`; an hour later every station reads
"状态未知", and a demo opened the next day looks dead. status_catch_up continues each demo station's history by the
seed's own rules and occupancy profile (chelun.demo.stations.status.plan_continuation) and sets its live fields
through the product's status service, so caches are invalidated the one way they always are. It runs as a periodic
task (chelun.demo.tasks) and as ``manage.py seed_demo_catch_up`` (called by ``./dev run``).

Only stations marked by the seed (chelun.demo.models.DemoStation) are touched: on a database without the mark
nothing is read beyond that and nothing is written.
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from chelun.accounts.models import User
from chelun.demo.models import DemoStation
from chelun.demo.stations.status import HISTORY, insert_status_rows, plan_continuation
from chelun.stations import services
from chelun.stations.choices import StatusSource
from chelun.stations.models import Station, StatusReport

__all__ = ["CatchUpResult", "status_catch_up"]


@dataclass(frozen=True)
class CatchUpResult:
    stations: int  # demo stations whose history was continued
    reports: int  # status reports added
    skipped: int  # demo stations left alone: no operator to report for them


def status_catch_up(*, now: dt.datetime | None = None) -> CatchUpResult:
    """Continue every demo station's status history to `now` (default: the present), at most HISTORY back.

    Per station, in its own transaction with the station row locked: the reports after its latest operator report
    are planned, all but the last inserted as rows, and the last one goes through services.station_status_set as
    the station's operator, which writes it, sets the live fields and marks the status caches stale. A station
    without an operator is skipped (counted in `skipped`). Idempotent: a second run at the same `now` adds nothing.
    Raises ValueError for a naive `now`.
    """
    now = now or timezone.now()
    if timezone.is_naive(now):
        raise ValueError("now must be timezone-aware")
    stations = reports = skipped = 0
    for marker_pk in DemoStation.objects.order_by("pk").values_list("pk", flat=True):
        with transaction.atomic():
            added = _continue_station(marker_pk, now)
        if added is None:
            skipped += 1
        elif added:
            stations, reports = stations + 1, reports + added
    return CatchUpResult(stations=stations, reports=reports, skipped=skipped)


def _continue_station(station_pk: int, now: dt.datetime) -> int | None:
    """The reports added for one station (0 when it is up to date), None when it has no operator."""
    station = Station.objects.select_for_update().get(pk=station_pk)
    marker = DemoStation.objects.get(pk=station_pk)
    operator = User.objects.filter(pk__in=station.operators.values("pk")).order_by("pk").first()
    if operator is None:
        return None
    by_operator = StatusReport.objects.filter(station=station, source=StatusSource.OPERATOR)
    latest = by_operator.aggregate(any=Max("observed_at"), count=Max("observed_at", filter=Q(is_open=True)))
    floor = now - HISTORY  # the forecast reads no further back: an old demo is not refilled beyond it
    after = max(latest["any"] or floor, floor)
    last_count = max(latest["count"] or floor, floor)
    # Planned by posted hours only, as the seed plans: the station's current "closed" report must not close it later.
    posted = copy.copy(station)
    posted.live_open = None
    until = now - dt.timedelta(minutes=marker.stale_minutes)
    planned = plan_continuation(posted, marker.profile, after=after, last_count=last_count, now=until)
    if not planned:
        return 0
    *history, last = planned
    insert_status_rows(station.pk, history, operator.pk)
    services.station_status_set(
        actor=operator, station=station, is_open=bool(last.is_open), free_spaces=last.free, at=last.at
    )
    return len(planned)
