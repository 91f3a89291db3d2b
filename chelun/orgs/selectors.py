"""Reads on the organisation tree and rules, always scoped to the actor."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet

from chelun.core.models import Region
from chelun.orgs.access import organization_scope_q, rule_scope_q, scope_paths
from chelun.orgs.choices import INDUSTRY_BUILT_KINDS, OrgKind, OrgStatus
from chelun.orgs.models import Organization, RoleGrant, Rule


def region_filter_q(region: Region | None, field: str = "region") -> Q:
    """Rows in `region` or any division below it (the tree is province > prefecture > county)."""
    if region is None:
        return Q()
    return Q(**{field: region}) | Q(**{f"{field}__parent": region}) | Q(**{f"{field}__parent__parent": region})


@dataclass(frozen=True)
class OrganizationFilter:
    q: str = ""
    kind: str = ""
    region: Region | None = None
    status: str = ""
    within: Organization | None = None


def organization_list(*, actor: Any, filters: OrganizationFilter | None = None) -> QuerySet[Organization]:
    f = filters or OrganizationFilter()
    qs = Organization.objects.filter(organization_scope_q(actor)).select_related("region", "parent")
    if f.q:
        qs = qs.filter(name__icontains=f.q)
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.within is not None:
        qs = qs.filter(path__startswith=f.within.path)
    return qs.filter(region_filter_q(f.region))


def organization_roots(*, actor: Any) -> QuerySet[Organization]:
    """The top of what the actor may see: the organisations their roles are granted on (or the real roots)."""
    paths = scope_paths(actor, "org.view")
    qs = Organization.objects.select_related("region")
    if paths is None:
        return qs.filter(parent__isnull=True)
    return qs.filter(path__in=paths)


def organization_children(*, actor: Any, organization: Organization) -> QuerySet[Organization]:
    return (
        Organization.objects.filter(organization_scope_q(actor), parent=organization)
        .select_related("region")
        .annotate(child_count=Count("children"))
        .order_by("kind", "name")
    )


def organization_ancestors(*, actor: Any, organization: Organization) -> list[Organization]:
    """Breadcrumb: the ancestors the actor may see, root first."""
    ids = [int(p) for p in organization.path.strip("/").split("/")[:-1]]
    visible = Organization.objects.filter(organization_scope_q(actor), pk__in=ids).in_bulk()
    return [visible[i] for i in ids if i in visible]


def rule_list(
    *, actor: Any, within: Organization | None = None, q: str = "", category: str = "", status: str = ""
) -> QuerySet[Rule]:
    qs = Rule.objects.filter(rule_scope_q(actor)).select_related("organization")
    if within is not None:
        qs = qs.filter(organization__path__startswith=within.path)
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(number__icontains=q))
    if category:
        qs = qs.filter(category=category)
    if status:
        qs = qs.filter(status=status)
    return qs


@dataclass(frozen=True)
class SubtreeFigures:
    organizations: int
    industry_built: int
    grid_branches: int
    temporary_branches: int
    rules: int
    committees_with_all_standards: int


def subtree_figures(*, actor: Any, organization: Organization) -> SubtreeFigures:
    """Counts for one subtree, computed from rows (one aggregate query per table)."""
    orgs = Organization.objects.filter(organization_scope_q(actor), path__startswith=organization.path)
    agg = orgs.aggregate(
        total=Count("id"),
        industry_built=Count("id", filter=Q(kind__in=INDUSTRY_BUILT_KINDS)),
        grid=Count("id", filter=Q(kind=OrgKind.GRID_BRANCH)),
        temporary=Count("id", filter=Q(kind=OrgKind.TEMPORARY_BRANCH)),
        standards=Count(
            "id",
            filter=Q(
                kind=OrgKind.INDUSTRY_COMMITTEE,
                has_staffing_standard=True,
                has_personnel_standard=True,
                has_funding_standard=True,
            ),
        ),
    )
    rules = Rule.objects.filter(rule_scope_q(actor), organization__path__startswith=organization.path).count()
    return SubtreeFigures(
        organizations=agg["total"],
        industry_built=agg["industry_built"],
        grid_branches=agg["grid"],
        temporary_branches=agg["temporary"],
        rules=rules,
        committees_with_all_standards=agg["standards"],
    )


def role_grant_list(*, actor: Any) -> QuerySet[RoleGrant]:
    """The actor's own role grants that are in force (on active organisations, as scope_paths counts them)."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return RoleGrant.objects.none()
    return (
        RoleGrant.objects.filter(user=actor, organization__status=OrgStatus.ACTIVE)
        .select_related("organization")
        .order_by("organization__path", "role")
    )


# Kinds an organisation may be moved under (see services.organization_move).
PARENT_KINDS = (OrgKind.INDUSTRY_COMMITTEE, OrgKind.COMMITTEE, OrgKind.GENERAL_BRANCH)


def organization_list_for_action(
    *, actor: Any, action: str, within: Organization | None = None
) -> QuerySet[Organization]:
    """Active organisations where the actor may do `action` (e.g. "person.change"), optionally only inside
    `within`'s subtree, in tree order: the choices of a form whose service will require that action."""
    qs = Organization.objects.filter(organization_scope_q(actor, action), status=OrgStatus.ACTIVE)
    if within is not None:
        qs = qs.filter(path__startswith=within.path)
    return qs.select_related("region").order_by("path")


def organization_move_targets(*, actor: Any, organization: Organization) -> QuerySet[Organization]:
    """Where `organization` could be moved: active committees the actor may change, outside its own subtree and
    other than its current parent, in tree order."""
    qs = organization_list_for_action(actor=actor, action="org.change").filter(kind__in=PARENT_KINDS)
    qs = qs.exclude(path__startswith=organization.path)
    if organization.parent_id is not None:
        qs = qs.exclude(pk=organization.parent_id)
    return qs


def organization_breadcrumbs(*, actor: Any, organizations: list[Organization]) -> dict[int, list[Organization]]:
    """Breadcrumbs (visible ancestors, root first) for many organisations with one query, e.g. search results."""
    chains = {org.pk: [int(p) for p in org.path.strip("/").split("/")[:-1]] for org in organizations}
    ids = {i for chain in chains.values() for i in chain}
    visible = Organization.objects.filter(organization_scope_q(actor), pk__in=ids).only("id", "name", "path").in_bulk()
    return {pk: [visible[i] for i in chain if i in visible] for pk, chain in chains.items()}
