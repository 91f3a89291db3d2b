"""The stations app answers core.navigation's "does this user run a station?" (the landing page and menu ask it)."""

from chelun.core import navigation
from chelun.stations.operator_queue import operates_any_station


def test_stations_answer_for_station_operators():
    assert navigation._PROBES[navigation.STATION_OPERATOR] is operates_any_station
