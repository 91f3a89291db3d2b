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
from chelun.demo.models import DemoStation
from chelun.demo.stations.plans import Half, Report
from chelun.stations import selectors, services
from chelun.stations.choices import StatusSource
from chelun.stations.models import Station, StatusReport

__all__ = [
    "HISTORY",
    "STALE_HALVES",
    "insert_profiles",
    "insert_reports",
    "insert_status_rows",
    "plan_continuation",
    "plan_history",
    "plan_snapshot",
    "set_live",
]

# The forecast reads 8 weeks back from its target moment: two more days cover ETAs up to two days ahead.
HISTORY = dt.timedelta(weeks=8, days=2)
STALE_HALVES = 3
_TAP_SHARE = 0.08  # of counts followed by a driver's confirmation


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


def _count(rng: random.Random, station: Station, profile: tuple[float, float, float], moment: dt.datetime) -> int:
    capacity = station.truck_spaces
    return capacity - round(capacity * _occupancy(rng, moment.astimezone(ZoneInfo(settings.TIME_ZONE)), profile))


def _step(rng: random.Random) -> dt.timedelta:
    """The time between two operator counts."""
    return dt.timedelta(minutes=rng.uniform(30, 60))


def _observe(
    rng: random.Random, station: Station, profile: tuple[float, float, float], moment: dt.datetime, *, tap: bool
) -> list[Report]:
    """An operator's count at `moment` (open by its posted hours) and, now and then when `tap` allows, a driver's
    one-tap confirmation 5–25 min later."""
    capacity = station.truck_spaces
    free = _count(rng, station, profile, moment)
    reports = [Report(StatusSource.OPERATOR, True, free, services.level_for_count(free, capacity), moment)]
    tap_at = moment + dt.timedelta(minutes=rng.uniform(5, 25))
    if tap and rng.random() < _TAP_SHARE and selectors.station_is_open_at(station, tap_at):
        seen = _count(rng, station, profile, tap_at)
        reports.append(Report(StatusSource.DRIVER, None, None, services.level_for_count(seen, capacity), tap_at))
    return reports


def _closing(rng: random.Random, station: Station, day: dt.date) -> dt.datetime:
    """The closing report of a station with posted hours, a few minutes after its closing time on `day`."""
    assert station.closes_at is not None
    closes = dt.datetime.combine(day, station.closes_at, tzinfo=ZoneInfo(settings.TIME_ZONE))
    return closes + dt.timedelta(minutes=rng.uniform(0, 8))


def plan_history(rng: random.Random, half: Half, now: dt.datetime, lag_minutes: float) -> None:
    """Operator counts every 30–60 min while open, back HISTORY from `now - lag`; a closing report at each
    posted closing time; now and then a driver's one-tap confirmation between two counts (never after the latest)."""
    station, tz = half.station, ZoneInfo(settings.TIME_ZONE)
    start = now - HISTORY
    moment = now - dt.timedelta(minutes=lag_minutes)
    reports: list[Report] = []
    while moment > start:
        if selectors.station_is_open_at(station, moment):
            reports += _observe(rng, station, half.profile, moment, tap=bool(reports))
        moment -= _step(rng)
    if station.closes_at is not None:
        day = start.astimezone(tz).date()
        while day <= now.astimezone(tz).date():
            closing = _closing(rng, station, day)
            if start < closing <= now:
                reports.append(Report(StatusSource.OPERATOR, False, None, "", closing))
            day += dt.timedelta(days=1)
    half.reports = sorted(reports, key=lambda r: r.at)


def plan_continuation(
    station: Station,
    profile: tuple[float, float, float],
    *,
    after: dt.datetime,
    last_count: dt.datetime,
    now: dt.datetime,
) -> list[Report]:
    """The history of a demo station continued from `after` (its latest operator report) to `now`, by the rules of
    plan_history: counts every 30–60 min while open, stepping on from `last_count` (its latest count); a closing
    report at each posted closing time; a driver's confirmation now and then between two counts (the one after
    `last_count` too, once the next count has come). Sorted by time, the last one an operator's. `station` must
    read as open by its posted hours only (no live fields).

    Each step draws from an rng seeded by the station and the moment, not from one stream: the history continued
    in pieces (every few minutes) is the one continued at once, and a second run at the same `now` adds nothing."""
    tz = ZoneInfo(settings.TIME_ZONE)

    def rng(part: str, moment: dt.datetime | dt.date) -> random.Random:
        at = moment.astimezone(dt.UTC).isoformat() if isinstance(moment, dt.datetime) else moment.isoformat()
        return random.Random(f"demo-status:{station.pk}:{part}:{at}")

    # (count, the driver's confirmation after it) per count; the first is `last_count`'s, already a row, redrawn
    # from its own rng for its confirmation, which the run that finds the next count adds.
    observed: list[tuple[Report | None, list[Report]]] = []
    first = _observe(rng("count", last_count), station, profile, last_count, tap=True)
    observed.append((None, first[1:]))
    moment = last_count + _step(rng("step", last_count))
    while moment <= now:
        if moment > after and selectors.station_is_open_at(station, moment):
            count, *taps = _observe(rng("count", moment), station, profile, moment, tap=True)
            observed.append((count, taps))
        moment += _step(rng("step", moment))
    reports: list[Report] = []
    for i, (counted, confirmed) in enumerate(observed):
        reports += [counted] if counted is not None else []
        # A confirmation comes between two counts (as in plan_history): the latest count's waits for the next.
        reports += confirmed if i < len(observed) - 1 else []
    if station.closes_at is not None:
        day = after.astimezone(tz).date()
        while day <= now.astimezone(tz).date():
            closing = _closing(rng("closing", day), station, day)
            if after < closing <= now:
                reports.append(Report(StatusSource.OPERATOR, False, None, "", closing))
            day += dt.timedelta(days=1)
    return sorted(reports, key=lambda r: r.at)


def plan_snapshot(rng: random.Random, half: Half, now: dt.datetime) -> None:
    """A synthetic station's one report: fresh for most, hours old for some, none for the rest."""
    roll = rng.random()
    if roll < 0.15:
        return
    age = dt.timedelta(minutes=rng.uniform(2, 55)) if roll < 0.85 else dt.timedelta(hours=rng.uniform(2, 30))
    moment = now - age
    capacity = half.station.truck_spaces
    if selectors.station_is_open_at(half.station, moment):
        free = _count(rng, half.station, half.profile, moment)
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
    rows = []
    for half in halves:
        operator = operators[half.site.key].pk if half.site is not None else None
        rows += _report_rows(half.station.pk, half.reports, operator)
    _insert_rows(StatusReport, _REPORT_FIELDS, rows)
    return len(rows)


def insert_status_rows(station_pk: int, reports: Sequence[Report], operator_pk: int | None) -> None:
    """One station's planned reports as rows, the operator's with `operator_pk` as reporter (drivers' anonymous)."""
    _insert_rows(StatusReport, _REPORT_FIELDS, _report_rows(station_pk, reports, operator_pk))


def insert_profiles(named: Sequence[Half]) -> None:
    """The demo's mark on the stations whose history it writes, with the profile that history follows, so the
    catch-up job (chelun.demo.stations.catch_up) can continue it and knows which stations are the demo's."""
    DemoStation.objects.bulk_create(
        [
            DemoStation(
                station=h.station,
                day_occupancy=h.profile[0],
                night_occupancy=h.profile[1],
                noise=h.profile[2],
                stale_minutes=h.stale_minutes,
            )
            for h in named
        ]
    )


_REPORT_FIELDS = ("station", "source", "is_open", "free_spaces", "level", "observed_at", "reporter")


def _report_rows(station_pk: int, reports: Sequence[Report], operator_pk: int | None) -> list[tuple[Any, ...]]:
    adapt = connection.ops.adapt_datetimefield_value
    return [
        (
            station_pk,
            r.source,
            r.is_open,
            r.free,
            r.level,
            adapt(r.at),
            operator_pk if r.source == StatusSource.OPERATOR else None,
        )
        for r in reports
    ]


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
