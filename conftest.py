"""Fixtures shared by every app's tests (settings: config/test_settings.py)."""

import pytest


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load Sichuan's divisions once into the test database; each test's transaction rolls back over them."""
    from chelun.core.regions import regions_load

    with django_db_blocker.unblock():
        regions_load()


@pytest.fixture
def sichuan(db):
    """Sichuan's real divisions (reloaded only if a transactional test flushed them)."""
    from chelun.core.models import Region
    from chelun.core.regions import regions_load

    if not Region.objects.filter(code="510000").exists():
        regions_load()
    return Region.objects.get(code="510000")


@pytest.fixture
def tree(sichuan):
    from chelun.orgs.tests.factories import build_tree

    return build_tree()


@pytest.fixture(autouse=True)
def _fresh_station_search_caches():
    """Every per-process cache of station search starts empty in every test: a rolled back test can leave rows whose
    ids and timestamps the next test reuses."""
    from chelun.stations import search

    search.clear()


@pytest.fixture(autouse=True)
def _fresh_django_cache():
    """Rate limits (one-time code requests, status confirmations) live in Django's cache: each test starts with none."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
