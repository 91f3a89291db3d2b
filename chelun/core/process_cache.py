"""The base of every per-process cache: one lock, one staleness check, one contract.

A per-process cache holds something built from the database (a search index, recent history, pre-written JSON) in
the memory of one server process. Each is one object with the same three verbs, so whoever changes data, starts a
server or isolates a test says the same thing to all of them:

- ``warm()``: build now (at server start) rather than in the first request that needs it;
- ``invalidate()``: this process changed the data: check again at the next use instead of waiting for the recheck
  interval (other processes notice within that interval);
- ``clear()``: forget everything (tests; a rolled-back transaction can leave ids and timestamps the next reuses).

Staleness is one rule: the held value is answered as is until ``recheck_seconds()`` have passed since the last check
or ``invalidate()`` was called; then the cache asks ``version()`` (one small query) and rebuilds only if the answer
changed. ``VersionedCache`` implements that whole cycle; caches that refresh in pieces (per station, by new rows)
subclass ``ProcessCache`` and use ``_due()`` / ``_checked()`` for the same rule.

Pure Python plus the standard library's threading: no Django, no domain app.
"""

from __future__ import annotations

import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Hashable
from typing import Generic, TypeVar

T = TypeVar("T")


class ProcessCache(ABC):
    """Lock, staleness flags and the warm / invalidate / clear contract. Subclasses hold their data in attributes
    they (re)set in ``_reset()`` and take ``self._lock`` around every read and write of it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._checked_at = 0.0
        self._stale = True
        self._reset()

    def recheck_seconds(self) -> float:
        """How long a checked value is answered without asking again (0: ask at every use)."""
        return 0.0

    @abstractmethod
    def _reset(self) -> None:
        """Drop the held data (called with the lock held, and once from __init__)."""

    @abstractmethod
    def warm(self) -> None:
        """Build now, so the first request does not pay for it."""

    def invalidate(self) -> None:
        """This process changed the data: the next use checks again at once."""
        with self._lock:
            self._stale = True

    def clear(self) -> None:
        """Forget everything; the next use builds from scratch."""
        with self._lock:
            self._reset()
            self._checked_at = 0.0
            self._stale = True

    def _due(self) -> bool:
        """Whether the held data must be checked again (lock held): invalidated, or checked too long ago."""
        return self._stale or time.monotonic() - self._checked_at >= self.recheck_seconds()

    def _checked(self) -> None:
        """The held data was just checked or rebuilt (lock held)."""
        self._checked_at = time.monotonic()
        self._stale = False


class VersionedCache(ProcessCache, Generic[T]):
    """One value, rebuilt when its version changes. ``get()`` answers the held value while it is fresh (see the
    module's rule), else asks ``version()`` outside the lock (it is a query) and rebuilds under the lock when the
    version moved, so concurrent requests build once."""

    def _reset(self) -> None:
        self._value: T | None = None
        self._version: Hashable = None

    @abstractmethod
    def version(self) -> Hashable:
        """A cheap answer that changes whenever the value must be rebuilt."""

    @abstractmethod
    def build(self) -> T:
        """The value, from the database."""

    def keep(self, value: T) -> bool:
        """Whether a freshly built value is held (False: answered once and built again next time)."""
        return True

    def warm(self) -> None:
        self.get()

    def get(self) -> T:
        with self._lock:
            if self._value is not None and not self._due():
                return self._value
        version = self.version()
        with self._lock:
            if self._value is None or version != self._version:
                value = self.build()
                if not self.keep(value):
                    return value
                self._value, self._version = value, version
            self._checked()
            return self._value
