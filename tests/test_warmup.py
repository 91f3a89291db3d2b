"""config.warmup: a server process (WSGI or ASGI) fills its station-search caches and freezes its heap before
serving."""

from __future__ import annotations

import asyncio
import gc
import importlib
import sys
import threading
from unittest import mock

import pytest
from django.db import DatabaseError

from chelun.stations.search.basemap import basemap_cache
from chelun.stations.search.cards import station_cards
from chelun.stations.search.catalog import search_catalog
from chelun.stations.tests.factories import make_station
from config import warmup
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
    assert set(search_catalog.get().stations) == {s.pk for s in stations}
    with django_assert_num_queries(0):  # every card was written at start, the base layer read
        cards = station_cards.get(list(search_catalog.get().stations.values()))
        payload, etag = basemap_cache.get()
    assert set(cards) == {s.pk for s in stations} and all(card.startswith('{"id": ') for card in cards.values())
    assert payload.startswith(b'{"type":"FeatureCollection"') and len(etag) == 34


def test_warm_up_without_a_database_still_starts(db, unfreeze):
    with mock.patch.object(search_catalog, "get", side_effect=DatabaseError("no such table")):
        warm_up()
    assert gc.get_freeze_count() > 0 and unfreeze.called


@pytest.mark.parametrize("module", ["config.wsgi", "config.asgi"])
def test_both_server_entry_points_warm_up(module, monkeypatch):
    monkeypatch.setenv("CHELUN_WARM_UP", "1")
    monkeypatch.delitem(sys.modules, module, raising=False)
    with mock.patch.object(warmup, "warm_up") as warm:
        importlib.import_module(module)
    assert warm.call_count == 1


def test_no_warm_up_when_switched_off(monkeypatch):
    monkeypatch.setenv("CHELUN_WARM_UP", "0")
    with mock.patch.object(warmup, "warm_up") as warm:
        warmup.warm_up_if_enabled()
    assert warm.call_count == 0


def test_inside_a_running_event_loop_the_warm_up_runs_off_the_loop(monkeypatch):
    """uvicorn imports the ASGI application inside its loop, where Django refuses database calls."""
    monkeypatch.setenv("CHELUN_WARM_UP", "1")
    seen: list[tuple[bool, str]] = []

    def record() -> None:
        try:
            asyncio.get_running_loop()
            seen.append((True, threading.current_thread().name))
        except RuntimeError:
            seen.append((False, threading.current_thread().name))

    async def start_server() -> None:
        warmup.warm_up_if_enabled()

    with mock.patch.object(warmup, "warm_up", record):
        asyncio.run(start_server())
        warmup.warm_up_if_enabled()  # no loop: on the calling thread
    assert seen == [(False, "chelun-warm-up"), (False, threading.current_thread().name)]
