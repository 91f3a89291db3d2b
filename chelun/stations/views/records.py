"""我的记录: a signed-in driver's own check-ins, status reports and feedback (with the operator's reply), newest first
and paged, one tab each; a driver withdraws their own feedback from here."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from chelun.core.errors import NotFound
from chelun.core.views import HtmxHttpRequest, console_view, no_count_page, render_page
from chelun.stations import services
from chelun.stations.choices import CheckInService, SpaceLevel, StatusSource
from chelun.stations.selectors import records
from chelun.stations.views.card import DEVICE_COOKIE, MAX_DEVICE_ID
from chelun.stations.views.wording import issue_words

PER_PAGE = 20
TABS = (("feedback", "我的反馈"), ("checkins", "签到"), ("reports", "车位上报"))


def _device_id(request: HtmxHttpRequest) -> str:
    """The device cookie the station cards set; only read here (a page that finds none lists no anonymous rows)."""
    value = (request.COOKIES.get(DEVICE_COOKIE) or "").strip()
    return value if len(value) <= MAX_DEVICE_ID else ""


def _report_text(report: Any) -> str:
    """What a report said, in the words of the station card."""
    if report.is_open is False:
        return "站点已关闭"
    if report.free_spaces is not None:
        return f"空余车位 {report.free_spaces} 个"
    if report.level:
        return SpaceLevel(report.level).label
    return "站点开放"


def _rows(tab: str, request: HtmxHttpRequest, device_id: str) -> tuple[Any, list[dict[str, Any]]]:
    user = request.user
    if tab == "checkins":
        page = no_count_page(records.checkin_list_for_driver(actor=user, device_id=device_id), request, PER_PAGE)
        labels = dict(CheckInService.choices)
        rows = [
            {"item": c, "services": [labels.get(s, s) for s in c.services], "anonymous": c.user_id is None}
            for c in page.object_list
        ]
    elif tab == "reports":
        page = no_count_page(records.status_report_list_for_driver(actor=user), request, PER_PAGE)
        sources = dict(StatusSource.choices)
        rows = [{"item": r, "said": _report_text(r), "source": sources.get(r.source, "")} for r in page.object_list]
    else:
        page = no_count_page(records.feedback_list_for_author(actor=user), request, PER_PAGE)
        rows = [{"item": f, "issues": issue_words(f.issues), "stars": "★" * f.rating} for f in page.object_list]
    return page, rows


@console_view
@require_safe
def my_records(request: HtmxHttpRequest) -> HttpResponse:
    """我的记录: one tab at a time (?tab=feedback|checkins|reports), 20 rows a page, newest first."""
    tab = request.GET.get("tab", "feedback")
    if tab not in dict(TABS):
        tab = "feedback"
    device_id = _device_id(request)
    page, rows = _rows(tab, request, device_id)
    counts = records.driver_record_counts(actor=request.user, device_id=device_id)
    context = {
        "tab": tab,
        "tabs": [(code, label, getattr(counts, code)) for code, label in TABS],
        "page": page,
        "rows": rows,
    }
    return render_page(request, "stations/my_records.html", "stations/partials/_my_records.html", context)


@console_view
@require_POST
def my_feedback_delete(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Withdraw one's own feedback. Someone else's, or a missing one: 404, nothing changed. HTMX: the row is
    replaced by a short notice; a plain post: back to 我的记录 with a message."""
    try:
        services.feedback_delete_by_author(actor=request.user, feedback_id=pk)
    except NotFound as exc:
        if request.htmx:  # 4xx answers are swapped in: the row says so, not a whole error page inside it
            context = {"problem": "这条反馈已不存在（可能已在别处删除）。"}
            return render(request, "stations/partials/_my_feedback_deleted.html", context, status=404)
        raise Http404(exc.message) from exc
    notice = "已删除这条反馈。"
    if request.htmx:
        return render(request, "stations/partials/_my_feedback_deleted.html", {"notice": notice})
    messages.success(request, notice)
    return redirect(reverse("stations:my_records"))
