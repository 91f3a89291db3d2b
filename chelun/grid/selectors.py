"""Reads of the grid app, always within the caller's scope (grid.access): coverage, gaps, a driver's own view,
attached members."""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass
from typing import Any

import h3
import numpy as np
import shapely
from django.db.models import Q, QuerySet, Sum
from django.utils import timezone

from chelun.core.geo import haversine_km_array
from chelun.core.models import Region, RegionBoundary, RegionLevel
from chelun.grid.access import grid_branches, mobile_members
from chelun.grid.engine import NO_BRANCH, find_holes
from chelun.grid.index import grid_engine
from chelun.grid.models import Attachment, CellHourAggregate, DriverPosition, LocationConsent, MobileMember
from chelun.members.choices import ProfileType
from chelun.members.selectors import PersonFilter, person_list
from chelun.orgs.access import scope_paths
from chelun.orgs.models import Organization

MIN_SHOWN_COUNT = 3  # a map cell with fewer distinct drivers than this shows no figure (one driver is a person)


def _centre(cell: int) -> tuple[float, float]:
    return h3.cell_to_latlng(h3.int_to_str(cell))


class _CountyIndex:
    """County polygons (core's RegionBoundary) in an STRtree: cell centre -> county code. Per process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._tree: shapely.STRtree | None = None
        self._codes: list[str] = []
        self._names: dict[str, str] = {}

    def _build(self) -> None:
        geoms, codes = [], []
        rows = RegionBoundary.objects.filter(region__level=RegionLevel.COUNTY).values_list(
            "region__code", "region__name", "geometry"
        )
        for code, name, geometry in rows:
            geoms.append(shapely.geometry.shape(geometry))
            codes.append(code)
            self._names[code] = name
        self._tree, self._codes = shapely.STRtree(geoms), codes

    def counties(self, cells: list[int]) -> list[str]:
        with self._lock:
            if self._tree is None:
                self._build()
            assert self._tree is not None
        if not cells or not self._codes:
            return [""] * len(cells)
        centres = np.array([_centre(c) for c in cells])
        point_idx, tree_idx = self._tree.query(shapely.points(centres[:, 1], centres[:, 0]), predicate="within")
        out = [""] * len(cells)
        for p, t in zip(point_idx.tolist(), tree_idx.tolist(), strict=True):
            out[p] = self._codes[t]
        return out

    def name(self, code: str) -> str:
        return self._names.get(code, "")

    def clear(self) -> None:
        with self._lock:
            self._tree, self._codes, self._names = None, [], {}


county_index = _CountyIndex()


def scope_county_codes(actor: Any) -> set[str] | None:
    """Counties the actor's grid.view subtrees lie in (None: the whole province). A county committee's admin gets
    their county, a city's the city's counties; a branch's admin the branch's county."""
    paths = scope_paths(actor, "grid.view")
    if paths is None:
        return None
    regions = Region.objects.filter(pk__in=Organization.objects.filter(path__in=paths).values("region")).values_list(
        "code", "level"
    )
    codes: set[str] = set()
    for code, level in regions:
        if level == RegionLevel.PROVINCE:
            return None
        if level == RegionLevel.PREFECTURE:
            codes |= set(Region.objects.filter(parent__code=code).values_list("code", flat=True))
        else:
            codes.add(code)
    return codes


@dataclass(frozen=True)
class Gap:
    cell: int
    lat: float
    lng: float
    pings: int
    drivers: int | None  # None: below MIN_SHOWN_COUNT, suppressed
    county_code: str
    county_name: str
    nearest_branch_id: int | None
    nearest_branch_name: str
    nearest_km: float | None


@dataclass(frozen=True)
class CoverageSummary:
    branches: int
    covered_cells: int
    overlaps: int
    holes: int
    party_drivers: int
    party_drivers_attached: int
    pings: int
    pings_covered: int

    @property
    def attached_share(self) -> float:
        return self.party_drivers_attached / self.party_drivers if self.party_drivers else 0.0

    @property
    def covered_share(self) -> float:
        return self.pings_covered / self.pings if self.pings else 0.0


def party_member_drivers(*, actor: Any) -> QuerySet[Any]:
    """Party-member drivers in the actor's scope (members' own selector and scope)."""
    return person_list(actor=actor, filters=PersonFilter(profile_type=ProfileType.PARTY_MEMBER)).filter(
        driver_profile__isnull=False
    )


def _scoped_cells(actor: Any) -> tuple[np.ndarray, np.ndarray]:
    """(covered cells, their branch) for the branches in scope."""
    coverage = grid_engine.get().coverage
    ids = np.array(list(grid_branches(actor).values_list("pk", flat=True)), dtype=np.int64)
    keep = np.isin(coverage.branches, ids)
    return coverage.cells[keep], coverage.branches[keep]


def _activity(since: dt.datetime | None) -> QuerySet[CellHourAggregate]:
    rows = CellHourAggregate.objects.all()
    return rows.filter(hour__gte=since) if since else rows


def coverage_summary(*, actor: Any, since: dt.datetime | None = None) -> CoverageSummary:
    cells, branches = _scoped_cells(actor)
    counties = scope_county_codes(actor)
    activity = _activity(since).values("cell").annotate(n=Sum("pings")).values_list("cell", "n")
    act = list(activity)
    if counties is not None:
        codes = county_index.counties([c for c, _ in act])
        act = [row for row, code in zip(act, codes, strict=True) if code in counties]
    act_cells = np.array([c for c, _ in act], dtype=np.int64)
    act_n = np.array([n for _, n in act], dtype=np.int64)
    covered = grid_engine.get().coverage.branch_for_cells(act_cells) != NO_BRANCH
    members = mobile_members(actor)
    return CoverageSummary(
        branches=grid_branches(actor).count(),
        covered_cells=len(cells),
        overlaps=sum(1 for o in grid_engine.get().coverage.overlaps if int(o.claimants[0]) in set(branches.tolist())),
        holes=len(find_holes(cells.tolist())) if len(cells) < 20_000 else 0,
        party_drivers=party_member_drivers(actor=actor).count(),
        party_drivers_attached=members.filter(
            attachments__confirmed_at__isnull=False, attachments__ended_at__isnull=True
        )
        .distinct()
        .count(),
        pings=int(act_n.sum()),
        pings_covered=int(act_n[covered].sum()),
    )


def gaps_ranked(*, actor: Any, limit: int = 50, since: dt.datetime | None = None) -> list[Gap]:
    """Uncovered cells in the actor's counties, by pings (where to set up the next branch), with the county and
    the nearest branch in scope (by distance between cell centres)."""
    engine = grid_engine.get()
    counties = scope_county_codes(actor)
    rows = list(
        _activity(since)
        .values("cell")
        .annotate(n=Sum("pings"), d=Sum("drivers"))
        .order_by("-n")
        .values_list("cell", "n", "d")[: limit * 20]
    )
    uncovered = [r for r in rows if engine.coverage.branch_for_cells(np.array([r[0]], dtype=np.int64))[0] < 0]
    codes = county_index.counties([r[0] for r in uncovered])
    # A cell whose centre is in no Sichuan county (a corridor running on beyond the border) is not a gap here.
    picked = [
        (r, code) for r, code in zip(uncovered, codes, strict=True) if code and (counties is None or code in counties)
    ]
    picked = picked[:limit]
    cov_cells, cov_branches = _scoped_cells(actor)
    centres = np.array([_centre(int(c)) for c in cov_cells]) if len(cov_cells) else np.empty((0, 2))
    names = dict(grid_branches(actor).values_list("pk", "name"))
    out: list[Gap] = []
    for (cell, n, d), code in picked:
        lat, lng = _centre(cell)
        nearest_id, nearest_km = None, None
        if len(centres):
            km = haversine_km_array(centres[:, 1], centres[:, 0], lng, lat)
            k = int(np.argmin(km))
            nearest_id, nearest_km = int(cov_branches[k]), round(float(km[k]), 1)
        out.append(
            Gap(
                cell=cell,
                lat=lat,
                lng=lng,
                pings=n,
                drivers=d if d >= MIN_SHOWN_COUNT else None,
                county_code=code,
                county_name=county_index.name(code),
                nearest_branch_id=nearest_id,
                nearest_branch_name=names.get(nearest_id, "") if nearest_id else "",
                nearest_km=nearest_km,
            )
        )
    return out


def coverage_cells_geojson(*, actor: Any) -> dict[str, Any]:
    """The covered cells in scope as GeoJSON polygons (lng, lat), each with its branch id and name."""
    cells, branches = _scoped_cells(actor)
    names = dict(grid_branches(actor).values_list("pk", "name"))
    features = []
    for cell, branch in zip(cells.tolist(), branches.tolist(), strict=True):
        ring = [[lng, lat] for lat, lng in h3.cell_to_boundary(h3.int_to_str(cell))]
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Polygon", "coordinates": [[*ring, ring[0]]]},
                "properties": {"cell": format(cell, "x"), "branch_id": branch, "branch": names.get(branch, "")},
            }
        )
    return {"type": "FeatureCollection", "features": features}


@dataclass(frozen=True)
class DriverGrid:
    consent: bool
    position: DriverPosition | None
    branch_here: Organization | None
    home_branch: Organization | None
    attachments: list[Attachment]


def driver_grid(*, person: Any) -> DriverGrid:
    """A driver's own view: consent, latest position and the branch responsible there, home branch, attachments."""
    consent = LocationConsent.objects.filter(person=person, given=True).exists()
    position = DriverPosition.objects.filter(person=person).select_related("branch").first()
    profile = getattr(person, "party_profile", None)
    attachments = list(
        Attachment.objects.filter(mobile__person=person, confirmed_at__isnull=False)
        .select_related("branch")
        .order_by("-confirmed_at")[:20]
    )
    return DriverGrid(
        consent=consent,
        position=position,
        branch_here=position.branch if position else None,
        home_branch=profile.branch if profile else None,
        attachments=attachments,
    )


def attached_members(*, actor: Any) -> QuerySet[MobileMember]:
    """Members attached now to grid branches in the actor's scope, or away from home branches in it."""
    return (
        mobile_members(actor)
        .select_related("person", "home_branch")
        .filter(Q(status="away"))
        .order_by("lost_contact", "-last_contact_at")
    )


def arrivals_since(*, actor: Any, days: int = 7) -> QuerySet[Attachment]:
    since = timezone.now() - dt.timedelta(days=days)
    return Attachment.objects.filter(mobile__in=mobile_members(actor), confirmed_at__gte=since).select_related(
        "mobile__person", "branch"
    )
