"""The staff pages (phone and desk): the queue with filters, countdowns and Excel; an appeal's detail with its
history, internal notes and the steps it allows now; the province's supervision board; routing rules with the
"where would this go" preview; statistics. Everything within scope: another subtree's appeal is a 404."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django import forms
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from chelun.appeals import selectors, services, workflow
from chelun.appeals.access import access_appeal_by_id
from chelun.appeals.choices import AppealAction, Party
from chelun.appeals.forms import (
    EmptyForm,
    MergeForm,
    NoteForm,
    QueueFilterForm,
    ResolveForm,
    RoutePreviewForm,
    RoutingRuleForm,
    StatisticsForm,
    SuperviseForm,
    TransferForm,
)
from chelun.appeals.models import Appeal, RoutingRule
from chelun.appeals.sla import BEIJING
from chelun.appeals.views.wording import deadline_text, history_rows
from chelun.core.exports import queryset_rows, xlsx_response
from chelun.core.forms import submit
from chelun.core.money import yuan_decimal, yuan_text
from chelun.core.views import (
    HtmxHttpRequest,
    NoCountPage,
    NoCountPaginator,
    console_view,
    export_too_large,
    get_or_404,
    may_act_somewhere,
    page_number,
    redirect_after_post,
    render_page,
    wants_partial,
    wants_xlsx,
)
from chelun.orgs.access import organization_scope_q
from chelun.orgs.choices import OrgStatus
from chelun.orgs.models import Organization

QUEUE_PAGE_SIZE = 30
QUEUE_EXPORT_HEADERS = (
    "编号", "类别", "状态", "承办组织", "地区", "提交人", "提交时间", "受理期限", "办结期限", "升级次数", "挂牌督办",
    "满意度", "追回欠款（元）",
)  # fmt: skip


def _local(moment: dt.datetime | None) -> str:
    return moment.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M") if moment else ""


def queue_row(appeal: Appeal) -> tuple[Any, ...]:
    """One export row. The reporter of a confidential category is never in an export (list_reporter_label)."""
    return (
        appeal.number,
        appeal.category.name,
        appeal.get_status_display(),
        appeal.owner.name,
        appeal.region.name if appeal.region else "",
        selectors.list_reporter_label(appeal),
        _local(appeal.submitted_at),
        _local(appeal.ack_due_at),
        _local(appeal.resolve_due_at),
        appeal.escalation_level,
        "是" if appeal.supervised else "",
        appeal.rating or "",
        yuan_decimal(appeal.money_recovered_fen),
    )


def _require_staff(request: HtmxHttpRequest) -> None:
    if not may_act_somewhere(request.user, "appeal.view"):
        raise Http404("页面不存在")


@console_view
@require_GET
def queue(request: HtmxHttpRequest) -> HttpResponse:
    """诉求工单: appeals owned within the user's scope, newest first, with filters and deadline countdowns."""
    _require_staff(request)
    form = QueueFilterForm(request.GET)
    appeals = (
        selectors.appeal_queue(actor=request.user, filters=form.to_filter())
        if form.is_valid()
        else Appeal.objects.none()
    )
    if wants_xlsx(request):
        too_large = export_too_large(request, appeals.count(), "诉求")
        if too_large:
            return too_large
        return xlsx_response("诉求工单", QUEUE_EXPORT_HEADERS, queryset_rows(appeals, queue_row), sheet="诉求")
    number = page_number(request)
    found, has_next = (
        selectors.appeal_queue_page(
            actor=request.user, filters=form.to_filter(), number=number, per_page=QUEUE_PAGE_SIZE
        )
        if form.is_valid()
        else ([], False)
    )
    page = NoCountPage(found, number, NoCountPaginator(appeals, QUEUE_PAGE_SIZE), has_next=has_next)
    now = timezone.now()
    rows = [(a, selectors.list_reporter_label(a), deadline_text(a, now)) for a in page.object_list]
    if not wants_partial(request):
        form.fields["region"].load_choices()  # type: ignore[attr-defined]
    context = {"form": form, "page": page, "rows": rows}
    return render_page(request, "appeals/queue.html", "appeals/partials/_queue_results.html", context)


def _handle_orgs(user: Any) -> list[tuple[int, str]]:
    qs = Organization.objects.filter(organization_scope_q(user, "appeal.handle"), status=OrgStatus.ACTIVE)
    return [(o.pk, f"{'　' * o.depth}{o.name}") for o in qs.order_by("path")[:500]]


STEP_FORMS: dict[str, type[forms.Form]] = {
    AppealAction.ACCEPT: EmptyForm,
    AppealAction.START: EmptyForm,
    AppealAction.RESOLVE: ResolveForm,
    AppealAction.TRANSFER: TransferForm,
    AppealAction.MERGE: MergeForm,
    AppealAction.NOTE: NoteForm,
    AppealAction.CLOSE: EmptyForm,
    AppealAction.SUPERVISE: SuperviseForm,
}


def _detail_context(request: HtmxHttpRequest, appeal: Appeal) -> dict[str, Any]:
    user = request.user
    events = selectors.appeal_history(appeal=appeal, for_driver=False)
    actions = [a for a in workflow.actions_for(appeal.status, Party.STAFF) if a in STEP_FORMS]
    step_forms: dict[str, forms.Form] = {}
    for action in actions:
        cls = STEP_FORMS[action]
        step_forms[action] = cls(organizations=_handle_orgs(user)) if cls is TransferForm else cls()  # type: ignore[call-arg]
    return {
        "appeal": appeal,
        "reporter": selectors.reporter_label(actor=user, appeal=appeal),
        "history": history_rows(events, confidential=appeal.category.confidential),
        "deadline": deadline_text(appeal),
        "step_forms": [(a, workflow.ACTION_LABELS[a], f) for a, f in step_forms.items()],
        "similar": selectors.similar_open_appeals(actor=user, appeal=appeal),
        "money": yuan_text(appeal.money_recovered_fen),
        "photos": list(appeal.photos.all()),
    }


@console_view
@require_GET
def detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    appeal = get_or_404(lambda: access_appeal_by_id(actor=request.user, appeal_id=pk))
    context = _detail_context(request, appeal)
    return render_page(request, "appeals/detail.html", "appeals/detail.html", context)


def _step_call(request: HtmxHttpRequest, action: str, pk: int, form: forms.Form) -> Callable[[], object]:
    user = request.user

    def call() -> object:
        d = form.cleaned_data
        if action == AppealAction.ACCEPT:
            return services.appeal_accept(actor=user, appeal_id=pk)
        if action == AppealAction.START:
            return services.appeal_start(actor=user, appeal_id=pk)
        if action == AppealAction.RESOLVE:
            return services.appeal_resolve(
                actor=user,
                appeal_id=pk,
                resolution=d["resolution"],
                money_recovered_fen=form.money_fen(),  # type: ignore[attr-defined]
            )
        if action == AppealAction.TRANSFER:
            return services.appeal_transfer(
                actor=user, appeal_id=pk, to_organization_id=d["to_organization"], reason=d["reason"]
            )
        if action == AppealAction.MERGE:
            return services.appeal_merge(actor=user, appeal_id=pk, into_id=d["into"], reason=d["reason"])
        if action == AppealAction.NOTE:
            return services.appeal_note(actor=user, appeal_id=pk, text=d["text"])
        if action == AppealAction.CLOSE:
            return services.appeal_close(actor=user, appeal_id=pk)
        return services.appeal_supervise(actor=user, appeal_id=pk, days=d["days"], reason=d["reason"])

    return call


@console_view
@require_POST
def step(request: HtmxHttpRequest, pk: int, action: str) -> HttpResponse:
    """One step on an appeal (受理, 办结, 转办 ...): the form cleans, the service decides. Out of scope 404; a
    step the status does not allow is a 409 with its message on the page; nothing changes on any refusal."""
    if action not in STEP_FORMS:
        raise Http404("页面不存在")
    appeal = get_or_404(lambda: access_appeal_by_id(actor=request.user, appeal_id=pk))
    cls = STEP_FORMS[action]
    form = cls(request.POST, organizations=_handle_orgs(request.user)) if cls is TransferForm else cls(request.POST)  # type: ignore[call-arg]
    result = submit(form, _step_call(request, action, pk, form))
    if result.ok:
        return redirect_after_post(request, reverse("appeals:detail", args=[pk]))
    appeal.refresh_from_db()
    context = _detail_context(request, appeal)
    context["step_forms"] = [(a, label, form if a == action else f) for a, label, f in context["step_forms"]]
    # The refusal is shown on top too: the step's form may be gone (the status no longer offers it).
    messages = [str(m) for errors in form.errors.values() for m in errors]
    context["error"] = messages[0] if messages else "操作未完成"
    return render_page(request, "appeals/detail.html", "appeals/detail.html", context, status=result.status)


@console_view
@require_GET
def supervision(request: HtmxHttpRequest) -> HttpResponse:
    """挂牌督办 board: supervised appeals in scope, overdue supervision last-but-visible, nearest deadline first."""
    _require_staff(request)
    appeals = list(selectors.appeal_supervision_board(actor=request.user)[:200])
    now = timezone.now()
    rows = [(a, deadline_text(a, now)) for a in appeals]
    return render_page(request, "appeals/supervision.html", "appeals/supervision.html", {"rows": rows, "now": now})


@console_view
@require_http_methods(["GET", "POST"])
def routing(request: HtmxHttpRequest) -> HttpResponse:
    """分派规则: the rules in force (most specific wins), a new rule (province admins), and the preview."""
    _require_staff(request)
    can_edit = may_act_somewhere(request.user, "appeal.routing")
    status = 200
    rule_form = RoutingRuleForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        d: dict[str, Any] = {}

        def create() -> object:
            d.update(rule_form.cleaned_data)
            return services.routing_rule_create(
                actor=request.user,
                target=d["target"],
                category=d.get("category"),
                region=d.get("region"),
                organization_id=d.get("organization"),
                priority=d.get("priority") or 50,
                note=d.get("note") or "",
            )

        result = submit(rule_form, create)
        if result.ok:
            return redirect_after_post(request, reverse("appeals:routing"))
        status = result.status
    preview_form = RoutePreviewForm(request.GET or None)
    preview = None
    if preview_form.is_bound and preview_form.is_valid():
        p = preview_form.cleaned_data
        preview = services.appeal_route(category=p["category"], region=p.get("region"), station_id=p.get("station"))
    preview_form.fields["region"].load_choices()  # type: ignore[attr-defined]
    rule_form.fields["region"].load_choices()  # type: ignore[attr-defined]
    rules = RoutingRule.objects.select_related("category", "region", "organization").order_by("-active", "priority")
    context = {
        "rules": list(rules),
        "rule_form": rule_form,
        "preview_form": preview_form,
        "preview": preview,
        "can_edit": can_edit,
    }
    return render_page(request, "appeals/routing.html", "appeals/routing.html", context, status=status)


STATS_HEADERS = (
    "分组", "诉求量", "已受理", "按时受理率（%）", "已办结", "按时办结率（%）", "评价数", "平均满意度",
    "重新打开率（%）", "追回欠款（元）",
)  # fmt: skip


@console_view
@require_GET
def statistics(request: HtmxHttpRequest) -> HttpResponse:
    """诉求统计 within scope, by category, owner organisation or region; Excel export."""
    _require_staff(request)
    form = StatisticsForm(request.GET)
    rows: list[selectors.StatRow] = []
    group = "category"
    if form.is_valid():
        d = form.cleaned_data
        group = d.get("group") or "category"
        since = dt.datetime.combine(d["since"], dt.time(), tzinfo=BEIJING) if d.get("since") else None
        until = (
            dt.datetime.combine(d["until"] + dt.timedelta(days=1), dt.time(), tzinfo=BEIJING)
            if d.get("until")
            else None
        )
        rows = selectors.appeal_statistics(actor=request.user, group=group, since=since, until=until)
    total = selectors.statistics_total(rows)
    if wants_xlsx(request):
        data = [
            (
                r.label, r.total, r.acknowledged, r.ack_rate, r.resolved, r.resolve_rate, r.rated, r.rating_avg,
                r.reopen_rate, yuan_decimal(r.money_fen),
            )
            for r in [*rows, total]
        ]  # fmt: skip
        return xlsx_response("诉求统计", STATS_HEADERS, data, sheet="统计")
    context = {"form": form, "rows": rows, "total": total, "group": group}
    return render_page(request, "appeals/statistics.html", "appeals/statistics.html", context)
