"""The per-process grid engine for the current coverage: Sichuan's cell table (built once, ~2 s) and the resolved
coverage, rebuilt when a coverage version is added. One component with get / warm / clear, like stations'
search catalogue: the staleness check is one small aggregate query, at most every RECHECK_SECONDS."""

from __future__ import annotations

import threading
import time

import numpy as np
from django.db.models import Count, Max

from chelun.grid.engine import CellTable, Claim, Coverage, GridEngine, resolve_coverage
from chelun.grid.models import CoverageChange, GridCoverage

# Sichuan's outline spans lng 97.35-108.55, lat 26.05-34.32 (shared data); pings are accepted within this box.
SICHUAN_BBOX = (97.3, 26.0, 108.6, 34.4)  # west, south, east, north
RECHECK_SECONDS = 5.0


def coverage_now() -> Coverage:
    """The open claims, resolved by engine.RULE_TEXT."""
    rows = GridCoverage.objects.filter(valid_to__isnull=True).values_list("branch_id", "cell", "priority", "valid_from")
    by_claim: dict[tuple[int, int, float], list[int]] = {}
    for branch_id, cell, priority, valid_from in rows.iterator(chunk_size=20_000):
        by_claim.setdefault((branch_id, priority, valid_from.timestamp()), []).append(cell)
    return resolve_coverage(
        Claim(branch_id=b, cells=np.array(cells, dtype=np.int64), priority=p, assigned_at=at)
        for (b, p, at), cells in by_claim.items()
    )


class _EngineCache:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._table: CellTable | None = None
        self._engine: GridEngine | None = None
        self._key: tuple[object, ...] | None = None
        self._checked_at = 0.0

    def table(self) -> CellTable:
        with self._lock:
            if self._table is None:
                self._table = CellTable.for_bbox(*SICHUAN_BBOX)
            return self._table

    def get(self) -> GridEngine:
        with self._lock:
            if self._engine is not None and time.monotonic() - self._checked_at < RECHECK_SECONDS:
                return self._engine
        key = tuple(CoverageChange.objects.aggregate(n=Count("id"), last=Max("id")).values())
        table = self.table()
        with self._lock:
            if self._engine is None or key != self._key:
                self._engine = GridEngine(table, coverage_now())
                self._key = key
            self._checked_at = time.monotonic()
            return self._engine

    def warm(self) -> None:
        self.get()

    def invalidate(self) -> None:
        """Coverage changed in this process: rebuild on next use (the cell table stays)."""
        with self._lock:
            self._engine, self._key, self._checked_at = None, None, 0.0

    def clear(self) -> None:
        with self._lock:
            self._engine, self._key, self._checked_at, self._table = None, None, 0.0, None


grid_engine = _EngineCache()
