"""暖心之家 pages: the drivers' map, list, route search and station card (public, phone first), the operator's phone
console for their own station, and the province console (stations, corridor gaps, funding).

Thin: reads go through stations.selectors (scoped to the user), writes through stations.services; what a page shows
about freshness comes from selectors.station_live_status, never from the template."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import quote

import segno
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseNotModified
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from chelun.core.errors import ApplicationError, Forbidden, NotFound
from chelun.core.exports import XLSX_CONTENT_TYPE, build_workbook, xlsx_response
from chelun.core.views import (
    HtmxHttpRequest,
    console_view,
    counted_page,
    form_errors_from,
    get_or_404,
    may_act_somewhere,
    redirect_after_post,
    render_page,
    wants_partial,
    wants_xlsx,
)
from chelun.orgs.access import can
from chelun.stations import selectors, services
from chelun.stations.access import (
    access_public_station_by_id,
    access_station_by_id,
    access_station_funding_by_id,
)
from chelun.stations.choices import (
    FREE_BY_STANDARD,
    Amenity,
    CheckInService,
    CostCategory,
    FeedbackIssue,
    FeedbackStatus,
    FundingSource,
    SpaceLevel,
)
from chelun.stations.corridors import corridors
from chelun.stations.forms import (
    ARRIVE_HOURS,
    DEFAULT_RADIUS_KM,
    CheckinForm,
    ConfirmForm,
    ConsoleFilterForm,
    CostForm,
    FeedbackForm,
    FundingFilterForm,
    NearSearchForm,
    PhotoForm,
    PricesForm,
    ReplyForm,
    RouteSearchForm,
    StationCreateForm,
    StationInfoForm,
    StatusSetForm,
    SubsidyForm,
    default_months,
)
from chelun.stations.models import Feedback, Station
from chelun.stations.search.basemap import basemap_cache
from chelun.stations.selectors import FundingRow, LiveStatus, StationResult

# The anonymous driver's device id; the stations API reads the same cookie.
DEVICE_COOKIE = "chelun_device"
DEVICE_COOKIE_AGE = 2 * 365 * 24 * 3600
MAX_DEVICE_ID = 128
DEFAULT_ARRIVE_HOURS = 2
PUBLIC_FEEDBACK_SHOWN = 20
ANSWERED_FEEDBACK_SHOWN = 10
# Services a station may put a price on: the five basic ones (always free) and those often charged for.
PRICED_SERVICES = FREE_BY_STANDARD | {Amenity.HOT_MEAL, Amenity.DRYING, Amenity.BEDS, Amenity.REPAIR, Amenity.KITCHEN}
VISIT_DAYS = 14
GAP_FLAG_KM = 200  # the ~200 km spacing of the national 司机之家 plan
BASEMAP_MAX_AGE = 7 * 24 * 3600
CHECKIN_SERVICE_BUTTONS = (
    CheckInService.PARKING,
    CheckInService.SHOWER,
    CheckInService.LAUNDRY,
    CheckInService.MEAL,
    CheckInService.HOT_WATER,
    CheckInService.BED,
    CheckInService.CONSULTATION,
    CheckInService.PARTY,
)


# --------------------------------------------------------------------------------------------------------------
# Presentation helpers (wording only; every rule is in the selectors)
# --------------------------------------------------------------------------------------------------------------


def age_text(minutes: int | None) -> str:
    if minutes is None:
        return ""
    if minutes < 1:
        return "刚刚"
    if minutes < 60:
        return f"{minutes} 分钟前"
    if minutes < 24 * 60:
        return f"{minutes // 60} 小时前"
    return f"{minutes // (24 * 60)} 天前"


def status_text(live: LiveStatus) -> str:
    """ "空余车位 12 个 · 8 分钟前 · 站长": the state, its age and its source, always together."""
    if live.observed_at is None:
        return f"{live.label} · 暂无上报" if live.state != "closed" else live.label
    parts = [live.label, age_text(live.age_minutes)]
    if live.source:
        parts.append(live.source)
    return " · ".join(p for p in parts if p)


def yuan(fen: int | None) -> str:
    if fen is None:
        return ""
    return f"{Decimal(fen) / 100:.2f}"


def duration_text(seconds: float | None) -> str:
    if seconds is None:
        return ""
    minutes = round(seconds / 60)
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest} 分钟"
    return f"{hours} 小时 {rest} 分" if rest else f"{hours} 小时"


def clock_text(moment: dt.datetime | None, now: dt.datetime) -> str:
    if moment is None:
        return ""
    local, today = timezone.localtime(moment), timezone.localtime(now).date()
    if local.date() == today:
        return f"{local:%H:%M}"
    if local.date() == today + dt.timedelta(days=1):
        return f"明天 {local:%H:%M}"
    return f"{local:%m-%d %H:%M}"


def hours_text(station: Station) -> str:
    if station.open_24h:
        return "24 小时开放"
    if station.opens_at and station.closes_at:
        return f"{station.opens_at:%H:%M}–{station.closes_at:%H:%M}"
    return "未公布"


def amenity_short(codes: Iterable[str]) -> str:
    labels = dict(Amenity.choices)
    return "、".join(labels[c] for c in codes if c in labels)


@dataclass
class Row:
    """One station in a driver's list: the search result and its words."""

    result: StationResult
    status: str
    free_services: list[str]

    @property
    def station(self) -> Station:
        return self.result.station

    @property
    def live(self) -> LiveStatus:
        return self.result.live


def _rows(results: list[StationResult]) -> list[Row]:
    rows = []
    for result in results:
        free = [Amenity(c).label for c in result.amenities if c in FREE_BY_STANDARD]
        rows.append(Row(result, status_text(result.live), free))
    return rows


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


def _say_text(row: Row, now: dt.datetime) -> str:
    """The voice readout: "前方38公里，金堂服务区暖心之家，空余货车位12个，可洗澡洗衣"."""
    parts = []
    if row.result.km_ahead is not None:
        parts.append(f"前方{round(row.result.km_ahead)}公里")
    elif row.result.distance_km is not None:
        parts.append(f"距离{round(row.result.distance_km)}公里")
    parts.append(row.station.name)
    live = row.live
    if live.state == "unknown":
        parts.append("车位情况未知")
    elif live.free_spaces is not None:
        parts.append(f"空余货车位{live.free_spaces}个，{age_text(live.age_minutes)}{live.source}上报")
    else:
        parts.append(live.label)
    codes = set(row.result.amenities)
    can = [
        word
        for code, word in ((Amenity.SHOWER, "洗澡"), (Amenity.LAUNDRY, "洗衣"), (Amenity.BEDS, "住宿"))
        if code in codes
    ]
    if can:
        parts.append("可" + "".join(can))
    return "，".join(parts)


# --------------------------------------------------------------------------------------------------------------
# Anonymous drivers: a device cookie
# --------------------------------------------------------------------------------------------------------------


def _device(request: HtmxHttpRequest) -> tuple[str, bool]:
    """(device id, newly made). The id only tells one phone from another for de-duplication; it is random."""
    existing = (request.COOKIES.get(DEVICE_COOKIE) or "").strip()
    if existing and len(existing) <= MAX_DEVICE_ID:
        return existing, False
    return secrets.token_hex(16), True


def _remember_device(request: HtmxHttpRequest, response: HttpResponse, device: tuple[str, bool]) -> HttpResponse:
    if device[1]:
        response.set_cookie(
            DEVICE_COOKIE,
            device[0],
            max_age=DEVICE_COOKIE_AGE,
            httponly=True,
            samesite="Lax",
            secure=request.is_secure(),
        )
    return response


def _visitor(request: HtmxHttpRequest) -> Any:
    return request.user if request.user.is_authenticated else None


def _public_station(pk: int) -> Station:
    return get_or_404(lambda: access_public_station_by_id(station_id=pk))


def _console_links(user: Any) -> dict[str, bool]:
    if not user.is_authenticated:
        return {"console": False, "operate": False}
    return {
        "console": True,
        "operate": selectors.station_console_list(actor=user, managed_only=True).exists(),
    }


# --------------------------------------------------------------------------------------------------------------
# Drivers: map and list
# --------------------------------------------------------------------------------------------------------------


def _map_config(request: HtmxHttpRequest) -> dict[str, Any]:
    return {"basemap_url": reverse("stations:basemap"), "tile_url": settings.MAP_TILE_URL}


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
            rows = _rows(results)
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
def basemap(request: HtmxHttpRequest) -> HttpResponse:
    """The shipped Sichuan base layer (prefectures + province outline) as one GeoJSON FeatureCollection: the map
    works with no tile server and no internet. Cached by browsers for a week and revalidated by ETag."""
    payload, etag = basemap_cache.get()  # per process: chelun.stations.search.basemap
    if etag in [tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")]:
        response: HttpResponse = HttpResponseNotModified()
    else:
        response = HttpResponse(payload, content_type="application/geo+json; charset=utf-8")
    response["ETag"] = etag
    response["Cache-Control"] = f"public, max-age={BASEMAP_MAX_AGE}"
    return response


@require_GET
def service_worker(request: HtmxHttpRequest) -> HttpResponse:
    """The driver pages' service worker (scope /stations/): pages network-first with the last copy offline, static
    files and the base map cache-first. Its cache name follows the static files' version, so a deploy refreshes it."""
    version = hashlib.sha256(static("js/stations-map.js").encode() + static("css/app.css").encode()).hexdigest()[:12]
    response = render(request, "stations/sw.js", {"version": version}, content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    return response


# --------------------------------------------------------------------------------------------------------------
# Drivers: along the route
# --------------------------------------------------------------------------------------------------------------


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
                rows = _rows(results)
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
        "say": _say_text(row, now),
    }


# --------------------------------------------------------------------------------------------------------------
# Drivers: one station
# --------------------------------------------------------------------------------------------------------------


def _arrive_hours(request: HtmxHttpRequest) -> int:
    try:
        hours = int(request.GET.get("arrive", DEFAULT_ARRIVE_HOURS))
    except ValueError:
        return DEFAULT_ARRIVE_HOURS
    return hours if hours in ARRIVE_HOURS else DEFAULT_ARRIVE_HOURS


def _price_rows(station: Station) -> list[dict[str, Any]]:
    """What is free and what it costs: every priced service, plus the basic services offered with no price listed
    (they are free by standard)."""
    prices = {p.service: p for p in station.prices.all()}
    offered = {a.amenity for a in station.amenities.all()}
    rows = []
    for code, label in Amenity.choices:
        price = prices.get(code)
        basic = code in FREE_BY_STANDARD
        if price is None and not (basic and code in offered):
            continue
        fen = price.price_fen if price else 0
        rows.append(
            {
                "code": code,
                "label": label,
                "free": fen == 0,
                "price": yuan(fen),
                "unit": price.unit if price else "",
                "standard": basic,
            }
        )
    return rows


def _amenity_rows(station: Station) -> list[tuple[str, bool]]:
    offered = {a.amenity for a in station.amenities.all()}
    return [(label, code in offered) for code, label in Amenity.choices]


def _forecast_context(station: Station, hours: int, now: dt.datetime) -> dict[str, Any]:
    at = now + dt.timedelta(hours=hours)
    forecast = selectors.station_forecast(station, at=at)
    return {
        "arrive_hours": hours,
        "arrive_choices": [h for h in ARRIVE_HOURS if h],
        "arrive_at": clock_text(at, now),
        "forecast": forecast,
        "forecast_confidence": round(forecast.confidence * 100) if forecast else None,
    }


def _live_context(station: Station, now: dt.datetime) -> dict[str, Any]:
    live = selectors.station_live_status(station, now=now)
    amenities = [a.amenity for a in station.amenities.all()]
    return {
        "live": live,
        "status": status_text(live),
        "levels": SpaceLevel.choices,
        "say": _say_text(Row(StationResult(station, live, amenities=amenities), "", []), now),
    }


def _feedback_context(station: Station, form: FeedbackForm | None = None) -> dict[str, Any]:
    summary = selectors.feedback_public_summary(station=station, recent=PUBLIC_FEEDBACK_SHOWN)
    issue_labels = dict(FeedbackIssue.choices)
    items = [
        {"feedback": f, "issues": [issue_labels.get(i, i) for i in f.issues], "stars": "★" * f.rating}
        for f in summary.recent
    ]
    return {"feedback_form": form or FeedbackForm(), "summary": summary, "feedback_items": items}


def _checkin_context(station: Station) -> dict[str, Any]:
    labels = dict(CheckInService.choices)
    return {"checkin_buttons": [(code, labels[code]) for code in CHECKIN_SERVICE_BUTTONS]}


def _station_context(request: HtmxHttpRequest, station: Station, now: dt.datetime) -> dict[str, Any]:
    context: dict[str, Any] = {"station": station, "now": now}
    context.update(_live_context(station, now))
    context.update(_forecast_context(station, _arrive_hours(request), now))
    context.update(_feedback_context(station))
    context.update(_checkin_context(station))
    context.update(
        {
            "prices": _price_rows(station),
            "amenity_rows": _amenity_rows(station),
            "photos": list(selectors.station_photo_list(station=station)),
            "hours": hours_text(station),
            "share_url": request.build_absolute_uri(reverse("stations:share", args=[station.pk])),
            "can_operate": request.user.is_authenticated
            and selectors.station_console_list(actor=request.user, managed_only=True).filter(pk=station.pk).exists(),
            "security_measures": [
                label
                for flag, label in (
                    (station.cctv, "视频监控"),
                    (station.guards, "保安巡逻"),
                    (station.lighting, "夜间照明"),
                    (station.fence, "货车区围栏"),
                )
                if flag
            ],
        }
    )
    return context


@require_GET
def detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """The station card: what is free and what it costs, amenities, hours, security, live status with its age and
    source, the forecast for "arrive in N hours", confirm / check-in buttons and the public feedback."""
    station = _public_station(pk)
    now = timezone.now()
    if wants_partial(request) and "arrive" in request.GET:
        context = {"station": station, **_forecast_context(station, _arrive_hours(request), now)}
        return render_page(request, "stations/detail.html", "stations/partials/_forecast.html", context)
    device = _device(request)
    response = render(request, "stations/detail.html", _station_context(request, station, now))
    patch_vary_headers(response, ["HX-Request"])
    return _remember_device(request, response, device)


def _after_driver_post(
    request: HtmxHttpRequest, station: Station, partial: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    """HTMX: the card again with its message; a plain form post: back to the station page (303) with the message."""
    if request.htmx:
        return render(request, partial, context, status=status)
    level = messages.SUCCESS if status < 400 else messages.ERROR
    messages.add_message(request, level, context.get("notice") or context.get("problem") or "")
    return redirect(reverse("stations:detail", args=[station.pk]))


@require_POST
def confirm(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """A driver's one tap: 车位多 / 车位少 / 已满 (one per visitor and station every 5 minutes)."""
    station = _public_station(pk)
    device = _device(request)
    form = ConfirmForm(request.POST)
    notice, problem, status = "", "", 200
    if form.is_valid():
        try:
            services.station_status_confirm_limited(
                actor=request.user, station=station, level=form.cleaned_data["level"], device_id=device[0]
            )
        except ApplicationError as exc:
            problem, status = exc.message, exc.status_code
        else:
            notice = f"谢谢！已记录：{SpaceLevel(form.cleaned_data['level']).label}"
    else:
        problem, status = "请选择：车位多 / 车位少 / 已满", 422
    station = _public_station(pk)  # the live fields were updated in the database
    now = timezone.now()
    context = {"station": station, "notice": notice, "problem": problem, **_live_context(station, now)}
    response = _after_driver_post(request, station, "stations/partials/_live.html", context, status)
    return _remember_device(request, response, device)


@require_http_methods(["GET", "POST"])
def checkin(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """签到 (the QR code on the wall points here): one tap on the service used records the visit. Taps within 10
    minutes count as one visit; their services are added to it."""
    station = _public_station(pk)
    device = _device(request)
    context: dict[str, Any] = {"station": station, **_checkin_context(station)}
    status = 200
    if request.method == "POST":
        form = CheckinForm(request.POST)
        if not form.is_valid():
            context["problem"] = "请选择列出的服务" if "services" in form.errors else form.errors["at"][0]
            status = 422
        else:
            chosen = form.cleaned_data["services"]
            try:
                _checkin, created = services.checkin_record(
                    station=station,
                    user=_visitor(request),
                    device_id=device[0],
                    services=chosen,
                    at=services.late_checkin_time(form.cleaned_data["at"]),
                )
            except ApplicationError as exc:
                context["problem"], status = exc.message, exc.status_code
            else:
                used = "、".join(CheckInService(s).label for s in chosen)
                if created:
                    context["notice"] = "签到成功，欢迎！" + (f"已记录：{used}" if used else "")
                else:
                    context["notice"] = "已签到（10 分钟内只计一次）" + (f"，已添加：{used}" if used else "")
        if request.htmx:
            response = render(request, "stations/partials/_checkin.html", context, status=status)
        elif status >= 400:
            response = render(request, "stations/checkin.html", context, status=status)
        else:
            messages.success(request, context["notice"])
            response = redirect(reverse("stations:checkin", args=[station.pk]))
        return _remember_device(request, response, device)
    context.update(_live_context(station, timezone.now()))
    return _remember_device(request, render(request, "stations/checkin.html", context), device)


@require_POST
def feedback(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """A driver's rating and issues. The station owes a public reply within 24 hours."""
    station = _public_station(pk)
    form = FeedbackForm(request.POST)
    status = 200
    notice = ""
    if form.is_valid():
        try:
            services.feedback_create(
                station=station,
                user=_visitor(request),
                rating=form.cleaned_data["rating"],
                issues=form.cleaned_data["issues"],
                text=form.cleaned_data["text"],
            )
        except ApplicationError as exc:
            form_errors_from(form, exc)
            status = exc.status_code
        else:
            notice = "感谢反馈！站点将在 24 小时内答复，答复会显示在下方。"
            form = FeedbackForm()
    else:
        status = 422
    context = {"station": station, "notice": notice, **_feedback_context(station, form)}
    if request.htmx or status >= 400:
        if not request.htmx:
            context.update(_station_context(request, station, timezone.now()))
            context["feedback_form"] = form
            return render(request, "stations/detail.html", context, status=status)
        return render(request, "stations/partials/_feedback.html", context, status=status)
    messages.success(request, notice)
    return redirect(reverse("stations:detail", args=[station.pk]) + "#feedback")


@require_GET
def share(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """A compact card to send into a WeChat group, with Open Graph tags for the link preview."""
    station = _public_station(pk)
    now = timezone.now()
    live = selectors.station_live_status(station, now=now)
    prices = _price_rows(station)
    free = [p["label"] for p in prices if p["free"]]
    paid = [f"{p['label']} {p['price']} 元{('/' + p['unit']) if p['unit'] else ''}" for p in prices if not p["free"]]
    description = " · ".join(
        part
        for part in (
            status_text(live),
            f"免费：{'、'.join(free)}" if free else "",
            hours_text(station),
        )
        if part
    )
    context = {
        "station": station,
        "live": live,
        "status": status_text(live),
        "free": free,
        "paid": paid,
        "hours": hours_text(station),
        "description": description,
        "detail_url": request.build_absolute_uri(reverse("stations:detail", args=[station.pk])),
        "share_url": request.build_absolute_uri(reverse("stations:share", args=[station.pk])),
        "amenities": amenity_short(a.amenity for a in station.amenities.all()),
    }
    return render(request, "stations/share.html", context)


@require_GET
def qr(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """A printable sheet for the station's wall: the check-in link as a QR code (inline SVG, made by segno)."""
    station = _public_station(pk)
    checkin_url = request.build_absolute_uri(reverse("stations:checkin", args=[station.pk]))
    # Error correction M survives some dirt and glare on a wall poster; SVG prints sharp at any size.
    qr_svg = segno.make(checkin_url, error="m").svg_inline(scale=8, border=2, omitsize=True)
    return render(request, "stations/qr.html", {"station": station, "checkin_url": checkin_url, "qr_svg": qr_svg})


# --------------------------------------------------------------------------------------------------------------
# Operator's phone console
# --------------------------------------------------------------------------------------------------------------


def _managed_station(request: HtmxHttpRequest, pk: int) -> Station:
    """A station the user runs. Missing, out of scope, or visible without the right to run it: all 404 here, so
    the operate pages never tell which stations exist."""
    try:
        return access_station_by_id(actor=request.user, station_id=pk, manage=True)
    except (NotFound, Forbidden) as exc:
        raise Http404(exc.message) from exc


def _service_rows(station: Station) -> list[tuple[str, str, bool]]:
    """The station's priceable services: what it offers of PRICED_SERVICES, plus anything already priced."""
    offered = {a.amenity for a in station.amenities.all() if a.amenity in PRICED_SERVICES}
    offered |= {p.service for p in station.prices.all()}
    return [(code, label, code in FREE_BY_STANDARD) for code, label in Amenity.choices if code in offered]


def _prices_form(station: Station, data: Any = None) -> PricesForm:
    current = {p.service: (p.price_fen, p.unit) for p in station.prices.all()}
    return PricesForm(data, services=_service_rows(station), initial_prices=current)


def _quick_counts(capacity: int) -> list[int]:
    """Quick buttons for free spaces: 0, a quarter, a half, three quarters and all of the capacity."""
    return sorted({0, capacity // 4, capacity // 2, capacity * 3 // 4, capacity})


def _status_context(station: Station, now: dt.datetime, form: StatusSetForm | None = None) -> dict[str, Any]:
    live = selectors.station_live_status(station, now=now)
    return {
        "station": station,
        "live": live,
        "status": status_text(live),
        "status_form": form or StatusSetForm(),
        "quick_counts": _quick_counts(station.truck_spaces),
        "current_open": station.live_open is not False,
        "current_free": station.live_free_spaces,
    }


def _visits_context(request: HtmxHttpRequest, station: Station, now: dt.datetime) -> dict[str, Any]:
    today = timezone.localtime(now).date()
    start = today - dt.timedelta(days=VISIT_DAYS - 1)
    counts = selectors.checkin_counts(actor=request.user, start=start, end=today, station=station)
    days = [start + dt.timedelta(days=n) for n in range(VISIT_DAYS)]
    labels = dict(CheckInService.choices)
    by_day = [(day, counts["by_day"].get(str(day), 0)) for day in reversed(days)]
    peak = max([n for _, n in by_day] + [1])
    return {
        "visits_total": counts["total"],
        "visits_by_day": [(day, n, round(n * 100 / peak)) for day, n in by_day],
        "visits_by_service": sorted(
            ((labels.get(code, code), n) for code, n in counts["by_service"].items()), key=lambda item: -item[1]
        ),
        "visits_start": start,
    }


def _operate_feedback(request: HtmxHttpRequest, station: Station) -> list[dict[str, Any]]:
    """Feedback still to answer (open, then escalated; soonest deadline first), then the latest answered ones."""
    issue_labels = dict(FeedbackIssue.choices)

    def listed(status: str) -> Any:
        return selectors.feedback_console_list(actor=request.user, station=station, status=status)

    waiting = [*listed(FeedbackStatus.OPEN), *listed(FeedbackStatus.ESCALATED)]
    answered = list(listed(FeedbackStatus.ANSWERED).order_by("-replied_at", "-id")[:ANSWERED_FEEDBACK_SHOWN])
    return [
        {
            "feedback": f,
            "issues": [issue_labels.get(i, i) for i in f.issues],
            "open": f.status in (FeedbackStatus.OPEN, FeedbackStatus.ESCALATED),
            "form": ReplyForm(prefix=f"f{f.pk}"),
        }
        for f in [*waiting, *answered]
    ]


@console_view
@require_GET
def operate_list(request: HtmxHttpRequest) -> HttpResponse:
    """我的站点: the stations the user runs (operator, or admin of their organisation)."""
    now = timezone.now()
    stations = list(
        selectors.station_console_list(actor=request.user, managed_only=True).filter(is_demo_synthetic=False)
    )
    rows = [(s, status_text(selectors.station_live_status(s, now=now))) for s in stations]
    return render(request, "stations/operate_list.html", {"rows": rows})


def _operate_context(request: HtmxHttpRequest, station: Station, **overrides: Any) -> dict[str, Any]:
    now = timezone.now()
    feedback_items = _operate_feedback(request, station)
    context = {
        **_status_context(station, now, overrides.pop("status_form", None)),
        "prices_form": overrides.pop("prices_form", None) or _prices_form(station),
        "feedback_items": feedback_items,
        "feedback_waiting": sum(1 for entry in feedback_items if entry["open"]),
        **_visits_context(request, station, now),
    }
    context.update(overrides)
    return context


@console_view
@require_GET
def operate(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """One station on the operator's phone: status in two taps, prices, feedback to answer, visits."""
    station = _managed_station(request, pk)
    return render(request, "stations/operate.html", _operate_context(request, station))


@console_view
@require_POST
def operate_status(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    station = _managed_station(request, pk)
    form = StatusSetForm(request.POST)
    status = 200
    notice = ""
    if form.is_valid():
        try:
            services.station_status_set(
                actor=request.user, station=station, is_open=form.cleaned_data["is_open"], free_spaces=form.free()
            )
        except ApplicationError as exc:
            form_errors_from(form, exc)
            status = exc.status_code
        else:
            notice = "状态已更新"
            station = _managed_station(request, pk)
            form = StatusSetForm()
    else:
        status = 422
    if not request.htmx and status < 400:
        messages.success(request, notice)
        return redirect(reverse("stations:operate", args=[station.pk]))
    if not request.htmx:
        return render(
            request, "stations/operate.html", _operate_context(request, station, status_form=form), status=status
        )
    context = {**_status_context(station, timezone.now(), form), "notice": notice}
    return render(request, "stations/partials/_operate_status.html", context, status=status)


@console_view
@require_POST
def operate_prices(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    station = _managed_station(request, pk)
    form = _prices_form(station, request.POST)
    status = 200
    notice = ""
    if form.is_valid():
        prices, units = form.prices()
        try:
            services.station_prices_set(actor=request.user, station=station, prices=prices, units=units)
        except ApplicationError as exc:
            form_errors_from(form, exc)
            status = exc.status_code
        else:
            notice = "价格已保存"
            form = _prices_form(station)
    else:
        status = 422
    if not request.htmx and status < 400:
        messages.success(request, notice)
        return redirect(reverse("stations:operate", args=[station.pk]) + "#prices")
    if not request.htmx:
        return render(
            request, "stations/operate.html", _operate_context(request, station, prices_form=form), status=status
        )
    context = {"station": station, "prices_form": form, "notice": notice}
    return render(request, "stations/partials/_operate_prices.html", context, status=status)


def _info_form(station: Station, data: Any = None, *, user: Any = None) -> StationInfoForm:
    locked = user is None or not can(user, "station.change", station.organization)
    return StationInfoForm(
        data, station=station, amenities=selectors.station_amenity_codes(station), reserved_locked=locked
    )


def _photos_context(station: Station, form: PhotoForm | None = None, notice: str = "") -> dict[str, Any]:
    return {
        "station": station,
        "photos": list(selectors.station_photo_list(station=station)),
        "photo_form": form or PhotoForm(),
        "photo_max": services.PHOTO_MAX_PER_STATION,
        "photo_notice": notice,
    }


def _info_context(
    station: Station, form: StationInfoForm | None = None, photo_form: PhotoForm | None = None
) -> dict[str, Any]:
    return {"form": form or _info_form(station), **_photos_context(station, photo_form)}


@console_view
@require_http_methods(["GET", "POST"])
def operate_info(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """站点信息: the operator keeps their own station's entry up to date (name, hours, spaces, security measures,
    amenities) and its photos. The security grade follows from the measures; a stale `version` is refused with
    nothing changed."""
    station = _managed_station(request, pk)
    status = 200
    if request.method == "POST":
        form = _info_form(station, request.POST, user=request.user)
        if form.is_valid():
            try:
                services.station_update(
                    actor=request.user,
                    station=station,
                    expected_version=form.cleaned_data["version"],
                    amenities=form.amenity_codes(),
                    **form.station_fields(),
                )
            except ApplicationError as exc:
                form_errors_from(form, exc)
                status = exc.status_code
            else:
                messages.success(request, "站点信息已保存")
                return redirect_after_post(request, reverse("stations:operate_info", args=[station.pk]))
        else:
            status = 422
    else:
        form = _info_form(station, user=request.user)
    return render_page(
        request,
        "stations/operate_info.html",
        "stations/partials/_operate_info_form.html",
        _info_context(station, form),
        status,
    )


def _after_photo_post(
    request: HtmxHttpRequest, station: Station, form: PhotoForm, notice: str, status: int
) -> HttpResponse:
    """HTMX: the photos card again; a plain post: back to the info page, or the page with the error."""
    if request.htmx:
        context = _photos_context(station, form, notice)
        return render(request, "stations/partials/_operate_photos.html", context, status=status)
    if status < 400:
        messages.success(request, notice)
        return redirect(reverse("stations:operate_info", args=[station.pk]) + "#photos")
    return render(
        request,
        "stations/operate_info.html",
        _info_context(station, _info_form(station, user=request.user), photo_form=form),
        status=status,
    )


@console_view
@require_POST
def operate_photo_add(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Upload one photo (JPEG, PNG or WebP by content, ≤ 5 MB, ≤ 12 per station) to the public gallery."""
    station = _managed_station(request, pk)
    form = PhotoForm(request.POST, request.FILES)
    status = 200
    notice = ""
    if form.is_valid():
        try:
            services.station_photo_add(
                actor=request.user,
                station=station,
                upload=form.cleaned_data["image"],
                caption=form.cleaned_data["caption"],
            )
        except ApplicationError as exc:
            form_errors_from(form, exc)
            status = exc.status_code
        else:
            notice = "照片已上传"
            form = PhotoForm()
    else:
        status = 422
    return _after_photo_post(request, station, form, notice, status)


@console_view
@require_POST
def operate_photo_remove(request: HtmxHttpRequest, pk: int, photo_id: int) -> HttpResponse:
    station = _managed_station(request, pk)
    get_or_404(lambda: services.station_photo_remove(actor=request.user, station=station, photo_id=photo_id))
    return _after_photo_post(request, station, PhotoForm(), "照片已删除", 200)


def _console_feedback(request: HtmxHttpRequest, pk: int) -> Feedback:
    found = selectors.feedback_console_list(actor=request.user).filter(pk=pk).first()
    if found is None:
        raise Http404("反馈不存在")
    return found


@console_view
@require_POST
def feedback_reply(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """The station answers a driver's feedback; the answer shows on the public station page."""
    item = _console_feedback(request, pk)
    form = ReplyForm(request.POST, prefix=f"f{item.pk}")
    status = 200
    notice = ""
    if form.is_valid():
        try:
            item = services.feedback_reply(actor=request.user, feedback=item, reply=form.cleaned_data["reply"])
        except ApplicationError as exc:
            form_errors_from(form, exc)
            status = exc.status_code
        else:
            notice = "答复已发布"
    else:
        status = 422
    if not request.htmx and status < 400:
        messages.success(request, notice)
        return redirect(reverse("stations:operate", args=[item.station_id]) + "#feedback")
    issue_labels = dict(FeedbackIssue.choices)
    context = {
        "entry": {
            "feedback": item,
            "issues": [issue_labels.get(i, i) for i in item.issues],
            "open": item.status in (FeedbackStatus.OPEN, FeedbackStatus.ESCALATED),
            "form": form,
        },
        "notice": notice,
    }
    if request.htmx:
        return render(request, "stations/partials/_operate_feedback_item.html", context, status=status)
    messages.error(request, str(next((e for errs in form.errors.values() for e in errs), "答复未能保存")))
    return redirect(reverse("stations:operate", args=[item.station_id]) + "#feedback")


# --------------------------------------------------------------------------------------------------------------
# Province console
# --------------------------------------------------------------------------------------------------------------

CONSOLE_EXPORT_HEADERS = (
    "名称",
    "类型",
    "等级",
    "线路",
    "服务方向",
    "所在地区",
    "运营组织",
    "状态",
    "实时状态",
    "货车车位",
    "床位",
    "安全等级",
    "最近核验",
)


def _console_row(station: Station, now: dt.datetime) -> tuple[Any, ...]:
    live = selectors.station_live_status(station, now=now)
    return (
        station.name,
        station.get_kind_display(),
        station.get_station_class_display(),
        station.corridor_ref,
        station.carriageway,
        station.region.name,
        station.organization.name,
        station.get_status_display(),
        status_text(live),
        station.truck_spaces,
        station.beds,
        station.get_security_grade_display(),
        timezone.localtime(station.verified_at).strftime("%Y-%m-%d") if station.verified_at else "",
    )


def _console_rows(stations: Any, now: dt.datetime) -> Iterator[tuple[Any, ...]]:
    for station in stations.iterator(chunk_size=2000):
        yield _console_row(station, now)


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
        return xlsx_response("暖心之家站点", CONSOLE_EXPORT_HEADERS, _console_rows(stations, now), sheet="站点")
    page = counted_page(stations, request, CONSOLE_PAGE_SIZE)
    managed = set(
        selectors.station_console_list(actor=request.user, managed_only=True)
        .filter(pk__in=[s.pk for s in page.object_list])
        .values_list("pk", flat=True)
    )
    lives = [(s, selectors.station_live_status(s, now=now)) for s in page.object_list]
    rows = [(s, live, status_text(live), s.pk in managed) for s, live in lives]
    if not wants_partial(request):
        form.fields["region"].load_choices()  # type: ignore[attr-defined]
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
        if form.is_valid():
            lon, lat = form.point()
            try:
                station = services.station_create(
                    actor=request.user,
                    organization=form.cleaned_data["organization"],
                    region=form.cleaned_data["region"],
                    amenities=form.amenity_codes(),
                    lon=lon,
                    lat=lat,
                    **form.station_fields(),
                )
            except ApplicationError as exc:
                form_errors_from(form, exc)
                status = exc.status_code
            else:
                messages.success(request, f"站点“{station.name}”已登记")
                return redirect_after_post(request, reverse("stations:operate", args=[station.pk]))
        else:
            status = 422
    else:
        form = StationCreateForm(actor=request.user)
    form.load_choices()
    return render_page(request, "stations/create.html", "stations/partials/_create_form.html", {"form": form}, status)


GAP_EXPORT_HEADERS = (
    "线路",
    "名称",
    "四川境内里程（公里）",
    "最长无站路段（公里）",
    "起点（公里）",
    "终点（公里）",
    "沿线站点数",
)


@console_view
@require_GET
def gaps(request: HtmxHttpRequest) -> HttpResponse:
    """布点缺口: for each named corridor, the longest stretch with no open station (the directory is public, so
    every console user sees the same network); stretches over ~200 km are flagged."""
    found = selectors.corridor_gaps()
    if wants_xlsx(request):
        rows = ((g.corridor, g.name, g.length_km, g.gap_km, g.from_km, g.to_km, g.stations) for g in found)
        return xlsx_response("布点缺口", GAP_EXPORT_HEADERS, rows, sheet="布点缺口")
    return render(request, "stations/gaps.html", {"gaps": found, "flag_km": GAP_FLAG_KM})


SOURCE_LABELS = dict(FundingSource.choices)


def _ratio(row: FundingRow) -> float | None:
    return round(row.ratio, 4) if row.ratio is not None else None


def _money_row(row: FundingRow) -> dict[str, Any]:
    return {
        "key": row.key,
        "name": row.name,
        "cost": yuan(row.cost_fen),
        "sources": [(SOURCE_LABELS[s], yuan(row.by_source[s])) for s in FundingSource.values],
        "subsidy": yuan(row.subsidy_fen),
        "ratio": f"{row.ratio * 100:.1f}%" if row.ratio is not None else "—",
        "below": row.below_target,
    }


def _yuan_decimal(fen: int) -> Decimal:
    return Decimal(fen) / 100


def _funding_workbook(report: selectors.FundingReport) -> bytes:
    """A summary sheet (every station, every city, the total: cost, the four sources, subsidy, ratio, flag) and one
    sheet per source (that source's money and its share of cost), money in 元 as exact decimals."""
    levels = [
        *[("站点", row) for row in report.stations],
        *[("市州", row) for row in report.cities],
        ("合计", report.total),
    ]
    headers = [
        "层级",
        "名称",
        "运营成本（元）",
        *[f"{label}（元）" for label in SOURCE_LABELS.values()],
        "补贴合计（元）",
        "补贴比例",
        "低于50%",
    ]
    summary = [
        [
            level,
            row.name,
            _yuan_decimal(row.cost_fen),
            *[_yuan_decimal(row.by_source[s]) for s in FundingSource.values],
            _yuan_decimal(row.subsidy_fen),
            _ratio(row),
            "是" if row.below_target else "",
        ]
        for level, row in levels
    ]
    sheets: list[tuple[str, list[str], list[list[Any]]]] = [("汇总", headers, summary)]
    for source, label in SOURCE_LABELS.items():
        rows = [
            [
                level,
                row.name,
                _yuan_decimal(row.cost_fen),
                _yuan_decimal(row.by_source[source]),
                round(row.by_source[source] / row.cost_fen, 4) if row.cost_fen else None,
            ]
            for level, row in levels
        ]
        sheets.append((label, ["层级", "名称", "运营成本（元）", f"{label}（元）", "占成本比例"], rows))
    return build_workbook(sheets)


@console_view
@require_GET
def funding(request: HtmxHttpRequest) -> HttpResponse:
    """经费保障: cost and the four sources per station, per city and in total for a month range; a red flag where the
    subsidy is under 50 % of cost. ?export=xlsx gives a summary sheet and one sheet per source."""
    data = request.GET if "start" in request.GET or "end" in request.GET else default_months(timezone.localdate())
    form = FundingFilterForm(data)
    report = None
    status = 200
    if form.is_valid():
        start, end = form.months()
        report = selectors.funding_report_for_console(actor=request.user, start=start, end=end)
    else:
        status = 422
    if wants_xlsx(request) and report is not None:
        content = _funding_workbook(report)
        filename = f"暖心之家经费-{report.start:%Y%m}-{report.end:%Y%m}.xlsx"
        response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
        return response
    context = {
        "form": form,
        "report": report,
        "can_enter": may_act_somewhere(request.user, "funding.change"),
        "source_labels": list(SOURCE_LABELS.values()),
        "total": _money_row(report.total) if report else None,
        "cities": [_money_row(r) for r in report.cities] if report else [],
        "stations": [_money_row(r) for r in report.stations] if report else [],
    }
    return render(request, "stations/funding.html", context, status=status)


# --------------------------------------------------------------------------------------------------------------
# Province console: one station's costs and subsidies
# --------------------------------------------------------------------------------------------------------------

COST_MONTHS_SHOWN = 12


def _funding_station(request: HtmxHttpRequest, pk: int, *, change: bool = False) -> Station:
    """A station in the user's funding scope; entering figures (change=True) needs funding.change. Anything else is
    a 404 here, as on the operate pages."""
    try:
        return access_station_funding_by_id(actor=request.user, station_id=pk, change=change)
    except (NotFound, Forbidden) as exc:
        raise Http404(exc.message) from exc


def _month_of(request: HtmxHttpRequest) -> dt.date:
    """?month=2026-10, else this month (the first day)."""
    try:
        return dt.datetime.strptime(request.GET.get("month", ""), "%Y-%m").date()
    except ValueError:
        return timezone.localdate().replace(day=1)


def _month_text(month: dt.date) -> str:
    return f"{month.year}年{month.month}月"


def _cost_form(station: Station, month: dt.date) -> CostForm:
    amounts = selectors.station_month_costs(station=station, month=month)
    return CostForm(initial={"month": month}, amounts_fen=amounts)


def _costs_context(
    request: HtmxHttpRequest, station: Station, form: CostForm | None = None, notice: str = ""
) -> dict[str, Any]:
    can_change = can(request.user, "funding.change", station.organization)
    months = selectors.station_cost_months(station=station, months=COST_MONTHS_SHOWN)
    return {
        "station": station,
        "can_change": can_change,
        "cost_form": (form or _cost_form(station, _month_of(request))) if can_change else None,
        "cost_labels": [label for _code, label in CostCategory.choices],
        "cost_rows": [
            (
                m.month,
                [(label, yuan(m.amounts_fen.get(code, 0))) for code, label in CostCategory.choices],
                yuan(m.total_fen),
            )
            for m in months
        ],
        "cost_notice": notice,
    }


def _subsidies_context(
    request: HtmxHttpRequest, station: Station, form: SubsidyForm | None = None, notice: str = ""
) -> dict[str, Any]:
    can_change = can(request.user, "funding.change", station.organization)
    month = _month_of(request)
    return {
        "station": station,
        "can_change": can_change,
        "subsidy_form": (form or SubsidyForm(initial={"month": month})) if can_change else None,
        "subsidies": [
            (s.month, SOURCE_LABELS.get(s.source, s.source), yuan(s.amount_fen))
            for s in selectors.station_subsidy_list(station=station)
        ],
        "subsidy_notice": notice,
    }


def _funding_station_context(request: HtmxHttpRequest, station: Station, **forms: Any) -> dict[str, Any]:
    return {
        **_costs_context(request, station, forms.get("cost_form")),
        **_subsidies_context(request, station, forms.get("subsidy_form")),
    }


@console_view
@require_GET
def funding_station(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """经费保障 · one station: its monthly costs by category and the subsidies recorded, with forms to enter them
    for users holding funding.change on its organisation (others in funding scope only read)."""
    station = _funding_station(request, pk)
    return render(request, "stations/funding_station.html", _funding_station_context(request, station))


@console_view
@require_POST
def funding_costs(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Enter one month's costs in 元 (converted exactly to 分); it replaces that month's figures."""
    station = _funding_station(request, pk, change=True)
    form = CostForm(request.POST)
    status = 200
    notice = ""
    month = _month_of(request)
    if form.is_valid():
        month = services.month_start(form.cleaned_data["month"])
        try:
            services.cost_report_set(actor=request.user, station=station, month=month, amounts_fen=form.amounts_fen())
        except ApplicationError as exc:
            form_errors_from(form, exc)
            status = exc.status_code
        else:
            notice = f"{_month_text(month)}运营成本已保存"
            form = _cost_form(station, month)
    else:
        status = 422
    if request.htmx:
        context = _costs_context(request, station, form, notice)
        return render(request, "stations/partials/_funding_costs.html", context, status=status)
    if status < 400:
        messages.success(request, notice)
        return redirect(f"{reverse('stations:funding_station', args=[station.pk])}?month={month:%Y-%m}#costs")
    context = _funding_station_context(request, station, cost_form=form)
    return render(request, "stations/funding_station.html", context, status=status)


@console_view
@require_POST
def funding_subsidy(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Record a subsidy contribution. The form's idempotency key (made when it was rendered) makes a double submit
    record it once; the second answer says so."""
    station = _funding_station(request, pk, change=True)
    form = SubsidyForm(request.POST)
    status = 200
    notice = ""
    if form.is_valid():
        data = form.cleaned_data
        try:
            contribution, created = services.subsidy_record_once(
                actor=request.user,
                station=station,
                month=data["month"],
                source=data["source"],
                amount_fen=data["amount"],
                idempotency_key=data["idempotency_key"],
            )
        except ApplicationError as exc:
            form_errors_from(form, exc)
            status = exc.status_code
        else:
            label = SOURCE_LABELS.get(contribution.source, contribution.source)
            recorded = f"{_month_text(contribution.month)} {label} {yuan(contribution.amount_fen)} 元"
            notice = f"已登记补贴：{recorded}" if created else f"这笔补贴已登记过（{recorded}），未重复记账"
            form = SubsidyForm(initial={"month": contribution.month})
    else:
        status = 422
    if request.htmx:
        context = _subsidies_context(request, station, form, notice)
        return render(request, "stations/partials/_funding_subsidies.html", context, status=status)
    if status < 400:
        messages.success(request, notice)
        return redirect(reverse("stations:funding_station", args=[station.pk]) + "#subsidies")
    context = _funding_station_context(request, station, subsidy_form=form)
    return render(request, "stations/funding_station.html", context, status=status)
