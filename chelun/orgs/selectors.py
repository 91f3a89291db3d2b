"""Reads on the organisation tree and rules, always scoped to the actor."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet

from chelun.core.models import Region
from chelun.orgs.access import organization_scope_q, rule_scope_q, scope_paths
from chelun.orgs.choices import INDUSTRY_BUILT_KINDS, OrgKind
from chelun.orgs.models import Organization, Rule


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
