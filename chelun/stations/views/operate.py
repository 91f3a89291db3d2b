"""The operator's phone console for the stations they run: live status in two taps, the price list, feedback to
answer, visits, and the station's own registry entry and photos. Everything here is a 404 for a station the user
does not run."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from chelun.core.errors import ApplicationError
from chelun.core.forms import submit
from chelun.core.views import HtmxHttpRequest, console_view, get_or_404, redirect_after_post, render_page
from chelun.orgs.access import can
from chelun.stations import operator_queue, selectors, services
from chelun.stations.access import access_station_by_id
from chelun.stations.choices import FREE_BY_STANDARD, Amenity, CheckInService, FeedbackStatus
from chelun.stations.forms.operate import PhotoForm, PricesForm, ReplyForm, StatusSetForm
from chelun.stations.forms.registry import StationInfoForm
from chelun.stations.models import Feedback, Station
from chelun.stations.views.pages import answer_card_post, station_or_404
from chelun.stations.views.wording import issue_words, status_text

ANSWERED_FEEDBACK_SHOWN = 10
VISIT_DAYS = 14


def _managed_station(request: HtmxHttpRequest, pk: int) -> Station:
    """A station the user runs. Missing, out of scope, or visible without the right to run it: all 404 here, so
    the operate pages never tell which stations exist."""
    return station_or_404(lambda: access_station_by_id(actor=request.user, station_id=pk, manage=True))


def _service_rows(station: Station) -> list[tuple[str, str, bool]]:
    """The price list's rows (code, label, free by standard); which services are on it is the service's rule."""
    return [
        (code, Amenity(code).label, code in FREE_BY_STANDARD) for code in services.station_priceable_services(station)
    ]


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


def _feedback_entry(feedback: Feedback, form: ReplyForm) -> dict[str, Any]:
    """One feedback on the operator's page: its issues in words, whether it still waits for an answer, the form."""
    return {
        "feedback": feedback,
        "issues": issue_words(feedback.issues),
        "open": feedback.status in (FeedbackStatus.OPEN, FeedbackStatus.ESCALATED),
        "form": form,
    }


def _operate_feedback(request: HtmxHttpRequest, station: Station) -> list[dict[str, Any]]:
    """Feedback still to answer (open, then escalated; soonest deadline first), then the latest answered ones."""

    def listed(status: str) -> Any:
        return selectors.feedback_console_list(actor=request.user, station=station, status=status)

    waiting = [*listed(FeedbackStatus.OPEN), *listed(FeedbackStatus.ESCALATED)]
    answered = list(listed(FeedbackStatus.ANSWERED).order_by("-replied_at", "-id")[:ANSWERED_FEEDBACK_SHOWN])
    return [_feedback_entry(f, ReplyForm(prefix=f"f{f.pk}")) for f in [*waiting, *answered]]


@console_view
@require_GET
def operate_list(request: HtmxHttpRequest) -> HttpResponse:
    """我的站点: the stations the user runs (operator, or admin of their organisation)."""
    now = timezone.now()
    stations = list(
        selectors.station_console_list(actor=request.user, managed_only=True).filter(is_demo_synthetic=False)
    )
    due = operator_queue.feedback_due_by_station(actor=request.user, station_ids=[s.pk for s in stations], now=now)
    for s in stations:
        s.feedback_due = due.get(s.pk)  # type: ignore[attr-defined]  # for the row's 待答复 / 已超时 flags
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
    submitted = submit(
        form,
        lambda: services.station_status_set(
            actor=request.user, station=station, is_open=form.cleaned_data["is_open"], free_spaces=form.free()
        ),
    )
    if submitted.ok:
        station = _managed_station(request, pk)  # the live fields were updated in the database
        form = StatusSetForm()
    notice = "状态已更新" if submitted.ok else ""
    return answer_card_post(
        request,
        status=submitted.status,
        notice=notice,
        card="stations/partials/_operate_status.html",
        card_context=lambda: {**_status_context(station, timezone.now(), form), "notice": notice},
        done_url=reverse("stations:operate", args=[station.pk]),
        page="stations/operate.html",
        page_context=lambda: _operate_context(request, station, status_form=form),
    )


@console_view
@require_POST
def operate_prices(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    station = _managed_station(request, pk)
    form = _prices_form(station, request.POST)

    def save() -> None:
        prices, units = form.prices()
        services.station_prices_set(actor=request.user, station=station, prices=prices, units=units)

    submitted = submit(form, save)
    if submitted.ok:
        form = _prices_form(station)
    notice = "价格已保存" if submitted.ok else ""
    return answer_card_post(
        request,
        status=submitted.status,
        notice=notice,
        card="stations/partials/_operate_prices.html",
        card_context=lambda: {"station": station, "prices_form": form, "notice": notice},
        done_url=reverse("stations:operate", args=[station.pk]) + "#prices",
        page="stations/operate.html",
        page_context=lambda: _operate_context(request, station, prices_form=form),
    )


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
        submitted = submit(
            form,
            lambda: services.station_update(
                actor=request.user,
                station=station,
                expected_version=form.cleaned_data["version"],
                amenities=form.amenity_codes(),
                **form.station_fields(),
            ),
        )
        if submitted.ok:
            messages.success(request, "站点信息已保存")
            return redirect_after_post(request, reverse("stations:operate_info", args=[station.pk]))
        status = submitted.status
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
    return answer_card_post(
        request,
        status=status,
        notice=notice,
        card="stations/partials/_operate_photos.html",
        card_context=lambda: _photos_context(station, form, notice),
        done_url=reverse("stations:operate_info", args=[station.pk]) + "#photos",
        page="stations/operate_info.html",
        page_context=lambda: _info_context(station, _info_form(station, user=request.user), photo_form=form),
    )


@console_view
@require_POST
def operate_photo_add(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Upload one photo (JPEG, PNG or WebP by content, ≤ 5 MB, ≤ 12 per station) to the public gallery."""
    station = _managed_station(request, pk)
    form = PhotoForm(request.POST, request.FILES)
    submitted = submit(
        form,
        lambda: services.station_photo_add(
            actor=request.user,
            station=station,
            upload=form.cleaned_data["image"],
            caption=form.cleaned_data["caption"],
        ),
    )
    if submitted.ok:
        return _after_photo_post(request, station, PhotoForm(), "照片已上传", submitted.status)
    return _after_photo_post(request, station, form, "", submitted.status)


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
    submitted = submit(
        form, lambda: services.feedback_reply(actor=request.user, feedback=item, reply=form.cleaned_data["reply"])
    )
    status = submitted.status
    notice = ""
    if submitted.ok:
        item = submitted.result
        notice = "答复已发布"
    if not request.htmx and status < 400:
        messages.success(request, notice)
        return redirect(reverse("stations:operate", args=[item.station_id]) + "#feedback")
    context: dict[str, Any] = {"entry": _feedback_entry(item, form), "notice": notice}
    if request.htmx:
        # The page's 待答复 figures follow the answer without a reload (swapped out of band).
        due = operator_queue.feedback_due_by_station(
            actor=request.user, station_ids=[item.station_id], now=timezone.now()
        )
        context["feedback_waiting"] = due[item.station_id].waiting if item.station_id in due else 0
        context["oob_waiting"] = True  # stations/partials/_operate_waiting.html
        return render(request, "stations/partials/_operate_feedback_item.html", context, status=status)
    messages.error(request, str(next((e for errs in form.errors.values() for e in errs), "答复未能保存")))
    return redirect(reverse("stations:operate", args=[item.station_id]) + "#feedback")


@console_view
@require_POST
def feedback_spam(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """The station marks feedback waiting for an answer as spam: its deadline stops and the public no longer sees it."""
    item = _console_feedback(request, pk)
    try:
        item = services.feedback_mark_spam(actor=request.user, feedback=item)
    except ApplicationError as exc:
        notice, status = exc.message, exc.status_code
    else:
        notice, status = "已标为垃圾信息，不再计入待答复", 200
    if request.htmx:
        context = {"entry": _feedback_entry(item, ReplyForm(prefix=f"f{item.pk}")), "notice": notice}
        return render(request, "stations/partials/_operate_feedback_item.html", context, status=status)
    (messages.success if status < 400 else messages.error)(request, notice)
    return redirect(reverse("stations:operate", args=[item.station_id]) + "#feedback")
