"""One station for drivers: its card (what is free and what it costs, hours, security, live status, forecast,
feedback), the one-tap space confirmation, check-in from the QR code on the wall, feedback, the share card and the
printable QR sheet. Public: an anonymous driver is told apart by a random device cookie."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

import segno
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from chelun.core.api import client_address
from chelun.core.errors import ApplicationError
from chelun.core.forms import submit
from chelun.core.money import yuan_text
from chelun.core.views import HtmxHttpRequest, get_or_404, render_page, wants_partial
from chelun.stations import selectors, services
from chelun.stations.access import access_public_station_by_id
from chelun.stations.choices import FREE_BY_STANDARD, Amenity, CheckInService, SpaceLevel
from chelun.stations.forms.driver import ARRIVE_HOURS, CheckinForm, ConfirmForm, FeedbackForm
from chelun.stations.models import Station
from chelun.stations.offers import checkin_buttons
from chelun.stations.selectors import StationResult
from chelun.stations.views.pages import answer_card_post
from chelun.stations.views.wording import Row, amenity_short, clock_text, issue_words, say_text, status_text

# The anonymous driver's device id; the stations API reads the same cookie.
DEVICE_COOKIE = "chelun_device"
DEVICE_COOKIE_AGE = 2 * 365 * 24 * 3600
MAX_DEVICE_ID = 128
DEFAULT_ARRIVE_HOURS = 2
PUBLIC_FEEDBACK_SHOWN = 20
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


def _throttle(request: HtmxHttpRequest, kind: str, device: tuple[str, bool]) -> None:
    """The public writes' rate limit, as on the API (services.public_write_throttle). A device id made for this
    very request says nothing about the phone, so only a remembered one is counted."""
    services.public_write_throttle(
        kind=kind,
        user=_visitor(request),
        device_id="" if device[1] else device[0],
        address=client_address(request),
    )


def _public_station(pk: int) -> Station:
    return get_or_404(lambda: access_public_station_by_id(station_id=pk))


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
                "price": yuan_text(fen),
                "unit": price.unit if price else "",
                "standard": basic,
            }
        )
    return rows


def _amenity_rows(station: Station) -> list[tuple[str, bool]]:
    offered = set(selectors.station_offered_amenities(station))
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
        "say": say_text(Row(StationResult(station, live, amenities=amenities), "", []), now),
        # Drivers' recent word beside the headline, which says its own source (the trust rule).
        "drivers": selectors.station_trust(station.pk, now=now).drivers,
    }


def _feedback_context(station: Station, form: FeedbackForm | None = None) -> dict[str, Any]:
    summary = selectors.feedback_public_summary(station=station, recent=PUBLIC_FEEDBACK_SHOWN)
    items = [{"feedback": f, "issues": issue_words(f.issues), "stars": "★" * f.rating} for f in summary.recent]
    return {"feedback_form": form or FeedbackForm(), "summary": summary, "feedback_items": items}


def _checkin_context(station: Station) -> dict[str, Any]:
    # The buttons follow the card's ✓/✗ (chelun.stations.offers): no 洗衣烘干 at a station without a dryer.
    offered = selectors.station_offered_amenities(station)
    return {"checkin_buttons": checkin_buttons(offered, CHECKIN_SERVICE_BUTTONS)}


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
            "hours": station.hours_label,
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
            _throttle(request, "confirm", device)
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
                _throttle(request, "checkin", device)
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
        response = answer_card_post(
            request,
            status=status,
            notice=context.get("notice", ""),
            card="stations/partials/_checkin.html",
            card_context=lambda: context,
            done_url=reverse("stations:checkin", args=[station.pk]),
            page="stations/checkin.html",
            page_context=lambda: context,
        )
        return _remember_device(request, response, device)
    context.update(_live_context(station, timezone.now()))
    return _remember_device(request, render(request, "stations/checkin.html", context), device)


@require_POST
def feedback(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """A driver's rating and issues. The station owes a public reply within 24 hours."""
    station = _public_station(pk)
    form = FeedbackForm(request.POST)

    def create() -> Any:
        _throttle(request, "feedback", _device(request))
        return services.feedback_create(
            station=station,
            user=_visitor(request),
            rating=form.cleaned_data["rating"],
            issues=form.cleaned_data["issues"],
            text=form.cleaned_data["text"],
            # The device cookie, when the phone has one (a fresh id would name no one in the audit log).
            device_id=_device(request)[0] if request.COOKIES.get(DEVICE_COOKIE) else "",
        )

    submitted = submit(form, create)
    notice = "感谢反馈！站点将在 24 小时内答复，答复会显示在下方。" if submitted.ok else ""
    shown = FeedbackForm() if submitted.ok else form
    return answer_card_post(
        request,
        status=submitted.status,
        notice=notice,
        card="stations/partials/_feedback.html",
        card_context=lambda: {"station": station, "notice": notice, **_feedback_context(station, shown)},
        done_url=reverse("stations:detail", args=[station.pk]) + "#feedback",
        page="stations/detail.html",
        page_context=lambda: {
            **_station_context(request, station, timezone.now()),
            "notice": notice,
            "feedback_form": shown,
        },
    )


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
            station.hours_label,
        )
        if part
    )
    context = {
        "station": station,
        "live": live,
        "status": status_text(live),
        "free": free,
        "paid": paid,
        "hours": station.hours_label,
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
