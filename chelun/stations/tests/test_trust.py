"""The trust rule (issue 10.3), pure: no database. Runs with ``pytest -p no:django``."""

from __future__ import annotations

import datetime as dt

from ..trust import DriverReport, DriverSummary, OperatorFigure, Verdict, decide

T0 = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC)
COUNT = OperatorFigure(level="plenty", free_spaces=17, observed_at=T0)


def m(minutes: float) -> dt.datetime:
    return T0 + dt.timedelta(minutes=minutes)


def tap(level: str, minute: float, who: str, signed_in: bool = False) -> DriverReport:
    return DriverReport(level, m(minute), who, signed_in)


def test_one_anonymous_tap_shows_beside_a_fresh_count_and_does_not_replace_it() -> None:
    verdict = decide(COUNT, [tap("some", 20, "device:a")], m(20))
    assert verdict == Verdict("operator", "plenty", 17, T0, DriverSummary(1, "some", 1, 1, False))
    assert verdict.drivers is not None and verdict.drivers.line == "1 位司机 1 分钟内反馈：车位紧张"


def test_three_distinct_phones_agreeing_take_the_headline() -> None:
    taps = [tap("some", 10, "device:a"), tap("some", 15, "device:b"), tap("some", 20, "device:c")]
    verdict = decide(COUNT, taps, m(20))
    assert verdict == Verdict("drivers", "some", None, m(20), DriverSummary(3, "some", 10, 3, True))
    assert verdict.drivers is not None and verdict.drivers.line == "3 位司机 10 分钟内反馈：车位紧张"


def test_one_phone_tapping_many_times_counts_once_with_its_latest_word() -> None:
    taps = [tap("full", 10, "device:a"), tap("full", 12, "device:a"), tap("some", 14, "device:a")]
    assert decide(COUNT, taps, m(15)).drivers == DriverSummary(1, "some", 1, 1, False)
    assert decide(COUNT, taps, m(15)).source == "operator"


def test_a_signed_in_report_weighs_two_so_an_account_and_a_phone_agree() -> None:
    taps = [tap("full", 10, "user:7", signed_in=True), tap("full", 11, "device:b")]
    assert decide(COUNT, taps, m(12)) == Verdict("drivers", "full", 0, m(11), DriverSummary(2, "full", 2, 3, True))
    # An account alone is not enough.
    assert decide(COUNT, taps[:1], m(12)).source == "operator"


def test_agreement_needs_a_majority_and_to_differ_from_the_count() -> None:
    split = [tap("full", 10, f"device:{c}") for c in "abc"] + [tap("plenty", 11, f"device:{c}") for c in "def"]
    verdict = decide(COUNT, split, m(12))
    assert (verdict.source, verdict.free_spaces) == ("operator", 17)  # 3 against 3: no majority
    assert verdict.drivers == DriverSummary(3, "full", 2, 3, False)  # a tie shows the cautious word
    agreeing = [tap("plenty", 10, f"device:{c}") for c in "abc"]
    assert decide(COUNT, agreeing, m(12)).source == "operator"  # they agree with the count: it stands


def test_reports_before_the_count_or_outside_the_window_do_not_count() -> None:
    before = [tap("full", -5, f"device:{c}") for c in "abc"]
    assert decide(COUNT, before, m(5)) == Verdict("operator", "plenty", 17, T0, None)
    late = OperatorFigure("plenty", 17, m(-50))
    old = [tap("full", -40, f"device:{c}") for c in "abc"]  # 40 min ago, window is 15
    assert decide(late, old, m(0)).drivers is None


def test_without_a_fresh_count_the_latest_driver_word_is_the_headline() -> None:
    stale = OperatorFigure("plenty", 17, m(-61))
    assert decide(stale, [tap("full", -1, "device:a")], m(0)) == Verdict(
        "drivers", "full", 0, m(-1), DriverSummary(1, "full", 1, 1, False)
    )
    assert decide(None, [tap("some", -2, "")], m(0)).source == "drivers"
    assert decide(None, [], m(0)) == Verdict("none", "", None, None, None)
    # Reports from unknown reporters each count as their own.
    unknown = [tap("full", -3, ""), tap("full", -2, ""), tap("full", -1, "")]
    assert decide(COUNT, [*unknown], m(5)).source == "operator"  # before the count: answered by it
    assert decide(COUNT, [tap("full", 1, ""), tap("full", 2, ""), tap("full", 3, "")], m(5)).source == "drivers"
