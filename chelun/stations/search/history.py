"""The status history behind forecasts, in memory per process: a result list's forecasts cost no query."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import numpy as np
from django.utils import timezone

from chelun.core.process_cache import ProcessCache
from chelun.stations.forecast import (
    FORECAST_WINDOW_HOURS,
    HOURS_PER_WEEK,
    Forecast,
    forecast_free,
    hour_of_week,
    report_free_fraction,
)
from chelun.stations.models import StatusReport
from chelun.stations.search.catalog import recheck_seconds


class StatusHistoryCache(ProcessCache):
    """Recent status reports in memory, per station as arrays, so a result list's forecasts cost no query.

    Holds every usable report (not 'closed', with a count or a level) observed since the forecast window (8 weeks)
    plus HORIZON before the last full read. New reports are read by id at most every
    STATION_SEARCH_RECHECK_SECONDS (services call search.invalidate() on commit, so this process sees its own at once);
    the whole window is re-read every RELOAD, which also drops reports that have aged out. A forecast whose window
    starts before the loaded window is left to the database (`forecasts` answers None).

    Reading by id can miss a report whose transaction commits after one with a higher id was read (PostgreSQL hands
    out ids before commit); such a report joins at the next full read, so a forecast may lack one sample for hours."""

    HORIZON = dt.timedelta(days=3)
    RELOAD = dt.timedelta(hours=6)

    def recheck_seconds(self) -> float:
        return recheck_seconds()

    def _reset(self) -> None:
        # station id -> (observed µs since the epoch, hour of week, free count or NaN, level fraction or NaN)
        self._arrays: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = {}
        self._start: dt.datetime | None = None
        self._loaded_at: dt.datetime | None = None
        self._last_id = 0

    def warm(self, *, weeks: int = 8) -> None:
        """Read the window now (at server start) rather than in the first search that needs a forecast."""
        with self._lock:
            self._refresh(timezone.now(), weeks)

    def _refresh(self, now: dt.datetime, weeks: int) -> None:
        if self._loaded_at is None or now - self._loaded_at > self.RELOAD or now < self._loaded_at:
            start = now - dt.timedelta(weeks=weeks) - self.HORIZON
            rows = StatusReport.objects.filter(observed_at__gte=start)
            self._arrays, self._start, self._loaded_at, self._last_id = {}, start, now, 0
        elif self._due():
            rows = StatusReport.objects.filter(pk__gt=self._last_id, observed_at__gte=self._start)
        else:
            return
        fresh: dict[int, list[tuple[int, float, float, float]]] = defaultdict(list)
        last_id = self._last_id
        for pk, station_id, observed_at, free, level, is_open in rows.order_by().values_list(
            "id", "station_id", "observed_at", "free_spaces", "level", "is_open"
        ):
            last_id = max(last_id, pk)
            # The one rule (report_free_fraction): a count is kept as a count, divided by the capacity of the
            # station a forecast asks about; a level is kept as its fraction; a report that says nothing is dropped.
            reading = report_free_fraction(free, level, is_open, 1)
            if reading is None:
                continue
            fresh[station_id].append(
                (
                    (observed_at - _EPOCH) // _MICROSECOND,
                    hour_of_week(timezone.localtime(observed_at)),
                    float(free) if free is not None else np.nan,
                    reading if free is None else np.nan,
                )
            )
        for station_id, items in fresh.items():
            columns = [np.array(column) for column in zip(*items, strict=True)]
            columns[0] = columns[0].astype(np.int64)
            old = self._arrays.get(station_id)
            if old is not None:
                columns = [np.concatenate((a, b)) for a, b in zip(old, columns, strict=True)]
            order = np.argsort(columns[1], kind="stable")  # by hour of week: a forecast reads a 2-hour slice
            self._arrays[station_id] = (columns[0][order], columns[1][order], columns[2][order], columns[3][order])
        self._last_id = last_id
        self._checked()

    def forecasts(
        self, targets: Sequence[tuple[Any, dt.datetime]], *, weeks: int, now: dt.datetime
    ) -> dict[int, Forecast | None] | None:
        """station_forecasts from memory, or None when some target's window reaches before the loaded one."""
        window = dt.timedelta(weeks=weeks)
        with self._lock:
            self._refresh(now, weeks)
            assert self._start is not None
            if any(at - window < self._start for _, at in targets):
                return None
            hows = _hours_of_week([at for _, at in targets])
            # Gather each target's candidate rows (its station's reports within a 2-hour slice of the week), then
            # test them all at once; forecast_free gets each target's rows as the database path would give them.
            pieces: list[tuple[int, np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
            for i, (station, _) in enumerate(targets):
                arrays = self._arrays.get(station.pk)
                if arrays is not None:
                    for start, stop in _slice_bounds(arrays[1], hows[i]):
                        if stop > start:
                            pieces.append((i, *(column[start:stop] for column in arrays)))  # type: ignore[arg-type]
            histories: dict[int, list[tuple[float, float]]] = {}
            if pieces:
                owner = np.repeat([p[0] for p in pieces], [len(p[1]) for p in pieces])
                observed, how, free, level_fraction = (np.concatenate([p[k] for p in pieces]) for k in range(1, 5))
                at_us = np.array([(at - _EPOCH) // _MICROSECOND for _, at in targets], dtype=np.int64)[owner]
                capacity = np.array([max(station.truck_spaces, 1) for station, _ in targets])[owner]
                keep = (observed >= at_us - window // _MICROSECOND) & (observed < at_us)
                fraction = np.where(np.isnan(free), level_fraction, free / capacity)  # report_free_fraction, in arrays
                for i, how_value, fraction_value in zip(
                    owner[keep].tolist(), how[keep].tolist(), fraction[keep].tolist(), strict=True
                ):
                    histories.setdefault(i, []).append((how_value, fraction_value))
            return {
                station.pk: forecast_free(
                    histories.get(i, []),
                    target_how=hows[i],
                    capacity=station.truck_spaces,
                    window_hours=FORECAST_WINDOW_HOURS,
                )
                for i, (station, _) in enumerate(targets)
            }


def _hours_of_week(moments: Sequence[dt.datetime]) -> list[float]:
    """hour_of_week(timezone.localtime(m)) for each moment: with one UTC offset over all of them (no daylight-saving
    change between, as in Beijing time), a fixed-offset conversion gives the same local time for less."""
    offsets = {timezone.localtime(min(moments)).utcoffset(), timezone.localtime(max(moments)).utcoffset()}
    if len(offsets) != 1 or None in offsets:
        return [hour_of_week(timezone.localtime(m)) for m in moments]
    zone = dt.timezone(offsets.pop())  # type: ignore[arg-type]
    return [hour_of_week(m.astimezone(zone)) for m in moments]


def _slice_bounds(how: np.ndarray, target: float) -> list[tuple[int, int]]:
    """[start, stop) ranges of `how` (sorted hours of week) within the forecast window of `target`, wrapping round
    the week. A hair wider than the window: forecast_free applies the exact test to what is found."""
    reach = FORECAST_WINDOW_HOURS + 1e-6
    lo, hi = target - reach, target + reach
    ranges = [(max(lo, 0.0), min(hi, HOURS_PER_WEEK))]
    if lo < 0:
        ranges.append((lo + HOURS_PER_WEEK, HOURS_PER_WEEK))
    if hi > HOURS_PER_WEEK:
        ranges.append((0.0, hi - HOURS_PER_WEEK))
    return [(int(how.searchsorted(a, side="left")), int(how.searchsorted(b, side="right"))) for a, b in ranges]


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_MICROSECOND = dt.timedelta(microseconds=1)
status_history = StatusHistoryCache()
