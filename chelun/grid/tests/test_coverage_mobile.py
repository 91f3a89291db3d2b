"""Coverage versions and history, scope (sibling county sees nothing), the mobile-member lifecycle."""

from __future__ import annotations

import datetime as dt

import h3
import pytest
from django.db import IntegrityError, transaction
from django.test import Client

from chelun.core.errors import Conflict
from chelun.grid import services
from chelun.grid.models import ArrivalNotice, Attachment, CoverageChange, GridCoverage, MobileMember
from chelun.grid.services.pings import PingItem
from chelun.grid.tests.conftest import NOW, WUHOU_CELL, Grid, disk
from chelun.members.tests.factories import make_driver

MARCH = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
MAY = dt.datetime(2026, 5, 1, tzinfo=dt.UTC)


def test_every_change_is_a_version_and_history_answers_who_was_responsible(grid: Grid) -> None:
    cells = disk(WUHOU_CELL)
    services.coverage_set(branch=grid.wuhou_grid, cells=cells, actor=grid.tree.wuhou_admin, at=MARCH)
    services.coverage_set(branch=grid.jinjiang_grid, cells=[WUHOU_CELL], actor=None, priority=50, at=MAY)
    services.coverage_set(branch=grid.wuhou_grid, cells=cells[:3], actor=grid.tree.wuhou_admin, at=MAY)
    versions = list(
        CoverageChange.objects.filter(branch=grid.wuhou_grid)
        .order_by("number")
        .values_list("number", "cells_added", "cells_removed", "changed_by__username")
    )
    assert versions == [(1, 7, 0, "wuhou-admin"), (2, 0, 4, "wuhou-admin")]
    assert GridCoverage.objects.filter(branch=grid.wuhou_grid, valid_to=MAY).count() == 4
    april = dt.datetime(2026, 4, 1, tzinfo=dt.UTC)
    assert services.responsible_branch_at(cell=WUHOU_CELL, at=april) == grid.wuhou_grid.pk
    june = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
    # priority 50 beats 100, though the Wuhou claim is older
    assert services.responsible_branch_at(cell=WUHOU_CELL, at=june) == grid.jinjiang_grid.pk
    removed = next(c for c in cells[3:] if c != WUHOU_CELL)
    assert services.responsible_branch_at(cell=removed, at=april) == grid.wuhou_grid.pk
    assert services.responsible_branch_at(cell=removed, at=june) is None  # removed in May


def test_sibling_county_sees_none_of_the_other_branch(grid: Grid) -> None:
    services.coverage_set(branch=grid.wuhou_grid, cells=disk(WUHOU_CELL), actor=None, at=MARCH)
    client = Client()
    client.force_login(grid.tree.jinjiang_admin)
    url = f"/api/v1/grid/branches/{grid.wuhou_grid.pk}"
    assert client.get(url).status_code == 404
    cell = h3.int_to_str(WUHOU_CELL)
    response = client.put(f"{url}/cells", {"cells": [cell]}, content_type="application/json")
    assert response.status_code == 404
    assert CoverageChange.objects.filter(branch=grid.wuhou_grid).count() == 1
    assert client.get("/api/v1/grid/summary").json()["covered_cells"] == 0
    own = Client()
    own.force_login(grid.tree.wuhou_admin)
    assert own.get(url).json() == {"id": grid.wuhou_grid.pk, "name": "武侯网格流动党员党支部", "cells": 7}
    assert own.get("/api/v1/grid/summary").json()["covered_cells"] == 7


def test_drawing_needs_grid_change(grid: Grid) -> None:
    client = Client()
    client.force_login(grid.wuhou_secretary)  # secretary of the branch: sees it, may not draw it
    cell = h3.int_to_str(WUHOU_CELL)
    response = client.put(
        f"/api/v1/grid/branches/{grid.wuhou_grid.pk}/cells", {"cells": [cell]}, content_type="application/json"
    )
    assert response.status_code == 403
    assert not CoverageChange.objects.exists()


def _away(grid: Grid) -> MobileMember:
    person = make_driver(org=grid.tree.fucheng_branch)
    services.consent_set(person=person, given=True, at=NOW - dt.timedelta(days=30))
    return services.outflow_register(
        person=person,
        home_branch=grid.tree.fucheng_branch,
        destination="成都",
        reason="freight",
        certificate_number="LD-2026-0001",
        actor=None,
        at=NOW - dt.timedelta(days=20),
    )


def test_attachment_suggested_from_pings_confirmed_once_with_arrival_notice(grid: Grid) -> None:
    services.coverage_set(branch=grid.wuhou_grid, cells=disk(WUHOU_CELL), actor=None, at=MARCH)
    mobile = _away(grid)
    items = [PingItem(f"p{k}", NOW - dt.timedelta(hours=k), 30.642, 104.043) for k in range(5)]
    services.pings_record(person=mobile.person, items=items, now=NOW)
    suggestion = services.attachment_suggest(mobile=mobile, now=NOW)
    assert suggestion is not None
    assert (suggestion.branch_id, suggestion.share) == (grid.wuhou_grid.pk, 1.0)
    services.attachment_confirm(attachment=suggestion, actor=grid.wuhou_secretary, now=NOW)
    assert ArrivalNotice.objects.get().branch_id == grid.wuhou_grid.pk
    with pytest.raises(Conflict) as exc:
        services.attachment_confirm(attachment=suggestion, actor=grid.wuhou_secretary, now=NOW)
    assert exc.value.code == "attachment_taken"
    assert Attachment.objects.filter(confirmed_at__isnull=False).count() == 1


def test_database_allows_one_open_attachment_per_member(grid: Grid) -> None:
    mobile = _away(grid)
    Attachment.objects.create(mobile=mobile, branch=grid.wuhou_grid, suggested_at=NOW, confirmed_at=NOW)
    with pytest.raises(IntegrityError), transaction.atomic():
        Attachment.objects.create(mobile=mobile, branch=grid.jinjiang_grid, suggested_at=NOW, confirmed_at=NOW)


def test_home_branch_and_grid_branch_both_see_the_member_a_sibling_does_not(grid: Grid) -> None:
    mobile = _away(grid)
    attachment = Attachment.objects.create(mobile=mobile, branch=grid.wuhou_grid, suggested_at=NOW)
    services.attachment_confirm(attachment=attachment, actor=grid.wuhou_secretary, now=NOW)
    from chelun.grid.access import mobile_members

    assert list(mobile_members(grid.wuhou_secretary)) == [mobile]
    assert list(mobile_members(grid.tree.province_admin)) == [mobile]
    assert list(mobile_members(grid.tree.jinjiang_admin)) == []


def test_lost_contact_and_return(grid: Grid) -> None:
    mobile = _away(grid)
    assert services.lost_contact_flag(now=NOW + dt.timedelta(days=150)) == 0
    assert services.lost_contact_flag(now=NOW + dt.timedelta(days=200)) == 1
    mobile.refresh_from_db()
    assert mobile.lost_contact is True
    services.contact_record(mobile=mobile, at=NOW + dt.timedelta(days=201))
    returned = services.member_return(mobile=mobile, at=NOW + dt.timedelta(days=202))
    assert (returned.status, returned.lost_contact) == ("returned", False)
    with pytest.raises(Conflict):
        services.member_return(mobile=returned)


def test_second_secretary_confirming_the_same_member_is_refused(grid: Grid) -> None:
    """Two suggestions for one member (two grid branches), both secretaries press confirm: the confirmation locks
    the member row (select_for_update), so the later one sees the earlier one's and is refused. (Run here one
    after the other: SQLite serialises writers anyway; on PostgreSQL the row lock makes the second wait.)"""
    mobile = _away(grid)
    a = Attachment.objects.create(mobile=mobile, branch=grid.wuhou_grid, suggested_at=NOW)
    b = Attachment.objects.create(mobile=mobile, branch=grid.jinjiang_grid, suggested_at=NOW)
    results: list[str] = []
    for attachment, user in ((a, grid.wuhou_secretary), (b, grid.jinjiang_secretary)):
        try:
            services.attachment_confirm(attachment=attachment, actor=user, now=NOW)
            outcome = "ok"
        except Conflict as exc:
            outcome = exc.code
        results.append(outcome)
    assert results == ["ok", "attachment_taken"]
    assert Attachment.objects.filter(confirmed_at__isnull=False, ended_at__isnull=True).get().pk == a.pk
