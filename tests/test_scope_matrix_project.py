"""Scope matrix of the platform's own pages (chelun.core.testing.scope_matrix): the landing page, "my record", the
audit log, background exports, regions, health, the API's schema and docs, and Django's admin. Kept here rather than
in chelun/core so core's tests import no domain app (the actors come from the organisation tree)."""

from __future__ import annotations

from django.urls import reverse

from chelun.core.export_jobs import export_job_run, export_job_start
from chelun.core.testing.scope_matrix import (
    BASE_ACTORS,
    DETAIL,
    DRIVER_SELF,
    EXPORT,
    LIST,
    PUBLIC,
    SAME_NODE,
    WRONG_ROLE,
    Endpoint,
    Target,
    World,
    cases,
    check,
)
from chelun.members import exports as member_exports
from chelun.members.tests.factories import make_driver
from chelun.orgs import services as org_services
from chelun.orgs.tests.factories import make_user, superuser
from chelun.orgs.tests.scope_world import scope_world

SIGNED_IN = frozenset(BASE_ACTORS) - {"anonymous"} | {DRIVER_SELF}
REQUESTER = frozenset({SAME_NODE})  # the background export below is requested by 武侯's admin
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


def _export_job(world: World) -> int:
    """A finished background export of 武侯's people, requested by 武侯's admin. The task is run here directly: in a
    test's transaction the on-commit hook that queues it never fires. No person is made: the job and its file are
    what is scoped, and make_driver's synthetic ID numbers are a per-process sequence the suite already uses up."""
    tree = world.tree
    filters = {"q": "", "region": None, "org": tree.wuhou.pk, "profile_type": "", "party_status": ""}
    job = export_job_start(actor=tree.wuhou_admin, kind=member_exports.KIND, filters=filters, filter_label="武侯区")
    export_job_run(job.pk)
    return job.pk


def export_job(world: World) -> Target:
    return Target(args={"pk": _export_job(world)})


def export_jobs(world: World) -> Target:
    """我的后台导出: the job shows (its download link) in its requester's list alone."""
    pk = _export_job(world)
    return Target(query={"kind": member_exports.KIND}, marker=reverse("core:export_download", args=[pk]))


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
    # A background export is its requester's own: nobody else sees it, not even the province admin above the scope
    # it was captured with, nor a viewer of that same scope (404, as for a job that does not exist).
    Endpoint("core:export_jobs", LIST, export_jobs, sees=REQUESTER, expect={WRONG_ROLE: 200}),
    Endpoint("core:export_job", DETAIL, export_job, sees=REQUESTER, expect={WRONG_ROLE: 404}),
    Endpoint("core:export_download", DETAIL, export_job, sees=REQUESTER, expect={WRONG_ROLE: 404}),
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
