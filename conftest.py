"""Fixtures shared by every app's tests (settings: config/test_settings.py)."""

import pytest


@pytest.fixture
def sichuan(db):
    """Sichuan's real divisions from ../shared/data (loaded once per database, reused by later tests)."""
    from chelun.core.models import Region
    from chelun.core.regions import regions_load

    if not Region.objects.filter(code="510000").exists():
        regions_load()
    return Region.objects.get(code="510000")


@pytest.fixture
def tree(sichuan):
    from chelun.orgs.tests.factories import build_tree

    return build_tree()
