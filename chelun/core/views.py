"""Console pages of `core` (home, audit log, health check) and the small helpers every
app's views share: login for HTMX requests, one URL for page and partial, paging without COUNT(*), errors."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

from auditlog.models import LogEntry
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import EmptyPage, Page, Paginator
from django.db import DatabaseError, connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.timezone import localtime
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django_htmx.http import HttpResponseClientRedirect
from django_htmx.middleware import HtmxDetails

from chelun.core.audit import ACTION_LABELS, actor_text, audit_entry_list, changes_text
from chelun.core.choices import SensitiveField
from chelun.core.errors import NotFound
from chelun.core.exports import queryset_rows, xlsx_response
from chelun.core.forms import AuditFilterForm
from chelun.core.scoping import scope_paths

AUDIT_PAGE_SIZE = 50


class HtmxHttpRequest(HttpRequest):
    """A request that went through django-htmx's middleware (every request here does)."""

    htmx: HtmxDetails


SENSITIVE_LABELS = dict(SensitiveField.choices)

# --------------------------------------------------------------------------------------------------------------
# Shared view helpers
# --------------------------------------------------------------------------------------------------------------


def console_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Login required; an HTMX request whose session has expired is sent to the login page as a whole page
    (a plain redirect would swap the login form into a table cell)."""
    protected = login_required(view)

    @functools.wraps(view)
    def wrapper(request: HtmxHttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated and request.htmx:
            login_url = redirect_to_login(request.htmx.current_url_abs_path or "/").url
            return HttpResponseClientRedirect(login_url)
        return protected(request, *args, **kwargs)

    return wrapper


def wants_partial(request: HtmxHttpRequest) -> bool:
    """HTMX asked for a fragment (not a history restore, which needs the whole page)."""
    return bool(request.htmx) and not request.htmx.history_restore_request


def render_page(
    request: HtmxHttpRequest, template: str, partial: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    """One URL, two shapes: the whole page, or for HTMX the partial the page includes."""
    response = render(request, partial if wants_partial(request) else template, context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


def redirect_after_post(request: HtmxHttpRequest, url: str) -> HttpResponse:
    """A successful form post: HX-Redirect for HTMX, a plain redirect otherwise."""
    if request.htmx:
        return HttpResponseClientRedirect(url)
    return redirect(url)


def wants_xlsx(request: HtmxHttpRequest) -> bool:
    return request.GET.get("export") == "xlsx"


SYNC_EXPORT_LIMIT = 50_000  # rows one request writes (~20 s); a province's 630,000 drivers need filtering first


def export_too_large(request: HtmxHttpRequest, rows: int, what: str) -> HttpResponse | None:
    """Back to the list, filters kept, with a message, when an export would hold up a worker for minutes."""
    if rows <= SYNC_EXPORT_LIMIT:
        return None
    messages.error(
        request, f"共 {rows:,} 条{what}，超过单次导出上限 {SYNC_EXPORT_LIMIT:,} 条：请按地区或组织筛选后分批导出"
    )
    query = request.GET.copy()
    query.pop("export", None)
    return redirect(f"{request.path}?{query.urlencode()}" if query else request.path)


def page_number(request: HtmxHttpRequest) -> int:
    try:
        return max(1, int(request.GET.get("page", "1")))
    except ValueError:
        return 1


def is_driver(user: Any) -> bool:
    """A driver logs in by phone: linked to a person, holding no role anywhere."""
    return bool(user.is_authenticated and user.person_id and not user.is_superuser and not user.role_grants.exists())


def may_act_somewhere(user: Any, action: str) -> bool:
    """Whether the user holds `action` on any subtree (to show or hide a "new ..." button)."""
    paths = scope_paths(user, action)
    return paths is None or bool(paths)


def get_or_404(loader: Callable[[], Any]) -> Any:
    """Run an access_*_by_id call; missing and out-of-scope are the same 404."""
    try:
        return loader()
    except NotFound as exc:
        raise Http404(exc.message) from exc


class NoCountPage(Page):
    """A page that knows whether a next page exists without counting the table."""

    def __init__(self, object_list: Sequence[Any], number: int, paginator: Paginator, has_next: bool) -> None:
        super().__init__(object_list, number, paginator)
        self._has_next = has_next

    def has_next(self) -> bool:
        return self._has_next

    def has_other_pages(self) -> bool:
        return self.has_previous() or self.has_next()

    def start_index(self) -> int:
        return (self.number - 1) * self.paginator.per_page + 1 if self.object_list else 0

    def end_index(self) -> int:
        return (self.number - 1) * self.paginator.per_page + len(self.object_list)


class NoCountPaginator(Paginator):
    """Paginator for tables too large to COUNT(*) on every page view (people, audit log): it reads one row
    more than a page to know whether there is a next page, and pages show "第 N 页" rather than "N / M"."""

    def validate_number(self, number: Any) -> int:
        try:
            number = int(number)
        except (TypeError, ValueError):
            number = 1
        return max(1, number)

    def page(self, number: Any) -> NoCountPage:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        rows = list(self.object_list[bottom : bottom + self.per_page + 1])
        if not rows and number > 1:
            raise EmptyPage("没有更多记录")
        return NoCountPage(rows[: self.per_page], number, self, has_next=len(rows) > self.per_page)


def no_count_page(queryset: Any, request: HtmxHttpRequest, per_page: int) -> NoCountPage:
    paginator = NoCountPaginator(queryset, per_page)
    try:
        return paginator.page(page_number(request))
    except EmptyPage:
        return paginator.page(1)


def counted_page(queryset: Any, request: HtmxHttpRequest, per_page: int) -> Page:
    return Paginator(queryset, per_page).get_page(page_number(request))


# --------------------------------------------------------------------------------------------------------------
# Pages
# --------------------------------------------------------------------------------------------------------------


@console_view
@require_safe
def me(request: HtmxHttpRequest) -> HttpResponse:
    """我的信息 lives in members (it shows a person); /me/ stays as a short link to it."""
    return redirect("members:me")


@never_cache
@require_safe
def healthz(request: HtmxHttpRequest) -> JsonResponse:
    """Liveness and database check for load balancers; no login."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok"})


AUDIT_EXPORT_HEADERS = ("时间", "操作", "对象类型", "对象编号", "对象", "操作人", "IP 地址", "变更内容")


def _audit_row(entry: LogEntry, related: dict[Any, str] | None = None) -> tuple[Any, ...]:
    return (
        localtime(entry.timestamp).strftime("%Y-%m-%d %H:%M:%S"),
        ACTION_LABELS.get(entry.action, str(entry.action)),
        entry.content_type.name if entry.content_type_id else "",
        entry.object_pk,
        entry.object_repr,
        actor_text(entry),
        entry.remote_addr or "",
        _changes_text(entry, related),
    )


def _changes_text(entry: LogEntry, related: dict[Any, str] | None = None) -> str:
    """Changed fields with their verbose names and readable values ("名称: 旧 → 新"); a reveal names the field."""
    if entry.action == LogEntry.Action.ACCESS:
        field = (entry.additional_data or {}).get("revealed_field", "")
        return f"查看明文：{SENSITIVE_LABELS.get(field, field)}"
    return changes_text(entry, related)


@console_view
@require_safe
def audit(request: HtmxHttpRequest) -> HttpResponse:
    """审计日志: entries whose organisation lies within the actor's audit.view scope (none without it)."""
    form = AuditFilterForm(request.GET)
    # Invalid filters show their error and no rows, rather than silently listing everything.
    entries = (
        audit_entry_list(actor=request.user, filters=form.to_filter()) if form.is_valid() else LogEntry.objects.none()
    )
    if wants_xlsx(request):
        # One lookup per related row named in the changes, for the whole export.
        row = functools.partial(_audit_row, related={})
        return xlsx_response("审计日志", AUDIT_EXPORT_HEADERS, queryset_rows(entries, row), sheet="审计日志")
    page = no_count_page(entries, request, AUDIT_PAGE_SIZE)
    related: dict[Any, str] = {}
    rows = [(entry, _audit_row(entry, related)) for entry in page.object_list]
    context = {"form": form, "page": page, "rows": rows}
    return render_page(request, "core/audit.html", "core/partials/_audit_results.html", context)
