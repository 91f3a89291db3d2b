"""Benchmark: location pings -> H3 cell -> responsible grid branch, engine vs an honest polygon baseline.

Run from the repo root:  .venv/bin/python bench/grid_assign.py [--quick]

Coverage: the expressway corridors of ../shared/data/sichuan/expressways_approx.geojson (or CHELUN_SHARED_DATA),
one ring of res-7 cells around each line, cut into 531 stretches, one per grid branch; each branch also claims the
first three cells of the next stretch, so every hand-over is an overlap the rule resolves. Pings (fixed seed):
70 % within ~4 km of a corridor, 30 % anywhere in Sichuan's bounding box.

- engine: chelun.grid.engine.GridEngine.assign (numpy lattice rounding + a dense cell table, h3 fallback).
- baseline: each branch's responsible cells dissolved into polygons, shapely 2 STRtree.query(points,
  predicate="within"), vectorised.
Both index builds are outside the timing (built once per coverage version). Rates are best-of-rounds pings/s.
Every disagreement must lie within 1 m of a cell edge (the engine follows h3.latlng_to_cell there; shapely's
straight polygon edges differ from H3's great-circle edges by centimetres). Prints a table, then one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import itertools

from chelun.grid.corridors import load_lines, stretches_along
from chelun.grid.engine import (
    CellTable,
    Claim,
    GridEngine,
    PolygonBaseline,
    distance_to_cell_edge_m,
    resolve_coverage,
)

SEED = 20261204
BRANCHES = 531
SICHUAN_BBOX = (97.3, 26.0, 108.6, 34.4)  # west, south, east, north


def shared_data_dir() -> Path:
    default = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "sichuan"
    return Path(os.environ.get("CHELUN_SHARED_DATA", default))


def make_pings(lines: list[list[tuple[float, float]]], n: int, rng: np.random.Generator) -> tuple[np.ndarray, ...]:
    n_road = int(n * 0.7)
    seg = [(a, b) for line in lines for a, b in itertools.pairwise(line)]
    pick = rng.integers(0, len(seg), n_road)
    t = rng.random(n_road)
    a = np.array([seg[k][0] for k in pick])
    b = np.array([seg[k][1] for k in pick])
    lon = a[:, 0] + (b[:, 0] - a[:, 0]) * t + rng.normal(0, 0.02, n_road)
    lat = a[:, 1] + (b[:, 1] - a[:, 1]) * t + rng.normal(0, 0.02, n_road)
    w, s, e, nn = SICHUAN_BBOX
    lon = np.concatenate([lon, rng.uniform(w, e, n - n_road)])
    lat = np.concatenate([lat, rng.uniform(s, nn, n - n_road)])
    keep = (lon > w) & (lon < e) & (lat > s) & (lat < nn)
    order = rng.permutation(int(keep.sum()))
    return lat[keep][order], lon[keep][order]


def best_rate(fn, n: int, rounds: int) -> float:
    best = float("inf")
    for _ in range(rounds):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return n / best


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    n = 200_000 if args.quick else 2_000_000
    rounds = 3 if args.quick else 5
    rng = np.random.default_rng(SEED)

    lines = [line for _, line in load_lines(shared_data_dir() / "expressways_approx.geojson")]
    t0 = time.perf_counter()
    stretches = stretches_along(lines, BRANCHES)
    claims = [
        Claim(branch_id=k + 1, cells=cells + nxt[:3], priority=100 - (k % 3), assigned_at=float(k))
        for k, (cells, nxt) in enumerate(zip(stretches, [*stretches[1:], []], strict=True))
    ]
    coverage = resolve_coverage(claims)
    table = CellTable.for_bbox(*SICHUAN_BBOX)
    engine = GridEngine(table, coverage)
    engine_build = time.perf_counter() - t0
    t0 = time.perf_counter()
    baseline = PolygonBaseline(coverage)
    baseline_build = time.perf_counter() - t0
    lat, lon = make_pings(lines, n, rng)
    n = len(lat)

    _cells, fast = engine.assign(lat, lon)
    slow = baseline.assign(lat, lon)
    differ = np.flatnonzero(fast != slow)
    near_edge = [distance_to_cell_edge_m(float(lat[k]), float(lon[k])) for k in differ]
    beyond_1m = int(sum(d > 1.0 for d in near_edge))
    fallback = int((table.rows_for(lat, lon) < 0).sum())

    engine_rate = best_rate(lambda: engine.assign(lat, lon), n, rounds)
    baseline_rate = best_rate(lambda: baseline.assign(lat, lon), n, max(2, rounds // 2))
    speedup = engine_rate / baseline_rate
    covered = int((fast >= 0).sum())

    print(f"pings {n:,}  branches {len(np.unique(coverage.branches))}  covered cells {len(coverage.cells):,}")
    print(f"overlapping claims resolved {len(coverage.overlaps):,}  table cells {len(table.cells):,}")
    print(f"index build: engine {engine_build:.2f} s (with coverage), polygons + STRtree {baseline_build:.2f} s")
    print(f"{'path':<10}{'pings/s':>14}")
    print(f"{'engine':<10}{engine_rate:>14,.0f}   target >= 2,000,000")
    print(f"{'baseline':<10}{baseline_rate:>14,.0f}")
    print(f"speedup {speedup:.2f}x (target >= 2x)")
    print(f"pings in covered cells {covered:,} ({covered / n:.1%}); h3 fallback {fallback:,}")
    print(f"disagreements {len(differ)}, of them farther than 1 m from a cell edge: {beyond_1m}")
    print(
        json.dumps(
            {
                "grid_assign_pings_per_s": round(engine_rate),
                "baseline_pings_per_s": round(baseline_rate),
                "speedup": round(speedup, 2),
                "pings": n,
                "branches": len(np.unique(coverage.branches)),
                "covered_cells": len(coverage.cells),
                "overlaps": len(coverage.overlaps),
                "fallback_pings": fallback,
                "disagreements": len(differ),
                "disagreements_beyond_1m": beyond_1m,
                "same_results": beyond_1m == 0,
            }
        )
    )


if __name__ == "__main__":
    main()
