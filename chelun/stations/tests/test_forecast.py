import datetime as dt

from chelun.stations.forecast import LEVEL_FRACTION, forecast_free, hour_of_week, report_free_fraction


def test_hour_of_week_counts_from_monday_midnight():
    assert hour_of_week(dt.datetime(2026, 11, 23, 0, 0)) == 0  # a Monday
    assert hour_of_week(dt.datetime(2026, 11, 29, 23, 30)) == 167.5  # the Sunday after


def test_forecast_uses_only_the_same_hour_of_week_and_wraps_round_the_week():
    history = [(0.5, 0.5), (167.8, 0.3), (30.0, 1.0), (0.2, 0.4)]
    result = forecast_free(history, target_how=0.0, capacity=40)
    assert result is not None
    assert result.samples == 3
    assert result.expected_free_fraction == 0.4
    assert result.expected_free_spaces == 16


def test_consistent_history_is_more_confident_than_scattered():
    steady = [(10.0, 0.5)] * 8
    scattered = [(10.0, 0.0), (10.0, 1.0)] * 4
    a = forecast_free(steady, target_how=10.0, capacity=20)
    b = forecast_free(scattered, target_how=10.0, capacity=20)
    assert a is not None and b is not None
    assert a.confidence == round(8 / 9, 2)
    assert b.confidence == 0.0


def test_no_history_near_that_hour_gives_none():
    assert forecast_free([(50.0, 0.5)], target_how=10.0, capacity=20) is None


def test_one_rule_reads_a_report_as_a_free_fraction():
    assert report_free_fraction(10, "", True, 40) == 0.25
    assert report_free_fraction(10, "full", None, 40) == 0.25  # a count beats a level
    assert report_free_fraction(None, "some", None, 40) == LEVEL_FRACTION["some"] == 0.15
    assert report_free_fraction(3, "plenty", False, 40) is None  # 'closed' says nothing about spaces
    assert report_free_fraction(None, "", True, 40) is None  # neither a count nor a level
    assert report_free_fraction(2, "", True, 0) == 2.0  # a station with no recorded spaces counts as one
