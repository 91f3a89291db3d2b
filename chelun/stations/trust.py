"""Whose word a station's parking headline takes: the trust rule, pure (no Django, no database).

One anonymous "车位少" tap used to replace the operator's "空余车位 17 个" for everyone. The rule now:

* An operator's (or sensor's) figure stands while it is fresh (``fresh_minutes``, the live status's 60).
* Driver reports newer than it, within ``window_minutes``, are shown beside it ("3 位司机 10 分钟内反馈：车位紧张")
  and change the headline only by independent agreement: each reporter (account, else device) counts once, with
  its latest report, so one phone cannot vote twice; a signed-in report weighs ``SIGNED_IN_WEIGHT``, an anonymous
  one ``ANONYMOUS_WEIGHT``; the drivers' level takes the headline when its weight reaches ``AGREEMENT_WEIGHT`` and
  is more than all other levels together. (Per-device throttling of the taps themselves is the service's
  5-minute limit; this rule only counts what got through.)
* With no fresh operator figure there is nothing to protect: the latest driver report is the headline, marked as
  a driver's.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

PLENTY, SOME, FULL = "plenty", "some", "full"
SIGNED_IN_WEIGHT = 2
ANONYMOUS_WEIGHT = 1
# Three phones, or an account and a phone, must agree to overrule a fresh operator count.
AGREEMENT_WEIGHT = 3
WINDOW_MINUTES = 15
FRESH_MINUTES = 60
_SAYS = {PLENTY: "车位充足", SOME: "车位紧张", FULL: "已满"}

Source = Literal["operator", "drivers", "none"]


@dataclass(frozen=True, slots=True)
class OperatorFigure:
    """The latest operator or sensor report: its level (from the count), count and time."""

    level: str
    free_spaces: int | None
    observed_at: dt.datetime


@dataclass(frozen=True, slots=True)
class DriverReport:
    level: str
    observed_at: dt.datetime
    reporter: str  # "user:<pk>" or "device:<hash>"; empty = unknown, counted as its own reporter
    signed_in: bool = False


@dataclass(frozen=True, slots=True)
class DriverSummary:
    """Drivers' recent word, for the line beside the headline."""

    reporters: int  # distinct reporters saying ``level``
    level: str
    minutes: int  # since the earliest of those reports (at least 1)
    weight: int
    agreed: bool  # enough independent weight to take the headline

    @property
    def line(self) -> str:
        return f"{self.reporters} 位司机 {self.minutes} 分钟内反馈：{_SAYS.get(self.level, self.level)}"


@dataclass(frozen=True, slots=True)
class Verdict:
    """The headline's source and level, and the drivers' line (None when no driver has spoken lately)."""

    source: Source
    level: str
    free_spaces: int | None
    observed_at: dt.datetime | None
    drivers: DriverSummary | None


def decide(
    operator: OperatorFigure | None,
    reports: Sequence[DriverReport],
    now: dt.datetime,
    *,
    fresh_minutes: int = FRESH_MINUTES,
    window_minutes: int = WINDOW_MINUTES,
) -> Verdict:
    """The trust rule (see the module docstring). ``reports`` in any order."""
    fresh = operator is not None and dt.timedelta(0) <= now - operator.observed_at <= dt.timedelta(
        minutes=fresh_minutes
    )
    since = now - dt.timedelta(minutes=window_minutes)
    if fresh and operator is not None:
        since = max(since, operator.observed_at)  # what drivers said before the count is answered by it
    latest: dict[str, DriverReport] = {}
    for i, report in enumerate(reports):
        if not since <= report.observed_at <= now:
            continue
        key = report.reporter or f"unknown:{i}"
        if key not in latest or report.observed_at > latest[key].observed_at:
            latest[key] = report
    summary = _summary(list(latest.values()), now)

    if fresh and operator is not None:
        if summary is not None and summary.agreed and summary.level != operator.level:
            return _drivers(summary, list(latest.values()))
        return Verdict("operator", operator.level, operator.free_spaces, operator.observed_at, summary)
    if latest:
        last = max(latest.values(), key=lambda r: r.observed_at)
        return Verdict("drivers", last.level, 0 if last.level == FULL else None, last.observed_at, summary)
    return Verdict("none", "", None, None, None)


def _summary(reports: list[DriverReport], now: dt.datetime) -> DriverSummary | None:
    if not reports:
        return None
    weights: dict[str, int] = {}
    for r in reports:
        weights[r.level] = weights.get(r.level, 0) + (SIGNED_IN_WEIGHT if r.signed_in else ANONYMOUS_WEIGHT)
    # Heaviest level; on a tie the more cautious one (full before some before plenty) is shown.
    caution = {FULL: 0, SOME: 1, PLENTY: 2}
    level = min(weights, key=lambda lv: (-weights[lv], caution.get(lv, 3)))
    saying = [r for r in reports if r.level == level]
    weight = weights[level]
    earliest = min(r.observed_at for r in saying)
    minutes = max(1, math.ceil((now - earliest).total_seconds() / 60))
    agreed = weight >= AGREEMENT_WEIGHT and weight > sum(weights.values()) - weight
    return DriverSummary(len(saying), level, minutes, weight, agreed)


def _drivers(summary: DriverSummary, reports: list[DriverReport]) -> Verdict:
    observed = max(r.observed_at for r in reports if r.level == summary.level)
    return Verdict("drivers", summary.level, 0 if summary.level == FULL else None, observed, summary)
