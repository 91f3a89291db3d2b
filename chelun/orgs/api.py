"""The organisation tree and institutional rules. Thin: resolve inputs, call selectors/services, return schemas.
Anything outside the caller's scope answers 404 exactly like a missing id; an id named in a body or a filter that
the caller cannot see is a 422 on that field."""

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Status
from ninja.pagination import paginate

from chelun.core.api import actor_of, region_by_code
from chelun.core.errors import NotFound, ValidationFailed
from chelun.core.schemas import READ_ERRORS, WRITE_ERRORS, Pagination
from chelun.orgs import selectors, services
from chelun.orgs.access import access_organization_by_id, access_rule_by_id
from chelun.orgs.models import Organization
from chelun.orgs.schemas import (
    OrgChildOut,
    OrgDetailOut,
    OrgFilter,
    OrgIn,
    OrgMoveIn,
    OrgOut,
    OrgPatchIn,
    RuleFilter,
    RuleIn,
    RuleOut,
)

router = Router(tags=["组织体系"])


def organization_ref(actor: Any, organization_id: int, *, field: str) -> Organization:
    """The organisation an input field names, if the caller can see it; otherwise a 422 on that field (the same
    answer for a missing id and one outside scope)."""
    try:
        return access_organization_by_id(actor=actor, organization_id=organization_id)
    except NotFound:
        raise ValidationFailed("组织不存在", "unknown_organization", {"fields": {field: ["组织不存在"]}}) from None


# Rules come first: "/rules" must not be taken for an organisation id.


@router.get("/rules", response={200: list[RuleOut], **READ_ERRORS}, summary="制度列表")
@paginate(Pagination)
def rule_list(request: HttpRequest, filters: Query[RuleFilter]) -> Any:
    actor = actor_of(request)
    within = organization_ref(actor, filters.within, field="within") if filters.within is not None else None
    return selectors.rule_list(
        actor=actor,
        within=within,
        q=filters.q.strip(),
        category=filters.category or "",
        status=filters.status or "",
    ).order_by("-effective_on", "id")


@router.get("/rules/{rule_id}", response={200: RuleOut, **READ_ERRORS}, summary="制度详情")
def rule_detail(request: HttpRequest, rule_id: int) -> Any:
    return access_rule_by_id(actor=actor_of(request), rule_id=rule_id)


@router.post("/rules", response={201: RuleOut, **WRITE_ERRORS}, summary="新增制度")
def rule_create(request: HttpRequest, payload: RuleIn) -> Any:
    actor = actor_of(request)
    organization = organization_ref(actor, payload.organization_id, field="organization_id")
    rule = services.rule_create(
        actor=actor,
        organization=organization,
        title=payload.title,
        category=payload.category,
        number=payload.number,
        effective_on=payload.effective_on,
        status=payload.status,
    )
    return Status(201, rule)


@router.get("/", response={200: list[OrgOut], **READ_ERRORS}, summary="组织列表")
@paginate(Pagination)
def organization_list(request: HttpRequest, filters: Query[OrgFilter]) -> Any:
    actor = actor_of(request)
    return selectors.organization_list(
        actor=actor,
        filters=selectors.OrganizationFilter(
            q=filters.q.strip(),
            kind=filters.kind or "",
            region=region_by_code(filters.region, field="region") if filters.region else None,
            status=filters.status or "",
            within=organization_ref(actor, filters.within, field="within") if filters.within is not None else None,
        ),
    ).order_by("path")


@router.post("/", response={201: OrgOut, **WRITE_ERRORS}, summary="新建组织")
def organization_create(request: HttpRequest, payload: OrgIn) -> Any:
    actor = actor_of(request)
    parent = organization_ref(actor, payload.parent_id, field="parent_id") if payload.parent_id is not None else None
    fields = payload.model_dump(exclude={"parent_id", "region_code"})
    org = services.organization_create(
        actor=actor, parent=parent, region=region_by_code(payload.region_code, field="region_code"), **fields
    )
    return Status(201, org)


@router.get("/{organization_id}", response={200: OrgDetailOut, **READ_ERRORS}, summary="组织详情（含子树统计）")
def organization_detail(request: HttpRequest, organization_id: int) -> Any:
    actor = actor_of(request)
    org = access_organization_by_id(actor=actor, organization_id=organization_id)
    org.visible_ancestors = selectors.organization_ancestors(actor=actor, organization=org)  # type: ignore[attr-defined]
    org.figures = selectors.subtree_figures(actor=actor, organization=org)  # type: ignore[attr-defined]
    return org


@router.patch("/{organization_id}", response={200: OrgOut, **WRITE_ERRORS}, summary="修改组织（需带 version）")
def organization_update(request: HttpRequest, organization_id: int, payload: OrgPatchIn) -> Any:
    actor = actor_of(request)
    org = access_organization_by_id(actor=actor, organization_id=organization_id, action="org.change")
    changes = payload.changes()
    if "region_code" in changes:
        changes["region"] = region_by_code(changes.pop("region_code"), field="region_code")
    return services.organization_update(actor=actor, organization=org, expected_version=payload.version, **changes)


@router.get("/{organization_id}/children", response={200: list[OrgChildOut], **READ_ERRORS}, summary="直接下级组织")
@paginate(Pagination)
def organization_children(request: HttpRequest, organization_id: int) -> Any:
    actor = actor_of(request)
    org = access_organization_by_id(actor=actor, organization_id=organization_id)
    return selectors.organization_children(actor=actor, organization=org).order_by("kind", "name", "id")


@router.post("/{organization_id}/move", response={200: OrgOut, **WRITE_ERRORS}, summary="移动组织（连同下级）")
def organization_move(request: HttpRequest, organization_id: int, payload: OrgMoveIn) -> Any:
    actor = actor_of(request)
    org = access_organization_by_id(actor=actor, organization_id=organization_id)
    new_parent = organization_ref(actor, payload.new_parent_id, field="new_parent_id")
    return services.organization_move(
        actor=actor, organization=org, new_parent=new_parent, expected_version=payload.version
    )
