"""core.process_cache: the one staleness rule every per-process cache follows (no database needed)."""

from __future__ import annotations

import threading
from collections.abc import Hashable
from unittest import mock

import pytest

from chelun.core import process_cache
from chelun.core.process_cache import ProcessCache, VersionedCache


class Counted(VersionedCache[str]):
    """A cache over a 'database' that is one mutable version number; counts what it asks."""

    def __init__(self, recheck: float = 10.0) -> None:
        self.source = 1
        self.recheck = recheck
        self.versions_asked = 0
        self.builds = 0
        self.empty = False
        super().__init__()

    def recheck_seconds(self) -> float:
        return self.recheck

    def version(self) -> Hashable:
        self.versions_asked += 1
        return self.source

    def build(self) -> str:
        self.builds += 1
        return "" if self.empty else f"value {self.source}"

    def keep(self, value: str) -> bool:
        return value != ""


@pytest.fixture
def clock():
    """time.monotonic as the module sees it, moved by hand."""
    now = [1000.0]
    with mock.patch.object(process_cache.time, "monotonic", lambda: now[0]):
        yield now


def test_a_fresh_value_is_answered_without_asking(clock):
    cache = Counted()
    assert cache.get() == "value 1"
    cache.source = 2
    clock[0] += 9.9
    assert cache.get() == "value 1"
    assert (cache.versions_asked, cache.builds) == (1, 1)


def test_after_the_recheck_interval_the_version_is_asked_and_a_change_rebuilds(clock):
    cache = Counted()
    cache.get()
    clock[0] += 10.0
    assert cache.get() == "value 1"  # asked, unchanged: not rebuilt
    assert (cache.versions_asked, cache.builds) == (2, 1)
    cache.source = 2
    clock[0] += 10.0
    assert cache.get() == "value 2"
    assert (cache.versions_asked, cache.builds) == (3, 2)


def test_invalidate_makes_the_next_use_check_at_once(clock):
    cache = Counted()
    cache.get()
    cache.source = 2
    cache.invalidate()
    assert cache.get() == "value 2"
    assert cache.get() == "value 2"  # checked again: fresh until the interval passes
    assert (cache.versions_asked, cache.builds) == (2, 2)


def test_invalidate_with_an_unchanged_version_does_not_rebuild(clock):
    cache = Counted()
    cache.get()
    cache.invalidate()
    cache.get()
    assert (cache.versions_asked, cache.builds) == (2, 1)


def test_clear_forgets_the_value_even_when_the_version_is_the_same(clock):
    cache = Counted()
    cache.get()
    cache.clear()
    assert cache.get() == "value 1"
    assert (cache.versions_asked, cache.builds) == (2, 2)


def test_warm_builds_so_the_first_get_does_not(clock):
    cache = Counted()
    cache.warm()
    assert cache.builds == 1
    cache.get()
    assert (cache.versions_asked, cache.builds) == (1, 1)


def test_a_value_the_cache_does_not_keep_is_built_again_next_time(clock):
    cache = Counted()
    cache.empty = True
    assert cache.get() == ""
    assert cache.get() == ""
    assert cache.builds == 2
    cache.empty = False
    assert cache.get() == "value 1"
    assert cache.get() == "value 1"
    assert cache.builds == 3


def test_recheck_zero_asks_at_every_use(clock):
    cache = Counted(recheck=0.0)
    cache.get()
    cache.get()
    assert (cache.versions_asked, cache.builds) == (2, 1)


def test_concurrent_first_uses_build_once():
    cache = Counted()
    started = threading.Barrier(8)

    def use() -> None:
        started.wait()
        cache.get()

    threads = [threading.Thread(target=use) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert cache.builds == 1


class Pieces(ProcessCache):
    """A cache that refreshes in pieces, on the base's staleness rule."""

    def recheck_seconds(self) -> float:
        return 5.0

    def _reset(self) -> None:
        self.items: dict[int, str] = {}

    def warm(self) -> None:
        with self._lock:
            self.items[1] = "one"
            self._checked()

    def due(self) -> bool:
        with self._lock:
            return self._due()


def test_the_base_rule_for_caches_that_refresh_in_pieces(clock):
    cache = Pieces()
    assert cache.due()  # never checked
    cache.warm()
    assert not cache.due()
    clock[0] += 5.0
    assert cache.due()
    cache.warm()
    cache.invalidate()
    assert cache.due()
    cache.clear()
    assert cache.items == {} and cache.due()
