"""Drawing coverage: each change is a new CoverageChange version; claims are closed, never deleted."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import h3
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from chelun.core.errors import ValidationFailed
from chelun.grid.engine import RESOLUTION, Claim, resolve_coverage
from chelun.grid.index import grid_engine
from chelun.grid.models import CoverageChange, GridCoverage
from chelun.orgs.choices import OrgKind
from chelun.orgs.models import Organization

MAX_CELLS_PER_BRANCH = 5_000  # ~26,000 km²: more than any county; a mistake (a whole province) is refused


def _valid_cells(cells: Iterable[int]) -> set[int]:
    out: set[int] = set()
    for c in cells:
        try:
            text = h3.int_to_str(int(c))
            ok = h3.is_valid_cell(text) and h3.get_resolution(text) == RESOLUTION
        except (TypeError, ValueError, OverflowError):
            ok = False
        if not ok:
            raise ValidationFailed(f"网格单元 {c} 无效", "invalid_cell", {"fields": {"cells": [f"{c} 无效"]}})
        out.add(int(c))
    return out


@transaction.atomic
def coverage_set(
    *,
    branch: Organization,
    cells: Iterable[int],
    actor: Any,
    priority: int = 100,
    note: str = "",
    at: dt.datetime | None = None,
) -> CoverageChange:
    """Make `cells` the branch's claimed cells from now on, as a new version.

    Before: the caller checked grid.change on the branch (access_branch_by_id(change=True)); the branch is a grid
    branch. After: claims for removed cells are closed (valid_to = now, removed_in = this version), new cells open
    claims; a priority change closes and reopens every claim so history shows it. Raises ValidationFailed for an
    invalid cell id or too many cells.
    """
    if branch.kind != OrgKind.GRID_BRANCH:
        raise ValidationFailed("只有网格化流动党员党支部可以划定网格", "not_grid_branch")
    wanted = _valid_cells(cells)
    if len(wanted) > MAX_CELLS_PER_BRANCH:
        raise ValidationFailed(f"单个支部最多 {MAX_CELLS_PER_BRANCH} 个网格单元", "too_many_cells")
    now = at or timezone.now()
    Organization.objects.select_for_update().filter(pk=branch.pk).first()  # serialise versions of one branch
    open_claims = GridCoverage.objects.filter(branch=branch, valid_to__isnull=True)
    current = dict(open_claims.values_list("cell", "priority"))
    kept_same = {c for c, p in current.items() if c in wanted and p == priority}
    removed = set(current) - kept_same
    added = wanted - kept_same
    number = (CoverageChange.objects.filter(branch=branch).aggregate(n=Max("number"))["n"] or 0) + 1
    change = CoverageChange.objects.create(
        branch=branch,
        number=number,
        changed_by=actor if getattr(actor, "is_authenticated", False) else None,
        changed_at=now,
        priority=priority,
        cells_added=len(added - set(current)),
        cells_removed=len(set(current) - wanted),
        note=note,
    )
    if removed:
        open_claims.filter(cell__in=removed).update(valid_to=now, removed_in=change)
    GridCoverage.objects.bulk_create(
        GridCoverage(branch=branch, cell=c, priority=priority, added_in=change, valid_from=now) for c in sorted(added)
    )
    transaction.on_commit(grid_engine.invalidate)
    return change


def responsible_branch_at(*, cell: int, at: dt.datetime) -> int | None:
    """The branch that answered for `cell` at time `at` (history), by the same rule as today's coverage."""
    claims = GridCoverage.objects.filter(cell=cell, valid_from__lte=at).exclude(valid_to__lte=at)
    coverage = resolve_coverage(
        Claim(branch_id=b, cells=[cell], priority=p, assigned_at=f.timestamp())
        for b, p, f in claims.values_list("branch_id", "priority", "valid_from")
    )
    return int(coverage.branches[0]) if len(coverage.branches) else None
