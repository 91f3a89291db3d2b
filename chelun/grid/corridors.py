"""Coverage drawn along expressway corridors: the cells a buffer around a polyline covers. Pure (h3 + numpy).

A corridor buffer is the cells the line passes through plus `ring` rings around them (ring=1 at resolution 7 is a
band ~7 km wide). The shared reference data's expressway lines are schematic (straight between towns), which is
what the demo and the benchmarks draw along.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Sequence
from pathlib import Path

import h3
import numpy as np

from chelun.core.geo import haversine_km, interpolate_great_circle
from chelun.grid.engine import RESOLUTION

LonLat = tuple[float, float]


def densify(line: Sequence[LonLat], step_km: float = 0.5) -> list[LonLat]:
    """Points along the great circles between vertices, at most `step_km` apart (a cell is ~2.6 km across)."""
    out: list[LonLat] = [line[0]]
    for (lon1, lat1), (lon2, lat2) in itertools.pairwise(line):
        n = max(1, int(haversine_km(lon1, lat1, lon2, lat2) / step_km) + 1)
        out.extend(interpolate_great_circle(lon1, lat1, lon2, lat2, k / n) for k in range(1, n + 1))
    return out


def corridor_cells(line: Sequence[LonLat], *, ring: int = 1, res: int = RESOLUTION) -> list[int]:
    """Cells within `ring` rings of the line, in the order the line reaches them (so slices are stretches)."""
    seen: dict[int, None] = {}
    for lon, lat in densify(line):
        centre = h3.latlng_to_cell(lat, lon, res)
        for cell in [centre, *h3.grid_disk(centre, ring)] if ring else [centre]:
            seen.setdefault(h3.str_to_int(cell), None)
    return list(seen)


def split_stretches(cells: Sequence[int], parts: int) -> list[list[int]]:
    """`cells` cut into `parts` consecutive stretches of nearly equal size."""
    bounds = np.linspace(0, len(cells), parts + 1).round().astype(int)
    return [list(cells[a:b]) for a, b in itertools.pairwise(bounds)]


def load_lines(path: Path) -> list[tuple[str, list[LonLat]]]:
    """(ref, line) for each LineString in expressways_approx.geojson."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return [
        (str(f["properties"].get("ref", "")), [(float(x), float(y)) for x, y in f["geometry"]["coordinates"]])
        for f in data["features"]
        if f["geometry"]["type"] == "LineString"
    ]


def stretches_along(lines: Sequence[Sequence[LonLat]], parts: int, *, ring: int = 1) -> list[list[int]]:
    """All lines' corridor cells, in line order, each cell once (where roads share a stretch or cross, the first
    line keeps it), cut into `parts` stretches that touch but do not overlap."""
    seen: dict[int, None] = {}
    for line in lines:
        for cell in corridor_cells(line, ring=ring):
            seen.setdefault(cell, None)
    return split_stretches(list(seen), parts)
