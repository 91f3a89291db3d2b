"""Data migrations carry existing data: run against a database at the earlier state."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("core", "0002_ledger")]
AFTER = [("core", "0003_region_boundary_table")]
OUTLINE = {"type": "Polygon", "coordinates": [[[104.0, 30.0], [104.1, 30.0], [104.1, 30.1], [104.0, 30.0]]]}


def _migrate(targets: list[tuple[str, str]]) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return MigrationExecutor(connection)  # a fresh loader sees the applied state


@pytest.mark.django_db(transaction=True)
def test_region_outlines_move_to_their_own_table_and_back():
    try:
        old_apps = _migrate(BEFORE).loader.project_state(BEFORE).apps
        Region = old_apps.get_model("core", "Region")
        Region.objects.filter(code__in=["990000", "990100"]).delete()
        with_outline = Region.objects.create(code="990000", name="有边界", level="province", lon=104, lat=30)
        Region.objects.filter(pk=with_outline.pk).update(boundary=OUTLINE)
        without = Region.objects.create(code="990100", name="无边界", level="prefecture", lon=104, lat=30)

        new_apps = _migrate(AFTER).loader.project_state(AFTER).apps
        RegionBoundary = new_apps.get_model("core", "RegionBoundary")
        moved = dict(RegionBoundary.objects.filter(region__code__startswith="99").values_list("region_id", "geometry"))
        assert moved == {with_outline.pk: OUTLINE}
        assert without.pk not in moved

        back_apps = _migrate(BEFORE).loader.project_state(BEFORE).apps
        restored = back_apps.get_model("core", "Region").objects.get(pk=with_outline.pk)
        assert restored.boundary == OUTLINE
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
