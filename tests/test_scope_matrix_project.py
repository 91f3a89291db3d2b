"""Scope matrix of the platform's own pages (chelun.core.testing.scope_matrix): the landing page, "my record", the
audit log, regions, health, the API's schema and docs, and Django's admin. Kept here rather than in chelun/core so
core's tests import no domain app (the actors come from the organisation tree)."""

from __future__ import annotations

from chelun.core.testing.scope_matrix import (
    BASE_ACTORS,
    DETAIL,
    DRIVER_SELF,
    EXPORT,
    LIST,
    PUBLIC,
    Endpoint,
    Target,
    World,
    cases,
    check,
)
from chelun.members.tests.factories import make_driver
from chelun.orgs import services as org_services
from chelun.orgs.tests.factories import make_user, superuser
from chelun.orgs.tests.scope_world import scope_world

SIGNED_IN = frozenset(BASE_ACTORS) - {"anonymous"} | {DRIVER_SELF}
AUDITED = "武侯物流公司党支部（审计标记）"


def driver_self(world: World) -> Target:
    person = make_driver(org=world.tree.wuhou_branch, name="武侯王师傅")
    return Target(marker="武侯王师傅", driver=make_user("scope-driver", person=person))


def audited_change(world: World) -> Target:
    """An audited rename of 武侯's branch: its entry belongs to 武侯's subtree."""
    branch = world.tree.wuhou_branch
    org_services.organization_update(
        actor=superuser(), organization=branch, expected_version=branch.version, name=AUDITED
    )
    return Target(marker=AUDITED)


def reference(world: World) -> Target:
    return Target(args={"code": "510107"})


ENDPOINTS = [
    Endpoint(
        "home",
        PUBLIC,
        lambda w: Target(),
        ok=302,
        reason="a redirect to where the user's role works (accounts.landing); it shows no records",
    ),
    # /me/ is a short link to members:me for everyone signed in.
    Endpoint("core:me", DETAIL, driver_self, ok=302, sees=SIGNED_IN, driver_self=True),
    Endpoint("core:audit", LIST, audited_change),
    Endpoint("core:audit", EXPORT, audited_change),
    Endpoint("GET /api/v1/core/audit", LIST, audited_change),
    # Sichuan's divisions are reference data, the same for every signed-in user.
    Endpoint("GET /api/v1/core/regions", DETAIL, reference, sees=SIGNED_IN, driver_self=False),
    Endpoint("GET /api/v1/core/regions/{code}", DETAIL, reference, sees=SIGNED_IN),
    Endpoint("core:healthz", PUBLIC, lambda w: Target(), reason="liveness for the load balancer: no data"),
    Endpoint("api:api-root", PUBLIC, reason="django-ninja's mount point; answers nothing by itself"),
    Endpoint("api:openapi-json", PUBLIC, lambda w: Target(), reason="the API's schema: no records"),
    Endpoint("api:openapi-view", PUBLIC, lambda w: Target(), reason="the API's docs page: no records"),
    Endpoint("admin:*", PUBLIC, reason="Django's admin: staff only, by Django's own permission checks"),
]


@cases(ENDPOINTS)
def test_scope(endpoint, actor, tree):
    check(endpoint, actor, scope_world(tree))
