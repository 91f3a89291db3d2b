"""Deadlines in working days of China's official calendar (国务院办公厅 holiday notices, with their make-up
working days 调休上班), from the kept library `chinese-calendar`. Pure: no Django.

A deadline of N working days is the end (24:00 Beijing time) of the N-th working day after the day the clock
starts; a clock started on a rest day counts from the next working day the same way. Zero days means the end of
the day it starts if that is a working day, else the end of the next working day.

Past the library's last known year (1.11.0 knows 2004-2026) the State Council has not published the holidays yet:
days count as Monday-Friday working, Saturday/Sunday rest, and `calendar_covers()` says False so a page can warn
that the deadline may move once the year's notice is out (upgrading the pinned library recomputes nothing stored).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import chinese_calendar

BEIJING = ZoneInfo("Asia/Shanghai")
_FIRST_YEAR = min(chinese_calendar.holidays).year
_LAST_YEAR = max(chinese_calendar.holidays).year


def calendar_covers(day: dt.date) -> bool:
    return _FIRST_YEAR <= day.year <= _LAST_YEAR


def is_working_day(day: dt.date) -> bool:
    if calendar_covers(day):
        return bool(chinese_calendar.is_workday(day))
    return day.weekday() < 5  # not published yet: the plain week


def working_days_after(day: dt.date, days: int) -> dt.date:
    """The `days`-th working day after `day` (day itself not counted); days=0: `day` if working, else the next."""
    if days < 0:
        raise ValueError("days must be >= 0")
    current = day
    if days == 0:
        while not is_working_day(current):
            current += dt.timedelta(days=1)
        return current
    counted = 0
    while counted < days:
        current += dt.timedelta(days=1)
        if is_working_day(current):
            counted += 1
    return current


def due_at(start: dt.datetime, days: int) -> dt.datetime:
    """The deadline `days` working days after the aware moment `start`: 24:00 Beijing time of that working day,
    as an aware datetime in Beijing time."""
    if start.tzinfo is None:
        raise ValueError("start must be timezone-aware")
    local = start.astimezone(BEIJING).date()
    if not is_working_day(local) and days > 0:
        # A rest day does not count: start from the previous day so the next working day is day one.
        local = working_days_after(local, 0) - dt.timedelta(days=1)
    last = working_days_after(local, days)
    return dt.datetime.combine(last + dt.timedelta(days=1), dt.time(0, 0), tzinfo=BEIJING)


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days in (start, end]; negative when end is before start (for "N 个工作日后到期" text)."""
    if end < start:
        return -working_days_between(end, start)
    return sum(1 for i in range(1, (end - start).days + 1) if is_working_day(start + dt.timedelta(days=i)))
