"""Working-day deadlines on the real calendar (no database)."""

import datetime as dt

import pytest

from chelun.appeals import sla

B = sla.BEIJING


def test_national_day_2025_and_its_make_up_saturday():
    # 2025: 10-01..10-08 off; Sunday 09-28 and Saturday 10-11 are make-up working days.
    assert sla.is_working_day(dt.date(2025, 10, 1)) is False
    assert sla.is_working_day(dt.date(2025, 10, 8)) is False
    assert sla.is_working_day(dt.date(2025, 9, 28)) is True
    assert sla.is_working_day(dt.date(2025, 10, 11)) is True
    assert sla.is_working_day(dt.date(2025, 10, 12)) is False


def test_spring_festival_2026_with_its_make_up_days():
    # 2026: 02-15..02-23 off; Saturday 02-14 and Saturday 02-28 are make-up working days.
    assert sla.is_working_day(dt.date(2026, 2, 14)) is True
    assert sla.is_working_day(dt.date(2026, 2, 16)) is False
    assert sla.is_working_day(dt.date(2026, 2, 23)) is False
    assert sla.is_working_day(dt.date(2026, 2, 24)) is True
    assert sla.is_working_day(dt.date(2026, 2, 28)) is True


def test_a_deadline_across_national_day_lands_after_the_holiday_and_counts_the_make_up_saturday():
    start = dt.datetime(2025, 9, 30, 15, 0, tzinfo=B)  # a Tuesday, the last working day before the holiday
    assert sla.due_at(start, 1) == dt.datetime(2025, 10, 10, 0, 0, tzinfo=B)  # end of Thu 10-09
    assert sla.due_at(start, 2) == dt.datetime(2025, 10, 11, 0, 0, tzinfo=B)  # end of Fri 10-10
    assert sla.due_at(start, 3) == dt.datetime(2025, 10, 12, 0, 0, tzinfo=B)  # end of make-up Sat 10-11
    assert sla.due_at(start, 4) == dt.datetime(2025, 10, 14, 0, 0, tzinfo=B)  # end of Mon 10-13


def test_a_clock_started_on_a_holiday_counts_from_the_next_working_day():
    start = dt.datetime(2026, 2, 17, 10, 0, tzinfo=B)  # Spring Festival holiday
    assert sla.due_at(start, 1) == dt.datetime(2026, 2, 25, 0, 0, tzinfo=B)  # end of Tue 02-24
    assert sla.due_at(start, 0) == dt.datetime(2026, 2, 25, 0, 0, tzinfo=B)


def test_a_utc_start_is_read_in_beijing_time():
    # 2025-09-30 17:00 UTC is 10-01 01:00 in Beijing: already the holiday.
    start = dt.datetime(2025, 9, 30, 17, 0, tzinfo=dt.UTC)
    assert sla.due_at(start, 1) == dt.datetime(2025, 10, 10, 0, 0, tzinfo=B)


def test_past_the_librarys_last_year_the_plain_week_counts_and_it_says_so():
    assert sla.calendar_covers(dt.date(2026, 12, 31)) is True
    assert sla.calendar_covers(dt.date(2027, 1, 4)) is False
    assert sla.is_working_day(dt.date(2027, 1, 1)) is True  # a Friday: New Year unknown until published
    assert sla.is_working_day(dt.date(2027, 1, 2)) is False
    start = dt.datetime(2026, 12, 31, 9, 0, tzinfo=B)  # Thursday
    assert sla.due_at(start, 2) == dt.datetime(2027, 1, 5, 0, 0, tzinfo=B)  # Fri 01-01, Mon 01-04


def test_working_days_between_counts_only_working_days():
    assert sla.working_days_between(dt.date(2025, 9, 30), dt.date(2025, 10, 11)) == 3
    assert sla.working_days_between(dt.date(2025, 10, 11), dt.date(2025, 9, 30)) == -3


def test_naive_start_and_negative_days_are_refused():
    with pytest.raises(ValueError):
        sla.due_at(dt.datetime(2025, 1, 2, 9, 0), 1)
    with pytest.raises(ValueError):
        sla.working_days_after(dt.date(2025, 1, 2), -1)
