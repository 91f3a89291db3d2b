from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import h3
import pytest

from chelun.accounts.models import User
from chelun.grid import index, selectors
from chelun.orgs.choices import OrgKind, OrgSector, Role
from chelun.orgs.models import Organization
from chelun.orgs.tests.factories import Tree, make_org, make_user

NOW = dt.datetime(2026, 3, 10, 8, 0, tzinfo=dt.UTC)
WUHOU_CELL = h3.str_to_int(h3.latlng_to_cell(30.642, 104.043, 7))
JINJIANG_CELL = h3.str_to_int(h3.latlng_to_cell(30.600, 104.150, 7))


@pytest.fixture(autouse=True)
def _fresh_grid_caches(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests roll back, so on_commit never clears the engine and ids repeat: check coverage on every call."""
    monkeypatch.setattr(index, "RECHECK_SECONDS", 0.0)
    index.grid_engine.invalidate()
    selectors.county_index.clear()


@dataclass
class Grid:
    tree: Tree
    wuhou_grid: Organization
    jinjiang_grid: Organization
    wuhou_secretary: User
    jinjiang_secretary: User


@pytest.fixture
def grid(tree: Tree) -> Grid:
    wuhou_grid = make_org(
        parent=tree.wuhou,
        name="武侯网格流动党员党支部",
        region_code="510107",
        kind=OrgKind.GRID_BRANCH,
        sector=OrgSector.GRID,
    )
    jinjiang_grid = make_org(
        parent=tree.jinjiang,
        name="锦江网格流动党员党支部",
        region_code="510104",
        kind=OrgKind.GRID_BRANCH,
        sector=OrgSector.GRID,
    )
    return Grid(
        tree=tree,
        wuhou_grid=wuhou_grid,
        jinjiang_grid=jinjiang_grid,
        wuhou_secretary=make_user("wuhou-grid-sec", org=wuhou_grid, role=Role.SECRETARY),
        jinjiang_secretary=make_user("jinjiang-grid-sec", org=jinjiang_grid, role=Role.SECRETARY),
    )


def disk(cell: int, k: int = 1) -> list[int]:
    return sorted(h3.str_to_int(c) for c in h3.grid_disk(h3.int_to_str(cell), k))


def ping(client_id: str, at: dt.datetime, lat: float = 30.642, lng: float = 104.043) -> dict[str, Any]:
    return {"client_id": client_id, "at": at.isoformat(), "lat": lat, "lng": lng}
