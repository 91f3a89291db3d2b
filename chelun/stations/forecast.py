"""Hour-of-week occupancy forecast (pure; no Django).

History is a list of observations (hour of week 0–168, fraction of spaces free 0–1). The forecast for a target hour
takes the observations within ±window hours of the same hour of week (wrapping round the week), and gives the mean
free fraction with a confidence that grows with the number of samples and shrinks with their spread.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

HOURS_PER_WEEK = 168.0
FORECAST_WINDOW_HOURS = 1.0  # a forecast reads the reports within ±1 h of the same hour of the week
LEVEL_FRACTION = {"plenty": 0.6, "some": 0.15, "full": 0.0}  # a driver's three levels as a free fraction


def report_free_fraction(free: int | None, level: str, is_open: bool | None, capacity: int) -> float | None:
    """One status report as a fraction of spaces free, the one rule every forecast and trend reads reports by:
    a 'closed' report says nothing (None), a count beats a level (count / capacity, capacity at least 1), a level
    is LEVEL_FRACTION, and a report with neither says nothing."""
    if is_open is False:
        return None
    if free is not None:
        return free / max(capacity, 1)
    if level:
        return LEVEL_FRACTION[level]
    return None


@dataclass(frozen=True)
class Forecast:
    expected_free_fraction: float
    expected_free_spaces: int
    confidence: float  # 0..1
    samples: int


def hour_of_week(moment: dt.datetime) -> float:
    """Monday 00:00 is 0; uses the datetime's own timezone (pass local time)."""
    return moment.weekday() * 24 + moment.hour + moment.minute / 60


def _circular_gap(a: float, b: float) -> float:
    gap = abs(a - b) % HOURS_PER_WEEK
    return min(gap, HOURS_PER_WEEK - gap)


def forecast_free(
    history: Sequence[tuple[float, float]],
    *,
    target_how: float,
    capacity: int,
    window_hours: float = FORECAST_WINDOW_HOURS,
) -> Forecast | None:
    """None when there is no observation near that hour of the week."""
    values = [fraction for how, fraction in history if _circular_gap(how, target_how) <= window_hours]
    n = len(values)
    if n == 0:
        return None
    # fsum is exact, so the answer does not depend on the order the history arrives in (database or memory).
    mean = math.fsum(values) / n
    variance = math.fsum((v - mean) ** 2 for v in values) / n
    # Few samples or a wide spread both mean low confidence; 8 consistent weeks give ~0.9.
    sample_factor = n / (n + 1.0)
    spread_factor = 1.0 - min(1.0, 2.0 * math.sqrt(variance))
    confidence = round(max(0.0, min(1.0, sample_factor * spread_factor)), 2)
    mean = max(0.0, min(1.0, mean))
    return Forecast(
        expected_free_fraction=round(mean, 3),
        expected_free_spaces=round(mean * capacity),
        confidence=confidence,
        samples=n,
    )
