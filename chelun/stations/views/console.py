"""The province console's station pages: every station in the user's scope (filters, live status, Excel), the
registration of a new station, and the corridor gaps."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from chelun.core.exports import queryset_rows, xlsx_response
from chelun.core.forms import submit
from chelun.core.views import (
    HtmxHttpRequest,
    console_view,
    counted_page,
    may_act_somewhere,
    redirect_after_post,
    render_page,
    wants_partial,
    wants_xlsx,
)
from chelun.stations import selectors, services
from chelun.stations.console_scope import limit_region_choices, scope_region_ids
from chelun.stations.forms.console import ConsoleFilterForm
from chelun.stations.forms.registry import StationCreateForm
from chelun.stations.models import Station
from chelun.stations.views.exports import CONSOLE_EXPORT_HEADERS, GAP_EXPORT_HEADERS, console_row, gap_rows
from chelun.stations.views.wording import status_text

GAP_FLAG_KM = 200  # the ~200 km spacing of the national 司机之家 plan
CONSOLE_PAGE_SIZE = 50


@console_view
@require_GET
def console(request: HtmxHttpRequest) -> HttpResponse:
    """站点管理: every station in the user's scope, with filters, live status and an Excel export."""
    now = timezone.now()
    form = ConsoleFilterForm(request.GET)
    if form.is_valid():
        stations = selectors.station_console_rows(
            actor=request.user, filters=form.to_filter(), include_synthetic=bool(form.cleaned_data.get("synthetic"))
        )
    else:
        stations = Station.objects.none()
    if wants_xlsx(request):
        return xlsx_response(
            "暖心之家站点",
            CONSOLE_EXPORT_HEADERS,
            queryset_rows(stations, lambda station: console_row(station, now)),
            sheet="站点",
        )
    page = counted_page(stations, request, CONSOLE_PAGE_SIZE)
    managed = set(
        selectors.station_console_list(actor=request.user, managed_only=True)
        .filter(pk__in=[s.pk for s in page.object_list])
        .values_list("pk", flat=True)
    )
    lives = [(s, selectors.station_live_status(s, now=now)) for s in page.object_list]
    rows = [(s, live, status_text(live), s.pk in managed) for s, live in lives]
    if not wants_partial(request):
        region = form.fields["region"]
        region.load_choices()  # type: ignore[attr-defined]
        # A county admin picks among the regions their organisations cover, not all of Sichuan's.
        region.choices = limit_region_choices(list(region.choices), scope_region_ids(request.user))  # type: ignore[attr-defined]
    can_create = may_act_somewhere(request.user, "station.change")
    context = {"form": form, "page": page, "rows": rows, "can_create": can_create}
    return render_page(request, "stations/console.html", "stations/partials/_console_results.html", context)


@console_view
@require_http_methods(["GET", "POST"])
def station_create(request: HtmxHttpRequest) -> HttpResponse:
    """登记站点: an admin registers a station run by an organisation in their subtree (station.change). GCJ-02
    coordinates (Amap, Tencent) are converted to WGS-84; a point outside China or an unknown amenity is refused
    with its message and nothing is written. Without station.change anywhere the page does not exist."""
    if not may_act_somewhere(request.user, "station.change"):
        raise Http404("页面不存在")
    status = 200
    if request.method == "POST":
        form = StationCreateForm(request.POST, actor=request.user)
        submitted = submit(
            form,
            lambda: services.station_create(
                actor=request.user,
                organization=form.cleaned_data["organization"],
                amenities=form.amenity_codes(),
                **form.station_fields(),
            ),
        )
        if submitted.ok:
            station = submitted.result
            messages.success(request, f"站点“{station.name}”已登记")
            return redirect_after_post(request, reverse("stations:operate", args=[station.pk]))
        status = submitted.status
    else:
        form = StationCreateForm(actor=request.user)
    form.load_choices()
    region = form.fields["region"]
    region.choices = limit_region_choices(list(region.choices), scope_region_ids(request.user, "station.change"))  # type: ignore[attr-defined]
    return render_page(request, "stations/create.html", "stations/partials/_create_form.html", {"form": form}, status)


@console_view
@require_GET
def gaps(request: HtmxHttpRequest) -> HttpResponse:
    """布点缺口: for each named corridor, the longest stretch with no open station (the directory is public, so
    every console user sees the same network); stretches over ~200 km are flagged."""
    found = selectors.corridor_gaps()
    if wants_xlsx(request):
        return xlsx_response("布点缺口", GAP_EXPORT_HEADERS, gap_rows(found), sheet="布点缺口")
    return render(request, "stations/gaps.html", {"gaps": found, "flag_km": GAP_FLAG_KM})
