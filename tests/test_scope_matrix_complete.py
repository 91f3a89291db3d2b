"""Every page and every API operation of the project is registered in a scope matrix (chelun.core.testing.
scope_matrix), so a new endpoint without its sibling and wrong-role cases fails here, by name.

Registrations are found by file name: `chelun/<app>/tests/test_scope_matrix.py` and `tests/test_scope_matrix_*.py`,
each with an `ENDPOINTS` list. Public endpoints are registered too, with the reason they have no scope."""

from __future__ import annotations

import importlib
from pathlib import Path

from django.urls import get_resolver

from chelun.core.testing.scope_matrix import Endpoint, api_routes, page_routes, unregistered
from config.api import api

ROOT = Path(__file__).resolve().parent.parent


def registration_modules() -> list[str]:
    files = sorted(ROOT.glob("chelun/*/tests/test_scope_matrix.py")) + sorted(ROOT.glob("tests/test_scope_matrix_*.py"))
    modules = [".".join(f.relative_to(ROOT).with_suffix("").parts) for f in files]
    return [m for m in modules if m != __name__]


def registered() -> list[Endpoint]:
    endpoints: list[Endpoint] = []
    for name in registration_modules():
        endpoints.extend(importlib.import_module(name).ENDPOINTS)
    return endpoints


def project_routes() -> list[str]:
    return page_routes(get_resolver().url_patterns) + api_routes(api.get_openapi_schema())


def test_registrations_are_found_in_every_app():
    assert registration_modules() == [
        "chelun.accounts.tests.test_scope_matrix",
        "chelun.appeals.tests.test_scope_matrix",
        "chelun.grid.tests.test_scope_matrix",
        "chelun.members.tests.test_scope_matrix",
        "chelun.orgs.tests.test_scope_matrix",
        "chelun.stations.tests.test_scope_matrix",
        "tests.test_scope_matrix_project",
    ]


def test_every_page_and_api_operation_is_registered():
    missing = unregistered(project_routes(), registered())
    assert missing == [], (
        "endpoints with no scope-matrix registration (add them to their app's ENDPOINTS): " + ", ".join(missing)
    )


def test_every_registration_names_an_endpoint_that_exists():
    """A renamed URL or path leaves its registration behind: it must follow."""
    routes = set(project_routes())
    stale = sorted(
        {e.route for e in registered() if not e.route.endswith("*") and e.route not in routes}
        | {
            e.route
            for e in registered()
            if e.route.endswith("*") and not any(r.startswith(e.route[:-1]) for r in routes)
        }
    )
    assert stale == []


def test_the_enumeration_sees_pages_and_operations():
    """The two sources the completeness check reads, spot-checked, so an empty enumeration cannot pass it."""
    routes = project_routes()
    assert {"orgs:detail", "stations:funding_costs", "core:audit", "admin:index", "api:openapi-json"} <= set(routes)
    assert {"GET /api/v1/orgs/{organization_id}", "POST /api/v1/stations/{station_id}/subsidies"} <= set(routes)
    assert not any(r.startswith("api:") and r.split(":", 1)[1] in {"organization_detail", "me"} for r in routes)


def test_a_new_endpoint_without_registration_is_named():
    endpoints = registered()
    assert unregistered(["orgs:detail", "orgs:unlock", "POST /api/v1/orgs/{organization_id}/unlock"], endpoints) == [
        "orgs:unlock",
        "POST /api/v1/orgs/{organization_id}/unlock",
    ]


def test_counts():
    """Registered endpoints over the project's total (the report quotes these figures)."""
    routes = project_routes()
    pages = [r for r in routes if " " not in r and not r.startswith("admin:")]
    operations = [r for r in routes if " " in r]
    admin = [r for r in routes if r.startswith("admin:")]
    endpoints = registered()
    assert unregistered(routes, endpoints) == []
    print(f"pages {len(pages)}, API operations {len(operations)}, admin URLs {len(admin)} (one wildcard registration)")
    print(f"registrations {len(endpoints)} ({sum(e.kind == 'public' for e in endpoints)} public)")
