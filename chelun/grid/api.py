"""The grid API under /api/v1/grid/: pings and consent for drivers, coverage and gaps for committees."""

from __future__ import annotations

from typing import Any

import h3
from django.http import HttpRequest
from django.utils import timezone
from ninja import Router

from chelun.core.api import actor_of
from chelun.core.errors import ValidationFailed
from chelun.core.geo import gcj02_to_wgs84
from chelun.core.schemas import READ_ERRORS, WRITE_ERRORS
from chelun.grid import selectors, services
from chelun.grid.access import access_attachment_by_id, access_branch_by_id, person_of
from chelun.grid.index import grid_engine
from chelun.grid.schemas import (
    BranchOut,
    CellsIn,
    ConsentIn,
    ConsentOut,
    CoverageChangeOut,
    GapOut,
    MyGridOut,
    PingBatchIn,
    PingBatchOut,
    SummaryOut,
)

router = Router(tags=["网格"])


@router.post(
    "/pings",
    response={200: PingBatchOut, **WRITE_ERRORS},
    summary="上传一批位置点（整批接收或整批拒绝；拒绝时 extra.items 列出每个有误的点及原因）",
)
def ping_batch(request: HttpRequest, payload: PingBatchIn) -> Any:
    person = person_of(actor_of(request))
    items = []
    for p in payload.pings:
        lat, lng = p.lat, p.lng
        if payload.coord_system == "gcj02" and -90 <= lat <= 90 and -180 <= lng <= 180:
            lng, lat = gcj02_to_wgs84(lng, lat)
        if p.at.tzinfo is None:
            raise ValidationFailed("定位时间须带时区", "naive_datetime")
        items.append(services.PingItem(client_id=p.client_id, at=p.at, lat=lat, lng=lng))
    result = services.pings_record(person=person, items=items)
    return {"accepted": result.accepted, "duplicates": result.duplicates}


@router.get("/consent", response={200: ConsentOut, **READ_ERRORS}, summary="本人的位置授权")
def consent_get(request: HttpRequest) -> Any:
    person = person_of(actor_of(request))
    consent = getattr(person, "location_consent", None)
    return {"given": bool(consent and consent.given), "changed_at": consent.changed_at if consent else timezone.now()}


@router.put("/consent", response={200: ConsentOut, **WRITE_ERRORS}, summary="授权或撤回位置信息（撤回即删除原始轨迹）")
def consent_put(request: HttpRequest, payload: ConsentIn) -> Any:
    consent = services.consent_set(person=person_of(actor_of(request)), given=payload.given)
    return {"given": consent.given, "changed_at": consent.changed_at}


def _ref(org: Any) -> dict[str, Any] | None:
    return {"id": org.pk, "name": org.name} if org else None


@router.get("/me", response={200: MyGridOut, **READ_ERRORS}, summary="司机本人：此处的网格支部、所在支部、挂靠记录")
def my_grid(request: HttpRequest) -> Any:
    view = selectors.driver_grid(person=person_of(actor_of(request)))
    return {
        "consent": view.consent,
        "position_at": view.position.at if view.position else None,
        "cell": h3.int_to_str(view.position.cell) if view.position else None,
        "branch_here": _ref(view.branch_here),
        "home_branch": _ref(view.home_branch),
        "attachments": [
            {"id": a.pk, "branch": _ref(a.branch), "confirmed_at": a.confirmed_at, "ended_at": a.ended_at}
            for a in view.attachments
        ],
    }


@router.get("/branches/{branch_id}", response={200: BranchOut, **READ_ERRORS}, summary="网格支部及其单元数")
def branch_detail(request: HttpRequest, branch_id: int) -> Any:
    branch = access_branch_by_id(actor=actor_of(request), branch_id=branch_id)
    return {"id": branch.pk, "name": branch.name, "cells": len(grid_engine.get().coverage.cells_of(branch.pk))}


@router.put(
    "/branches/{branch_id}/cells",
    response={200: CoverageChangeOut, **WRITE_ERRORS},
    summary="划定网格：以给出的单元替换该支部的网格（新版本，保留历史）",
)
def branch_cells_put(request: HttpRequest, branch_id: int, payload: CellsIn) -> Any:
    actor = actor_of(request)
    branch = access_branch_by_id(actor=actor, branch_id=branch_id, change=True)
    cells = []
    for c in payload.cells:
        try:
            cells.append(h3.str_to_int(c))
        except (ValueError, TypeError):
            raise ValidationFailed(f"网格单元 {c} 无效", "invalid_cell", {"fields": {"cells": [f"{c} 无效"]}}) from None
    change = services.coverage_set(
        branch=branch, cells=cells, actor=actor, priority=payload.priority, note=payload.note
    )
    return change


@router.get("/summary", response={200: SummaryOut, **READ_ERRORS}, summary="覆盖情况（本人权限范围内）")
def summary(request: HttpRequest) -> Any:
    s = selectors.coverage_summary(actor=actor_of(request))
    return {**s.__dict__, "attached_share": s.attached_share, "covered_share": s.covered_share}


@router.get("/gaps", response={200: list[GapOut], **READ_ERRORS}, summary="未覆盖单元按司机活动排序（建支部选址）")
def gaps(request: HttpRequest, limit: int = 50) -> Any:
    rows = selectors.gaps_ranked(actor=actor_of(request), limit=max(1, min(limit, 200)))
    return [{**g.__dict__, "cell": h3.int_to_str(g.cell)} for g in rows]


@router.post(
    "/attachments/{attachment_id}/confirm",
    response={200: dict[str, Any], **WRITE_ERRORS},
    summary="网格支部书记确认挂靠（两人同时确认时只有一人成功）",
)
def attachment_confirm(request: HttpRequest, attachment_id: int) -> Any:
    actor = actor_of(request)
    attachment = access_attachment_by_id(actor=actor, attachment_id=attachment_id)
    done = services.attachment_confirm(attachment=attachment, actor=actor)
    return {
        "id": done.pk,
        "branch_id": done.branch_id,
        "confirmed_at": done.confirmed_at.isoformat() if done.confirmed_at else None,
    }
