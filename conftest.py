"""Test settings: DEBUG-style dev keys, huey immediate, files under a temp folder."""

import os
import tempfile

os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("HUEY_IMMEDIATE", "1")
os.environ.setdefault("CHELUN_VAR_DIR", tempfile.mkdtemp(prefix="chelun-test-"))

import pytest  # noqa: E402


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
