"""Regions (reference data, the same for every signed-in user) and the audit log (scoped to the caller)."""

from typing import Any

from auditlog.middleware import AuditlogMiddleware
from django.http import HttpRequest
from ninja import Query, Router
from ninja.pagination import paginate

from chelun.core.audit import AuditFilter, audit_entry_list
from chelun.core.errors import NotFound, ValidationFailed
from chelun.core.models import Region, RegionBoundary
from chelun.core.schemas import (
    AUDIT_ACTIONS,
    READ_ERRORS,
    AuditEntryFilter,
    AuditEntryOut,
    Pagination,
    RegionDetailOut,
    RegionFilter,
    RegionOut,
)

router = Router(tags=["基础数据"])


# ---------------------------------------------------------------------------------------------------------------
# Helpers the other routers share
# ---------------------------------------------------------------------------------------------------------------


def actor_of(request: HttpRequest) -> Any:
    """The signed-in user, whichever authenticator (bearer token or session) let the request in."""
    return request.auth  # type: ignore[attr-defined]


def client_address(request: HttpRequest) -> str | None:
    """The client address the way every other audit entry records it (auditlog's own rule)."""
    return AuditlogMiddleware._get_remote_addr(request)


def region_by_code(code: str, *, field: str) -> Region:
    """The region an input names by its code; an unknown code is a 422 on that field."""
    region = Region.objects.filter(code=code).first()
    if region is None:
        message = f"未知的行政区划代码：{code}"
        raise ValidationFailed(message, "unknown_region", {"fields": {field: [message]}})
    return region


# ---------------------------------------------------------------------------------------------------------------
# Regions
# ---------------------------------------------------------------------------------------------------------------


@router.get("/regions", response={200: list[RegionOut], **READ_ERRORS}, summary="行政区划列表")
@paginate(Pagination)
def region_list(request: HttpRequest, filters: Query[RegionFilter]) -> Any:
    if filters.parent:
        region_by_code(filters.parent, field="parent")
    regions = Region.objects.select_related("parent")
    return filters.filter(regions).order_by("code")


@router.get("/regions/{code}", response={200: RegionDetailOut, **READ_ERRORS}, summary="行政区划详情")
def region_detail(request: HttpRequest, code: str, boundary: bool = False) -> Any:
    region = Region.objects.select_related("parent").filter(code=code).first()
    if region is None:
        raise NotFound("行政区划不存在")
    if boundary:
        outline = RegionBoundary.objects.filter(region=region).values_list("geometry", flat=True).first()
        region.boundary_out = outline  # type: ignore[attr-defined]
    return region


# ---------------------------------------------------------------------------------------------------------------
# Audit log
# ---------------------------------------------------------------------------------------------------------------


@router.get("/audit", response={200: list[AuditEntryOut], **READ_ERRORS}, summary="审计日志（本人权限范围内）")
@paginate(Pagination)
def audit_list(request: HttpRequest, filters: Query[AuditEntryFilter]) -> Any:
    return audit_entry_list(
        actor=actor_of(request),
        filters=AuditFilter(
            action=AUDIT_ACTIONS[filters.action] if filters.action else None,
            model=filters.model.strip().lower(),
            actor_username=filters.actor.strip(),
            since=filters.since,
            until=filters.until,
        ),
    )
