"""Forecasts of free spaces at a moment (a driver's ETA) and the short-term trend, from the status history.

Both paths end in the pure forecast.forecast_free over reports read by the one rule forecast.report_free_fraction:
the in-memory history (search.history) for result lists, the database for one station and for moments before the
memory's window."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.db import connection
from django.utils import timezone

from chelun.stations.forecast import (
    FORECAST_WINDOW_HOURS,
    Forecast,
    forecast_free,
    hour_of_week,
    report_free_fraction,
)
from chelun.stations.models import Station, StatusReport
from chelun.stations.search.history import status_history

if TYPE_CHECKING:
    from chelun.stations.search.catalog import SearchStation

    StationLike = Station | SearchStation

FORECAST_STATIONS_PER_QUERY = 25


def station_forecast(station: Station, *, at: dt.datetime, weeks: int = 8) -> Forecast | None:
    """Expected free spaces at `at` from the last `weeks` weeks of status history (same hour of week ±1 h), read
    from the database: station_forecasts_from_db for one station (the reference the in-memory path is held to)."""
    return station_forecasts_from_db(targets=[(station, at)], weeks=weeks)[station.pk]


def station_forecasts(
    *, targets: Sequence[tuple[StationLike, dt.datetime]], weeks: int = 8
) -> dict[int, Forecast | None]:
    """Forecasts for several stations at once, each at its own moment: {station id: forecast}. The one fast path:
    from the in-memory history (search.history) when it covers the targets, else from the database in one query (a
    result list must not cost a query per row). Gives exactly what station_forecast gives for each."""
    if not targets:
        return {}
    cached = status_history.forecasts(targets, weeks=weeks, now=timezone.now())
    return cached if cached is not None else station_forecasts_from_db(targets=targets, weeks=weeks)


def station_forecasts_from_db(
    *, targets: Sequence[tuple[StationLike, dt.datetime]], weeks: int = 8
) -> dict[int, Forecast | None]:
    """station_forecasts reading the database: the reference, and the answer for targets before the in-memory
    window."""
    if not targets:
        return {}
    window = dt.timedelta(weeks=weeks)
    # Only reports within ±FORECAST_WINDOW_HOURS of the same time of week count, so fetch just those slices (one
    # per past week) instead of eight weeks of history: same rows for the forecast, a hundredth of the reading.
    # (Exact because Beijing time has no daylight saving: a week back is the same local hour.)
    half = dt.timedelta(hours=FORECAST_WINDOW_HOURS)
    adapt = connection.ops.adapt_datetimefield_value
    rows: list[tuple[int, int, dt.datetime, int | None, str, bool | None]] = []
    # SQLite caps an expression tree at depth 1000, so a long result list is read in chunks of stations.
    for start in range(0, len(targets), FORECAST_STATIONS_PER_QUERY):
        clauses, params = [], []
        for station, at in targets[start : start + FORECAST_STATIONS_PER_QUERY]:
            for k in range(weeks + 1):
                centre = at - dt.timedelta(weeks=k)
                clauses.append("(station_id = %s AND observed_at >= %s AND observed_at <= %s AND observed_at < %s)")
                params += [station.pk, adapt(max(centre - half, at - window)), adapt(centre + half), adapt(at)]
        # Plain SQL for the slices: building the same filter from ~100 Q objects cost more than the query itself.
        rows += (
            StatusReport.objects.extra(where=[" OR ".join(clauses)], params=params)  # noqa: S610 (no user text)
            .order_by()
            .values_list("id", "station_id", "observed_at", "free_spaces", "level", "is_open")
        )
    by_station: dict[int, list[tuple[dt.datetime, int | None, str, bool | None]]] = defaultdict(list)
    # Two chunks can both hold a station (several targets for it): each report counts once.
    for _, station_id, observed_at, free, level, is_open in {row[0]: row for row in rows}.values():
        by_station[station_id].append((observed_at, free, level, is_open))
    result: dict[int, Forecast | None] = {}
    for station, at in targets:
        capacity = max(station.truck_spaces, 1)
        history = []
        for observed_at, free, level, is_open in by_station[station.pk]:
            if not at - window <= observed_at < at:
                continue
            fraction = report_free_fraction(free, level, is_open, capacity)
            if fraction is not None:
                history.append((hour_of_week(timezone.localtime(observed_at)), fraction))
        result[station.pk] = forecast_free(
            history,
            target_how=hour_of_week(timezone.localtime(at)),
            capacity=station.truck_spaces,
            window_hours=FORECAST_WINDOW_HOURS,
        )
    return result


TREND_LOOKBACK = dt.timedelta(hours=3)


def station_trends(*, stations: Sequence[Station], now: dt.datetime | None = None) -> dict[int, str]:
    """TPIMS-style trend from each station's last two status reports within the last 3 hours: 'filling' when the
    free fraction fell, 'clearing' when it rose, 'steady' when equal. Stations with fewer than two usable reports
    (or a 'closed' report among the two) are left out. Freshness is the caller's business (see station_live_status).
    """
    now = now or timezone.now()
    capacity = {station.pk: max(station.truck_spaces, 1) for station in stations}
    rows = (
        StatusReport.objects.filter(
            station_id__in=list(capacity), observed_at__gt=now - TREND_LOOKBACK, observed_at__lte=now
        )
        .order_by("station_id", "-observed_at", "-id")
        .values_list("station_id", "free_spaces", "level", "is_open")
    )
    latest_two: dict[int, list[float | None]] = defaultdict(list)
    for station_id, free, level, is_open in rows:
        if len(latest_two[station_id]) < 2:
            latest_two[station_id].append(report_free_fraction(free, level, is_open, capacity[station_id]))
    trends = {}
    for station_id, pair in latest_two.items():
        if len(pair) < 2:
            continue
        latest, previous = pair[0], pair[1]
        if latest is None or previous is None:
            continue
        trends[station_id] = "filling" if latest < previous else "clearing" if latest > previous else "steady"
    return trends
