"""The grid engine against h3 itself and against the shapely polygon baseline (no database)."""

from __future__ import annotations

import math

import h3
import numpy as np
import pytest

from chelun.grid import engine as e
from chelun.grid.corridors import corridor_cells, split_stretches

# A box around Chengdu-Deyang: small enough to build in a test, it spans two icosahedron faces' worth of nothing,
# so the face search runs with one candidate here and with two in the Sichuan-wide test below.
BOX = (103.6, 30.3, 104.6, 31.3)


@pytest.fixture(scope="module")
def table() -> e.CellTable:
    return e.CellTable.for_bbox(*BOX)


def _points(n: int, seed: int, box: tuple[float, float, float, float] = BOX) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    w, s, east, north = box
    return rng.uniform(s, north, n), rng.uniform(w, east, n)


def test_cells_equal_h3_latlng_to_cell(table: e.CellTable) -> None:
    lat, lng = _points(20_000, 1)
    cells, _ = table.cells_for(lat, lng)
    expected = e.cells_scalar(lat, lng)
    assert np.array_equal(cells, expected)


def test_sichuan_box_spans_two_faces_and_still_equals_h3() -> None:
    assert e.CellTable._faces_touching(97.3, 26.0, 108.6, 34.4).tolist() == [0, 5]
    lat = np.array([26.05, 34.35, 30.66, 28.0, 33.0])
    lng = np.array([97.35, 108.55, 104.06, 103.0, 99.0])
    keys = e.lattice_keys(lat, lng, faces=np.array([0, 5]))
    assert np.array_equal(keys, e.lattice_keys(lat, lng))  # restricting faces changes nothing inside the box


def test_points_outside_the_box_take_the_fallback(table: e.CellTable) -> None:
    lat = np.array([39.9, 30.6])
    lng = np.array([116.4, 104.0])
    cells, fallback = table.cells_for(lat, lng)
    assert fallback == 1
    assert cells.tolist() == e.cells_scalar(lat, lng).tolist()


def test_points_half_a_metre_from_an_edge_follow_h3(table: e.CellTable) -> None:
    """The stated rule for points at an edge: the cell h3.latlng_to_cell gives. Step 0.5 m either side of the
    midpoint of each edge of a few cells."""
    lat_l, lng_l = [], []
    for cell in list(h3.grid_disk(h3.latlng_to_cell(30.66, 104.06, e.RESOLUTION), 2)):
        b = h3.cell_to_boundary(cell)
        clat, clng = h3.cell_to_latlng(cell)
        for (a_lat, a_lng), (b_lat, b_lng) in zip(b, [*b[1:], b[0]], strict=True):
            m_lat, m_lng = (a_lat + b_lat) / 2, (a_lng + b_lng) / 2
            d = math.hypot((m_lat - clat) * 110_574, (m_lng - clng) * 111_320 * math.cos(math.radians(clat)))
            for metres in (-0.5, 0.5):
                f = 1 + metres / d
                lat_l.append(clat + (m_lat - clat) * f)
                lng_l.append(clng + (m_lng - clng) * f)
    lat, lng = np.array(lat_l), np.array(lng_l)
    cells, _ = table.cells_for(lat, lng)
    assert np.array_equal(cells, e.cells_scalar(lat, lng))
    assert len(set(cells.tolist())) > 19  # the points really sit on both sides of the edges


def test_rule_lowest_priority_then_oldest_then_lowest_id() -> None:
    a, b, c = 1, 2, 3
    coverage = e.resolve_coverage(
        [
            e.Claim(branch_id=7, cells=[a, b, c], priority=100, assigned_at=10.0),
            e.Claim(branch_id=5, cells=[b], priority=100, assigned_at=20.0),  # newer: loses b to 7
            e.Claim(branch_id=9, cells=[c], priority=50, assigned_at=30.0),  # lower number: wins c
            e.Claim(branch_id=4, cells=[a], priority=100, assigned_at=10.0),  # same priority and time: lower id
        ]
    )
    assert coverage.cells.tolist() == [1, 2, 3]
    assert coverage.branches.tolist() == [4, 7, 9]
    assert [(o.cell, o.claimants) for o in coverage.overlaps] == [(1, (4, 7)), (2, (7, 5)), (3, (9, 7))]
    assert coverage.branch_for_cells(np.array([3, 4, 1])).tolist() == [9, e.NO_BRANCH, 4]


def test_holes_are_uncovered_cells_mostly_surrounded() -> None:
    centre = h3.latlng_to_cell(30.66, 104.06, e.RESOLUTION)
    ring = [h3.str_to_int(c) for c in h3.grid_ring(centre, 1)]
    assert e.find_holes(ring) == [h3.str_to_int(centre)]
    assert e.find_holes(ring[:3]) == []  # three neighbours covered: beside the coverage, not inside it


def test_engine_and_polygon_baseline_agree_beyond_1m(table: e.CellTable) -> None:
    line = [(103.7, 30.4), (104.1, 30.7), (104.5, 31.2)]
    stretches = split_stretches(corridor_cells(line, ring=1), 6)
    coverage = e.resolve_coverage(
        [e.Claim(branch_id=k + 10, cells=cells, assigned_at=float(k)) for k, cells in enumerate(stretches)]
    )
    engine = e.GridEngine(table, coverage)
    baseline = e.PolygonBaseline(coverage)
    lat, lng = _points(30_000, 2)
    cells, fast = engine.assign(lat, lng)
    slow = baseline.assign(lat, lng)
    differ = np.flatnonzero(fast != slow)
    assert all(e.distance_to_cell_edge_m(float(lat[k]), float(lng[k])) <= 1.0 for k in differ)
    assert set(np.unique(fast[fast >= 0]).tolist()) == set(range(10, 16))
    assert np.array_equal(coverage.branch_for_cells(cells), fast)
