"""Live status history: operator counts following an hour-of-week occupancy curve, drivers' confirmations, the
live fields they leave on the station, and the fast insert of some 70,000 report rows."""

from __future__ import annotations

import datetime as dt
import itertools
import math
import random
from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, models

from chelun.accounts.models import User
from chelun.demo.stations.plans import Half, Report
from chelun.stations import selectors, services
from chelun.stations.choices import StatusSource
from chelun.stations.models import StatusReport

__all__ = ["HISTORY", "STALE_HALVES", "insert_reports", "plan_history", "plan_snapshot", "set_live"]

# The forecast reads 8 weeks back from its target moment: two more days cover ETAs up to two days ahead.
HISTORY = dt.timedelta(weeks=8, days=2)
STALE_HALVES = 3


def _occupancy(rng: random.Random, local: dt.datetime, profile: tuple[float, float, float]) -> float:
    """Share of truck spaces taken: full at night (peak 02:30), emptiest mid-afternoon; Saturday night is lighter
    (fewer trucks run at the weekend), Sunday evening a little fuller."""
    day, night, noise = profile
    hour = local.hour + local.minute / 60
    night_weight = (0.5 + 0.5 * math.cos(2 * math.pi * (hour - 2.5) / 24)) ** 1.5
    taken = day + (night - day) * night_weight
    weekday = local.weekday()
    if (weekday == 5 and hour >= 18) or (weekday == 6 and hour < 6):
        taken -= 0.08
    elif weekday == 6 and hour >= 18:
        taken += 0.03
    return min(1.0, max(0.0, taken + rng.gauss(0.0, noise)))


def _count(rng: random.Random, half: Half, moment: dt.datetime, tz: ZoneInfo) -> int:
    capacity = half.station.truck_spaces
    return capacity - round(capacity * _occupancy(rng, moment.astimezone(tz), half.profile))


def plan_history(rng: random.Random, half: Half, now: dt.datetime, lag_minutes: float) -> None:
    """Operator counts every 30–60 min while open, back HISTORY from `now - lag`; a closing report at each
    posted closing time; now and then a driver's one-tap confirmation between two counts."""
    station, tz = half.station, ZoneInfo(settings.TIME_ZONE)
    capacity = station.truck_spaces
    start = now - HISTORY
    moment = now - dt.timedelta(minutes=lag_minutes)
    reports: list[Report] = []
    while moment > start:
        if selectors.station_is_open_at(station, moment):
            free = _count(rng, half, moment, tz)
            reports.append(Report(StatusSource.OPERATOR, True, free, services.level_for_count(free, capacity), moment))
            tap = moment + dt.timedelta(minutes=rng.uniform(5, 25))
            if len(reports) > 1 and rng.random() < 0.08 and selectors.station_is_open_at(station, tap):
                seen = _count(rng, half, tap, tz)
                reports.append(Report(StatusSource.DRIVER, None, None, services.level_for_count(seen, capacity), tap))
        moment -= dt.timedelta(minutes=rng.uniform(30, 60))
    if station.closes_at is not None:
        day = start.astimezone(tz).date()
        while day <= now.astimezone(tz).date():
            closing = dt.datetime.combine(day, station.closes_at, tzinfo=tz) + dt.timedelta(minutes=rng.uniform(0, 8))
            if start < closing <= now:
                reports.append(Report(StatusSource.OPERATOR, False, None, "", closing))
            day += dt.timedelta(days=1)
    half.reports = sorted(reports, key=lambda r: r.at)


def plan_snapshot(rng: random.Random, half: Half, now: dt.datetime) -> None:
    """A synthetic station's one report: fresh for most, hours old for some, none for the rest."""
    roll = rng.random()
    if roll < 0.15:
        return
    age = dt.timedelta(minutes=rng.uniform(2, 55)) if roll < 0.85 else dt.timedelta(hours=rng.uniform(2, 30))
    moment = now - age
    capacity = half.station.truck_spaces
    if selectors.station_is_open_at(half.station, moment):
        free = _count(rng, half, moment, ZoneInfo(settings.TIME_ZONE))
        half.reports = [Report(StatusSource.OPERATOR, True, free, services.level_for_count(free, capacity), moment)]
    else:
        half.reports = [Report(StatusSource.OPERATOR, False, None, "", moment)]


def set_live(half: Half) -> None:
    """The live fields from the latest operator report, as station_status_set leaves them (the plans never put a
    driver's confirmation last)."""
    station = half.station
    for report in reversed(half.reports):
        if report.source == StatusSource.OPERATOR:
            station.live_open, station.live_free_spaces, station.live_level = report.is_open, report.free, report.level
            station.live_source, station.live_observed_at = report.source, report.at
            return


def insert_reports(halves: Sequence[Half], operators: dict[str, User]) -> int:
    """The status history, some 70,000 rows at any scale. bulk_create would build a model instance and prepare every
    value of each row (about 10 s); plain tuples go in instead, datetimes adapted by the backend."""
    adapt = connection.ops.adapt_datetimefield_value
    rows = []
    for half in halves:
        operator = operators[half.site.key].pk if half.site is not None else None
        for r in half.reports:
            reporter = operator if r.source == StatusSource.OPERATOR else None
            rows.append((half.station.pk, r.source, r.is_open, r.free, r.level, adapt(r.at), reporter))
    fields = ("station", "source", "is_open", "free_spaces", "level", "observed_at", "reporter")
    _insert_rows(StatusReport, fields, rows)
    return len(rows)


def _insert_rows(model: type[models.Model], fields: Sequence[str], rows: Sequence[tuple[Any, ...]]) -> None:
    """Multi-row INSERTs of ready database values, as many rows per statement as the backend takes parameters for.
    executemany, not execute: Django's debug cursor re-quotes every parameter of an `execute` on SQLite."""
    meta = model._meta
    column = {f.name: f.column for f in meta.concrete_fields}
    quote = connection.ops.quote_name
    columns = ", ".join(quote(column[name]) for name in fields)
    head = f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES "  # noqa: S608 - names from _meta, values bound
    one = "(" + ", ".join(["%s"] * len(fields)) + ")"
    per_statement = (connection.features.max_query_params or 7000) // len(fields)
    chunks = [rows[i : i + per_statement] for i in range(0, len(rows), per_statement)]
    with connection.cursor() as cursor:
        for size, group in itertools.groupby(chunks, key=len):  # all full chunks, then the short last one
            statement = head + ", ".join([one] * size)
            cursor.executemany(statement, [[value for row in chunk for value in row] for chunk in group])
