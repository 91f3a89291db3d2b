"""Grid pages (/grid/): the committee's coverage map and ranked gaps, the driver's "my branch here" with the
consent switch, the secretary's attached members. Thin: selectors read, services write."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from chelun.core.errors import ApplicationError
from chelun.core.exports import xlsx_response
from chelun.core.views import HtmxHttpRequest, console_view, get_or_404, is_driver
from chelun.grid import selectors, services
from chelun.grid.access import access_attachment_by_id, person_of
from chelun.grid.engine import RULE_TEXT
from chelun.grid.models import Attachment
from chelun.orgs.access import path_scope_q

GAP_HEADERS = ["网格单元", "纬度", "经度", "位置点数", "司机数", "所在区县", "最近的网格支部", "距离（公里）"]


@require_safe
@console_view
def home(request: HtmxHttpRequest) -> HttpResponse:
    return redirect("grid:my" if is_driver(request.user) else "grid:coverage")


def _map_context() -> dict[str, str]:
    return {
        "basemap_url": reverse("stations:basemap"),
        "cells_url": reverse("grid:cells"),
        "tile_url": getattr(settings, "MAP_TILE_URL", ""),
    }


@require_safe
@console_view
def coverage(request: HtmxHttpRequest) -> HttpResponse:
    summary = selectors.coverage_summary(actor=request.user)
    gaps = selectors.gaps_ranked(actor=request.user, limit=10)
    return render(
        request,
        "grid/coverage.html",
        {"summary": summary, "gaps": gaps, "map": _map_context(), "rule": RULE_TEXT},
    )


@require_safe
@console_view
def cells(request: HtmxHttpRequest) -> JsonResponse:
    """Covered cells in scope as GeoJSON, plus the top gaps as points (drivers below the threshold suppressed)."""
    data = selectors.coverage_cells_geojson(actor=request.user)
    for g in selectors.gaps_ranked(actor=request.user, limit=30):
        data["features"].append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [g.lng, g.lat]},
                "properties": {"gap": True, "pings": g.pings, "county": g.county_name},
            }
        )
    return JsonResponse(data)


def _gap_rows(gaps: list[selectors.Gap]) -> list[list[object]]:
    return [
        [
            format(g.cell, "x"),
            round(g.lat, 5),
            round(g.lng, 5),
            g.pings,
            g.drivers if g.drivers is not None else "<3",
            g.county_name,
            g.nearest_branch_name,
            g.nearest_km,
        ]
        for g in gaps
    ]


@require_safe
@console_view
def gaps(request: HtmxHttpRequest) -> HttpResponse:
    found = selectors.gaps_ranked(actor=request.user, limit=100)
    if request.GET.get("export") == "xlsx":
        return xlsx_response("网格覆盖缺口", GAP_HEADERS, _gap_rows(found), sheet="覆盖缺口")
    return render(request, "grid/gaps.html", {"gaps": found, "min_shown": selectors.MIN_SHOWN_COUNT})


@require_safe
@console_view
def my(request: HtmxHttpRequest) -> HttpResponse:
    person = get_or_404(lambda: _person_or_404(request))
    return render(request, "grid/my.html", {"view": selectors.driver_grid(person=person)})


def _person_or_404(request: HtmxHttpRequest) -> object:
    try:
        return person_of(request.user)
    except ApplicationError:
        from chelun.core.errors import NotFound

        raise NotFound("当前账号未关联司机身份") from None


@require_POST
@console_view
def consent_toggle(request: HtmxHttpRequest) -> HttpResponse:
    person = get_or_404(lambda: _person_or_404(request))
    given = request.POST.get("given") == "1"
    services.consent_set(person=person, given=given)
    messages.success(request, "已开启位置共享" if given else "已关闭位置共享，原始轨迹已删除")
    return redirect("grid:my")


@require_safe
@console_view
def members(request: HtmxHttpRequest) -> HttpResponse:
    pending = (
        Attachment.objects.filter(
            path_scope_q(request.user, "grid.members_manage", "branch__path"),
            confirmed_at__isnull=True,
            ended_at__isnull=True,
        )
        .select_related("mobile__person", "branch")
        .order_by("-suggested_at")[:50]
    )
    return render(
        request,
        "grid/members.html",
        {
            "members": selectors.attached_members(actor=request.user)[:200],
            "arrivals": selectors.arrivals_since(actor=request.user)[:50],
            "pending": pending,
        },
    )


@require_POST
@console_view
def attachment_confirm(request: HtmxHttpRequest, attachment_id: int) -> HttpResponse:
    attachment = get_or_404(lambda: access_attachment_by_id(actor=request.user, attachment_id=attachment_id))
    try:
        services.attachment_confirm(attachment=attachment, actor=request.user)
        messages.success(request, "已确认挂靠，已通知本支部")
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("grid:members")
