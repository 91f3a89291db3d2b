"""暖心之家 for drivers: the map and list near a point, and the stations along a route (public, phone first).
Reads go through stations.selectors; what a row says about freshness comes from selectors.station_live_status."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from chelun.core.errors import ApplicationError
from chelun.core.views import HtmxHttpRequest, render_page, wants_partial
from chelun.stations import selectors
from chelun.stations.corridors import corridors
from chelun.stations.forms.driver import (
    DEFAULT_OFFROAD_KM,
    DEFAULT_RADIUS_KM,
    EXPRESSWAY_CORRIDOR_M,
    OFFROAD_CHOICES,
    NearSearchForm,
    RouteSearchForm,
)
from chelun.stations.views.wording import Row, clock_text, duration_text, say_text, station_rows


def _console_links(user: Any) -> dict[str, bool]:
    if not user.is_authenticated:
        return {"console": False, "operate": False}
    return {
        "console": True,
        "operate": selectors.station_console_list(actor=user, managed_only=True).exists(),
    }


def _markers(rows: list[Row]) -> list[dict[str, Any]]:
    return [
        {
            "id": row.station.pk,
            "name": row.station.name,
            "lon": row.station.lon,
            "lat": row.station.lat,
            "state": row.live.state,
            "status": row.status,
            "url": reverse("stations:detail", args=[row.station.pk]),
        }
        for row in rows
    ]


def _map_config(request: HtmxHttpRequest) -> dict[str, Any]:
    return {"basemap_url": reverse("stations:basemap"), "tile_url": settings.MAP_TILE_URL}


def _offroad_km(value: str | None) -> int:
    """The chosen off-road distance as one of the chips' values (anything else: the default)."""
    choices = {km for km, _ in OFFROAD_CHOICES}
    try:
        km = int(value or DEFAULT_OFFROAD_KM)
    except ValueError:
        return DEFAULT_OFFROAD_KM
    return km if km in choices else DEFAULT_OFFROAD_KM


@require_GET
def home(request: HtmxHttpRequest) -> HttpResponse:
    """暖心之家: map and list. Near a point (the phone's position or a tapped town), sorted by distance; otherwise
    the whole directory by name. Synthetic benchmark stations stay hidden unless ?synthetic=1."""
    now = timezone.now()
    form = NearSearchForm(request.GET)
    rows: list[Row] = []
    centre = None
    status = 200
    error = ""
    if form.is_valid():
        include = bool(form.cleaned_data.get("synthetic"))
        point = form.point()
        try:
            if point is not None:
                centre = point
                results = selectors.station_near_for_drivers(
                    lon=point[0],
                    lat=point[1],
                    radius_km=form.radius_km(),
                    filters=form.to_filter(),
                    include_synthetic=include,
                    now=now,
                )
            else:
                results = selectors.station_list_for_drivers(
                    filters=form.to_filter(), include_synthetic=include, now=now
                )
            rows = station_rows(results)
        except ApplicationError as exc:
            error, status = exc.message, exc.status_code
    else:
        status = 422
    if not wants_partial(request):
        form.fields["town"].load_choices()  # type: ignore[attr-defined]
    context = {
        "form": form,
        "rows": rows,
        "centre": centre,
        "error": error,
        "markers": _markers(rows),
        "map": _map_config(request),
        "links": _console_links(request.user),
        "selected_amenities": request.GET.getlist("amenities"),
        "selected_radius": str(form.radius_km() if form.is_valid() else DEFAULT_RADIUS_KM),
    }
    return render_page(request, "stations/home.html", "stations/partials/_home_results.html", context, status)


@require_GET
def route(request: HtmxHttpRequest) -> HttpResponse:
    """沿途找站: stations ahead on a named corridor (or a pasted route) in order of km ahead, with ETA, detour, live
    status and the forecast at the ETA. Bad input gets a message, never a 500."""
    now = timezone.now()
    searched = any(key in request.GET for key in ("corridor", "route_text"))
    form = RouteSearchForm(request.GET if searched else None, initial={"corridor": "G5", "mode": "corridor"})
    rows: list[Row] = []
    status = 200
    error = ""
    if searched:
        if form.is_valid():
            try:
                query = form.to_query()
                results = selectors.station_along_route_for_drivers(
                    query=query, include_synthetic=bool(form.cleaned_data.get("synthetic")), now=now
                )
            except ApplicationError as exc:
                error, status = exc.message, exc.status_code
            else:
                rows = station_rows(results)
        else:
            status = 422
    corridor_ref = (form.data.get("corridor") if searched else None) or "G5"
    context = {
        "form": form,
        "searched": searched,
        "rows": [(row, _route_words(row, now)) for row in rows],
        "error": error,
        "mode": (form.data.get("mode") if searched else None) or "corridor",
        "corridor_ref": corridor_ref,
        "towns": form.town_choices(corridor_ref),
        "from_town": form.data.get("from_town", "510100") if searched else "510100",
        "to_town": form.data.get("to_town", "") if searched else "",
        "corridors_json": {ref: [[t.code, t.name] for t in c.towns] for ref, c in corridors().items()},
        "selected_amenities": request.GET.getlist("amenities") if searched else [],
        "selected_window": form.data.get("window", "") if searched else "",
        "selected_offroad": _offroad_km(form.data.get("offroad_km") if searched else None),
        "expressway_m": EXPRESSWAY_CORRIDOR_M,
        "default_offroad_km": DEFAULT_OFFROAD_KM,
        "offroad_km": _offroad_km(form.data.get("offroad_km") if searched else None),
        "route_format": getattr(form, "route_format_label", ""),
    }
    return render_page(request, "stations/route.html", "stations/partials/_route_results.html", context, status)


def _route_words(row: Row, now: dt.datetime) -> dict[str, str]:
    result = row.result
    forecast = result.forecast
    if forecast is None:
        forecast_text = "到达时：暂无足够历史数据预测"
    else:
        forecast_text = (
            f"预计到达时约空余 {forecast.expected_free_spaces} 个车位 · 可信度 {round(forecast.confidence * 100)}%"
        )
    detour = ""
    if result.detour_km:
        detour = f"需绕行 {result.detour_km:g} 公里（约 {result.detour_minutes:g} 分钟）"
    return {
        "ahead": f"前方 {result.km_ahead:g} 公里" if result.km_ahead is not None else "",
        "eta": f"约 {duration_text(result.seconds_ahead)} · 预计 {clock_text(result.eta, now)} 到达",
        "detour": detour,
        "forecast": forecast_text,
        "say": say_text(row, now),
    }
