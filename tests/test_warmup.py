"""config.warmup: a server process fills its station-search caches and freezes its heap before serving."""

from __future__ import annotations

import gc
from unittest import mock

import pytest
from django.db import DatabaseError

from chelun.stations import schemas, selectors
from chelun.stations.tests.factories import make_station
from config.warmup import warm_up


@pytest.fixture
def unfreeze():
    # Closing the connection inside the test's transaction would break the test database's rollback.
    with mock.patch("config.warmup.connections.close_all") as close_all:
        yield close_all
    gc.unfreeze()


def test_warm_up_fills_the_caches_then_freezes(tree, unfreeze, django_assert_num_queries):
    stations = [make_station(org=tree.wuhou_branch, name=f"站{i}", lon=104.0 + i / 10, lat=30.6) for i in range(3)]
    warm_up()
    assert gc.get_freeze_count() > 0 and unfreeze.called
    assert set(selectors.search_catalog.get().stations) == {s.pk for s in stations}
    with django_assert_num_queries(0):  # every card was written at start
        cards = schemas.station_cards.get(list(selectors.search_catalog.get().stations.values()))
    assert set(cards) == {s.pk for s in stations} and all(card.startswith('{"id": ') for card in cards.values())


def test_warm_up_without_a_database_still_starts(db, unfreeze):
    with mock.patch.object(selectors.search_catalog, "get", side_effect=DatabaseError("no such table")):
        warm_up()
    assert gc.get_freeze_count() > 0 and unfreeze.called
