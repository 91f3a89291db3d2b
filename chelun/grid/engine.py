"""Grid assignment engine: location pings -> H3 cell -> the one responsible grid branch. Pure numpy + h3, no Django.

Cells are H3 at RESOLUTION 7. Why 7, for corridor-scale grids: a res-7 cell is ~5.2 km² (edge ~1.4 km, ~2.6 km
across), so an expressway with its service areas, toll gates and the logistics yards beside it is a band one or two
cells wide, and one ring around the road (k=1) is a corridor ~7 km wide. Res 6 (~36 km², ~7 km across) would merge a
road with the town and the parallel road beside it, so a branch could not be drawn along one corridor; res 8
(~0.7 km²) splits a corridor into seven times as many cells and the hourly per-cell aggregates fall below the
small-count suppression almost everywhere. Sichuan (~486,000 km²) is ~94,000 res-7 cells: the whole province's
lookup table stays in memory.

Speed: h3-py 4 has no array form of latlng_to_cell, and a Python loop over it runs ~1 million points/s. So the
engine does H3's own first two steps in numpy for all points at once (nearest icosahedron face, gnomonic projection
onto the face's hex plane at this resolution, rounding to the nearest hex centre of the face's lattice), which gives
a lattice position (face, i, j) per point;
a dense table of the positions of every cell centre in the region (built once with h3) turns positions into cell
ids by direct indexing. A point the table cannot answer (outside the region, or a cell whose centre lies on the
neighbouring face) falls back to h3.latlng_to_cell, so the answer is always H3's cell. The
two differ only where floating point rounds differently at a cell edge (micrometres): the rule for a point on an
edge is "whatever h3.latlng_to_cell says", and tests hold the engine to it.

Responsible branch: every covered cell has exactly one responsible branch. When claims overlap, the winner is the
claim with the LOWEST priority number, then the OLDEST assignment, then the lowest branch id (RULE_TEXT, shown to
the committee). resolve_coverage applies it and reports each overlap with its claimants in winning order; the ping
-> branch step is a second np.searchsorted, into the sorted covered-cell array.

Constants (icosahedron face centres and axis azimuths, the res-0 gnomonic unit, the aperture-7 rotation) are H3's
published ones (uber/h3, faceijk.c / constants.h).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import h3
import numpy as np
import numpy.typing as npt
import shapely

RESOLUTION = 7
NO_BRANCH = -1
RULE_TEXT = "每个网格单元只有一个责任支部：优先级数字小者优先；相同时，先划入者优先；再相同时，支部编号小者优先。"
# An uncovered cell with at least this many of its six neighbours covered is a hole in the coverage (a gap inside
# the drawn area rather than beside it).
HOLE_MIN_COVERED_NEIGHBOURS = 4

Int64Array = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

# H3: icosahedron face centres (lat, lng in radians) and the azimuth of each face's i axis (Class II).
_FACE_CENTER_GEO = np.array(
    [
        (0.803582649718989942, 1.248397419617396099),
        (1.307747883455638156, 2.536945009877921159),
        (1.054751253523952054, -1.347517358900396623),
        (0.600191595538186799, -0.450603909469755746),
        (0.491715428198773866, 0.401988202911306943),
        (0.172745327415618701, 1.678146885280433686),
        (0.605929321571350690, 2.953923329812411617),
        (0.427370518328979641, -1.888876200336285401),
        (-0.079066118549212831, -0.733429513380867741),
        (-0.230961644455383637, 0.506495587332349035),
        (0.079066118549212831, 2.408163140208925497),
        (0.230961644455383637, -2.635097066257444203),
        (-0.172745327415618701, -1.463445768309359553),
        (-0.605929321571350690, -0.187669323777381622),
        (-0.427370518328979641, 1.252716453253507838),
        (-0.600191595538186799, 2.690988744120037492),
        (-0.491715428198773866, -2.739604450678486295),
        (-0.803582649718989942, -1.893195233972397139),
        (-1.307747883455638156, -0.604647643711872080),
        (-1.054751253523952054, 1.794075294689396615),
    ]
)
_FACE_AXIS_AZ = np.array(
    [
        5.619958268523939882,
        5.760339081714187279,
        0.780213654393430055,
        0.430469363979999913,
        6.130269123335111400,
        2.692877706530642877,
        2.982963003477243874,
        3.532912002790141181,
        3.494305004259568154,
        3.003214169499538391,
        5.930472956509811562,
        0.138378484090254847,
        0.448714947059150361,
        0.158629650112549365,
        5.891865957979238535,
        2.711123289609793325,
        3.294508837434268316,
        3.804819692245439833,
        3.664438879055192436,
        2.361378999196363184,
    ]
)
_FACE_LAT = _FACE_CENTER_GEO[:, 0]
_FACE_LNG = _FACE_CENTER_GEO[:, 1]
_FACE_XYZ = np.stack(
    [np.cos(_FACE_LAT) * np.cos(_FACE_LNG), np.cos(_FACE_LAT) * np.sin(_FACE_LNG), np.sin(_FACE_LAT)], axis=1
)
_RES0_U_GNOMONIC = 0.38196601125010500003
_AP7_ROT_RADS = 0.333473172251832115336090755351601070065900389
_SQRT3_2 = math.sqrt(3.0) / 2.0
_KEY_OFFSET = 1 << 21  # i and j of a res-7 cell on its face are a few thousand at most


def _face_frames(res: int) -> npt.NDArray[np.float64]:
    """Per face a 3x3 matrix taking a unit vector to (x*D, y*D, D) in the face's hex plane at `res`.

    H3's _geoToHex2d takes the azimuth of the point from the face centre, turns it into theta from the face's i
    axis (minus the aperture-7 rotation at odd resolutions) and scales tan(r) (gnomonic). With cos/sin of the
    azimuth written as the components of the point along the face centre's north and east directions, and
    tan(r)/sin(r) = 1/cos(r) = 1/D (D = dot product with the face centre), that is the same (x, y) as a linear map
    of the unit vector divided by D: no trigonometry per point beyond lat/lng to a unit vector.
    """
    scale = math.sqrt(7.0) ** res / _RES0_U_GNOMONIC
    frames = np.empty((len(_FACE_LAT), 3, 3))
    for f, (f_lat, f_lng) in enumerate(_FACE_CENTER_GEO):
        east = np.array([-math.sin(f_lng), math.cos(f_lng), 0.0])
        north = np.array([-math.sin(f_lat) * math.cos(f_lng), -math.sin(f_lat) * math.sin(f_lng), math.cos(f_lat)])
        a = float(_FACE_AXIS_AZ[f]) - (_AP7_ROT_RADS if res % 2 == 1 else 0.0)
        # azimuth az: cos az = (p . north) / sin r, sin az = (p . east) / sin r; theta = a - az.
        u = math.cos(a) * north + math.sin(a) * east  # -> cos(theta) * sin r
        v = math.sin(a) * north - math.cos(a) * east  # -> sin(theta) * sin r
        frames[f] = np.stack([u * scale, v * scale, _FACE_XYZ[f]])
    return frames


_FRAMES = {res: _face_frames(res) for res in range(0, 16)}
_CHUNK = 1 << 16  # points per numpy pass: keeps the temporaries in cache


def _unit_vectors(lat: FloatArray, lng: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    la = np.radians(lat)
    ln = np.radians(lng)
    cos_la = np.cos(la)
    return cos_la * np.cos(ln), cos_la * np.sin(ln), np.sin(la)


def _lattice_chunk(
    lat: FloatArray, lng: FloatArray, res: int, faces: Int64Array
) -> tuple[Int64Array, Int64Array, Int64Array]:
    """(index into `faces`, i, j) per point. Written as elementwise products rather than a matrix product: a
    3x3 product per point is too small for BLAS, whose threads only fight the web workers for the cores."""
    px, py, pz = _unit_vectors(lat, lng)
    frames = _FRAMES[res][faces]

    def row(slot: int, k: int) -> FloatArray:
        f = frames[slot, k]
        return px * f[0] + py * f[1] + pz * f[2]

    best = np.zeros(len(px), dtype=np.int64)
    d, u, v = row(0, 2), row(0, 0), row(0, 1)
    for slot in range(1, len(faces)):  # nearest face = largest dot product with its centre, as H3 picks it
        d_f = row(slot, 2)
        better = d_f > d
        best[better] = slot
        d = np.where(better, d_f, d)
        u = np.where(better, row(slot, 0), u)
        v = np.where(better, row(slot, 1), v)
    x = u / d
    y = v / d
    # Hex centres are i*(1, 0) + j*(-1/2, sqrt(3)/2) (H3's ijk with k = 0). In the 60-degree basis (1, 0),
    # (1/2, sqrt(3)/2) the same point has axial coordinates q = i - j, r = j, where cube rounding finds the
    # nearest centre, i.e. the hexagon containing the point.
    cz = y / _SQRT3_2
    cx = x - cz / 2.0
    cy = -cx - cz
    rx, ry, rz = np.rint(cx), np.rint(cy), np.rint(cz)
    dx, dy, dz = np.abs(rx - cx), np.abs(ry - cy), np.abs(rz - cz)
    fix_x = (dx > dy) & (dx > dz)
    fix_z = ~fix_x & (dz >= dy)
    rx = np.where(fix_x, -ry - rz, rx)
    rz = np.where(fix_z, -rx - ry, rz)
    return best, (rx + rz).astype(np.int64), rz.astype(np.int64)


def lattice_keys(
    lat: FloatArray, lng: FloatArray, res: int = RESOLUTION, faces: Int64Array | None = None
) -> Int64Array:
    """(face, i, j) of the hexagon each point falls in on its nearest icosahedron face, packed into one int64.

    `faces` limits the nearest-face search to the faces a region touches (CellTable finds them); None: all 20.
    """
    lat = np.asarray(lat, dtype=np.float64)
    lng = np.asarray(lng, dtype=np.float64)
    cand = np.arange(len(_FACE_LAT), dtype=np.int64) if faces is None else np.asarray(faces, dtype=np.int64)
    out = np.empty(len(lat), dtype=np.int64)
    for s in range(0, len(lat), _CHUNK):
        slot, i, j = _lattice_chunk(lat[s : s + _CHUNK], lng[s : s + _CHUNK], res, cand)
        out[s : s + _CHUNK] = (cand[slot] << 44) | ((i + _KEY_OFFSET) << 22) | (j + _KEY_OFFSET)
    return out


def nearest_faces(lat: FloatArray, lng: FloatArray) -> Int64Array:
    px, py, pz = _unit_vectors(np.asarray(lat), np.asarray(lng))
    return np.argmax(
        np.outer(px, _FACE_XYZ[:, 0]) + np.outer(py, _FACE_XYZ[:, 1]) + np.outer(pz, _FACE_XYZ[:, 2]), axis=1
    )


def cells_scalar(lat: Iterable[float], lng: Iterable[float], res: int = RESOLUTION) -> Int64Array:
    """h3.latlng_to_cell point by point: the authority the fast path is held to, and its fallback."""
    return np.fromiter(
        (h3.str_to_int(h3.latlng_to_cell(a, b, res)) for a, b in zip(lat, lng, strict=True)), dtype=np.int64
    )


@dataclass(frozen=True)
class CellTable:
    """Every cell whose centre lies in a box, addressed by its lattice position: `rows[slot, i - i0, j - j0]` is
    the cell's row in `cells` (-1: no centre there), `slot` indexing `faces`, the faces the box touches.

    A dense array rather than a sorted key array with searchsorted: the lattice positions of a province fill a
    box of a few thousand by a few thousand, so a direct index costs ~10 MB and no binary search per point.
    Points outside the box, or whose position holds no centre, take the h3 fallback.
    """

    cells: Int64Array
    rows: npt.NDArray[np.int32]
    origin: tuple[int, int]  # (i0, j0)
    faces: Int64Array
    bbox: tuple[float, float, float, float]  # west, south, east, north
    res: int = RESOLUTION

    @classmethod
    def for_bbox(cls, west: float, south: float, east: float, north: float, res: int = RESOLUTION) -> CellTable:
        ring = [(south, west), (south, east), (north, east), (north, west)]
        # polygon_to_cells keeps cells whose centre is inside; a cell straddling the box edge is still found by
        # the fallback, so the table needs no margin for correctness.
        ids = np.array([h3.str_to_int(c) for c in h3.polygon_to_cells(h3.LatLngPoly(ring), res)], dtype=np.int64)
        centres = np.array([h3.cell_to_latlng(h3.int_to_str(int(c))) for c in ids], dtype=np.float64)
        faces = cls._faces_touching(west, south, east, north)
        if len(ids) == 0:
            empty_rows = np.full((len(faces), 1, 1), -1, dtype=np.int32)
            return cls(ids, empty_rows, (0, 0), faces, (west, south, east, north), res)
        slot, i, j = _lattice_chunk(centres[:, 0], centres[:, 1], res, faces)
        i0, j0 = int(i.min()), int(j.min())
        rows = np.full((len(faces), int(i.max()) - i0 + 1, int(j.max()) - j0 + 1), -1, dtype=np.int32)
        taken = np.zeros(rows.shape, dtype=np.int32)
        np.add.at(taken, (slot, i - i0, j - j0), 1)
        rows[slot, i - i0, j - j0] = np.arange(len(ids), dtype=np.int32)
        rows[taken > 1] = -1  # a position two centres share (never seen): the fallback decides
        return cls(ids, rows, (i0, j0), faces, (west, south, east, north), res)

    @staticmethod
    def _faces_touching(west: float, south: float, east: float, north: float) -> Int64Array:
        """Faces nearest to some point of the box. A face's region (thousands of km across) that reaches into the
        box crosses the box grown by 0.05 degrees (~5 km) along several km of its edge, so sampling that grown
        edge every 0.001 degrees (~100 m) cannot miss it."""
        m = 0.05
        w, s_, e, n = west - m, south - m, east + m, north + m
        xs = np.arange(w, e + 0.001, 0.001)
        ys = np.arange(s_, n + 0.001, 0.001)
        lat = np.concatenate([np.full(len(xs), s_), np.full(len(xs), n), ys, ys])
        lng = np.concatenate([xs, xs, np.full(len(ys), w), np.full(len(ys), e)])
        return np.unique(nearest_faces(lat, lng)).astype(np.int64)

    def rows_for(self, lat: FloatArray, lng: FloatArray) -> Int64Array:
        """Row in `cells` per point, -1 where the table has no answer (outside the box, no centre there)."""
        lat = np.asarray(lat, dtype=np.float64)
        lng = np.asarray(lng, dtype=np.float64)
        west, south, east, north = self.bbox
        out = np.empty(len(lat), dtype=np.int64)
        _, ni, nj = self.rows.shape
        i0, j0 = self.origin
        for s in range(0, len(lat), _CHUNK):
            la, ln = lat[s : s + _CHUNK], lng[s : s + _CHUNK]
            slot, i, j = _lattice_chunk(la, ln, self.res, self.faces)
            i -= i0
            j -= j0
            ok = (i >= 0) & (i < ni) & (j >= 0) & (j < nj)
            ok &= (la >= south) & (la <= north) & (ln >= west) & (ln <= east)
            row = self.rows[slot, np.where(ok, i, 0), np.where(ok, j, 0)]
            out[s : s + _CHUNK] = np.where(ok, row, -1)
        return out

    def cells_for(self, lat: FloatArray, lng: FloatArray) -> tuple[Int64Array, int]:
        """Cell id per point, and how many points took the h3 fallback."""
        rows = self.rows_for(lat, lng)
        out = self.cells[np.maximum(rows, 0)] if len(self.cells) else np.zeros(len(rows), dtype=np.int64)
        miss = np.flatnonzero(rows < 0)
        if len(miss):
            out[miss] = cells_scalar(np.asarray(lat)[miss], np.asarray(lng)[miss], self.res)
        return out, len(miss)


@dataclass(frozen=True)
class Claim:
    """One branch's claim on a set of cells, as the coverage version that drew it."""

    branch_id: int
    cells: Sequence[int] | Int64Array
    priority: int = 100
    assigned_at: float = 0.0  # epoch seconds of the assignment; earlier wins a tie on priority


@dataclass(frozen=True)
class Overlap:
    cell: int
    claimants: tuple[int, ...]  # branch ids in winning order: claimants[0] is responsible


@dataclass
class Coverage:
    """Resolved coverage: sorted covered cells and the one responsible branch of each."""

    cells: Int64Array
    branches: Int64Array
    overlaps: list[Overlap] = field(default_factory=list)

    def branch_for_cells(self, cells: Int64Array) -> Int64Array:
        if len(self.cells) == 0:
            return np.full(len(cells), NO_BRANCH, dtype=np.int64)
        pos = np.minimum(np.searchsorted(self.cells, cells), len(self.cells) - 1)
        return np.where(self.cells[pos] == cells, self.branches[pos], NO_BRANCH)

    def cells_of(self, branch_id: int) -> Int64Array:
        return self.cells[self.branches == branch_id]


def resolve_coverage(claims: Iterable[Claim]) -> Coverage:
    """Apply RULE_TEXT: each claimed cell goes to the lowest priority, then oldest assignment, then lowest id."""
    parts_cell, parts_prio, parts_at, parts_branch = [], [], [], []
    for claim in claims:
        cells = np.unique(np.asarray(claim.cells, dtype=np.int64))
        parts_cell.append(cells)
        parts_prio.append(np.full(len(cells), claim.priority, dtype=np.int64))
        parts_at.append(np.full(len(cells), claim.assigned_at, dtype=np.float64))
        parts_branch.append(np.full(len(cells), claim.branch_id, dtype=np.int64))
    if not parts_cell:
        empty = np.empty(0, dtype=np.int64)
        return Coverage(cells=empty, branches=empty.copy())
    cell = np.concatenate(parts_cell)
    prio = np.concatenate(parts_prio)
    at = np.concatenate(parts_at)
    branch = np.concatenate(parts_branch)
    order = np.lexsort((branch, at, prio, cell))  # last key is primary
    cell, branch = cell[order], branch[order]
    first = np.ones(len(cell), dtype=bool)
    first[1:] = cell[1:] != cell[:-1]
    starts = np.flatnonzero(first)
    counts = np.diff(np.append(starts, len(cell)))
    overlaps = [
        Overlap(cell=int(cell[s]), claimants=tuple(int(b) for b in branch[s : s + n]))
        for s, n in zip(starts[counts > 1], counts[counts > 1], strict=True)
    ]
    return Coverage(cells=cell[first], branches=branch[first], overlaps=overlaps)


def find_holes(covered: Iterable[int]) -> list[int]:
    """Uncovered cells with at least HOLE_MIN_COVERED_NEIGHBOURS covered neighbours, sorted by id."""
    covered_set = {int(c) for c in covered}
    seen: dict[int, int] = {}
    for c in covered_set:
        for n in h3.grid_ring(h3.int_to_str(c), 1):
            n_id = h3.str_to_int(n)
            if n_id not in covered_set:
                seen[n_id] = seen.get(n_id, 0) + 1
    return sorted(c for c, k in seen.items() if k >= HOLE_MIN_COVERED_NEIGHBOURS)


class GridEngine:
    """Pings to cells and responsible branches, for one region's cell table and one resolved coverage.

    The cell -> branch step is Coverage.branch_for_cells (np.searchsorted into the sorted covered cells); the
    engine runs it once over the table's cells when the coverage changes, so per ping it is one more gather.
    """

    def __init__(self, table: CellTable, coverage: Coverage) -> None:
        self.table = table
        self.coverage = coverage
        self.row_branches = coverage.branch_for_cells(table.cells)

    def assign(self, lat: FloatArray, lng: FloatArray) -> tuple[Int64Array, Int64Array]:
        """(cell id, responsible branch id or NO_BRANCH) for each point."""
        rows = self.table.rows_for(lat, lng)
        safe = np.maximum(rows, 0)
        if len(self.table.cells) == 0:
            cells = np.zeros(len(rows), dtype=np.int64)
            branches = np.full(len(rows), NO_BRANCH, dtype=np.int64)
        else:
            cells = self.table.cells[safe]
            branches = self.row_branches[safe]
        miss = np.flatnonzero(rows < 0)
        if len(miss):
            cells[miss] = cells_scalar(np.asarray(lat)[miss], np.asarray(lng)[miss], self.table.res)
            branches[miss] = self.coverage.branch_for_cells(cells[miss])
        return cells, branches


# --------------------------------------------------------------------------
# Baseline: the same coverage as polygons, points tested with shapely's STRtree
# --------------------------------------------------------------------------
class PolygonBaseline:
    """Each branch's responsible cells dissolved into polygons (lng, lat), queried with STRtree 'within'."""

    def __init__(self, coverage: Coverage) -> None:
        geoms: list[shapely.Geometry] = []
        owners: list[int] = []
        for branch_id in np.unique(coverage.branches):
            shape = h3.cells_to_h3shape([h3.int_to_str(int(c)) for c in coverage.cells_of(int(branch_id))])
            polys = shape.polys if isinstance(shape, h3.LatLngMultiPoly) else [shape]
            for poly in polys:
                shell = [(lng, lat) for lat, lng in poly.outer]
                holes = [[(lng, lat) for lat, lng in hole] for hole in poly.holes]
                geoms.append(shapely.Polygon(shell, holes))
                owners.append(int(branch_id))
        self.owners = np.array(owners, dtype=np.int64)
        self.tree = shapely.STRtree(geoms)

    def assign(self, lat: FloatArray, lng: FloatArray) -> Int64Array:
        points = shapely.points(np.asarray(lng), np.asarray(lat))
        point_idx, tree_idx = self.tree.query(points, predicate="within")
        out = np.full(len(points), NO_BRANCH, dtype=np.int64)
        out[point_idx] = self.owners[tree_idx]
        return out


def distance_to_cell_edge_m(lat: float, lng: float, res: int = RESOLUTION) -> float:
    """Metres from a point to the boundary of its H3 cell (local equirectangular: exact enough at metre scale)."""
    boundary = h3.cell_to_boundary(h3.latlng_to_cell(lat, lng, res))
    kx = 111_320.0 * math.cos(math.radians(lat))
    ky = 110_574.0
    ring = shapely.LinearRing([((b_lng - lng) * kx, (b_lat - lat) * ky) for b_lat, b_lng in boundary])
    return float(ring.distance(shapely.Point(0.0, 0.0)))
