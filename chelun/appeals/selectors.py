"""Reads on appeals, always through access.py: a staff queue within scope, a driver's own list, the history a
driver or staff member sees, and the statistics."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Avg, Count, F, Q, QuerySet, Sum
from django.utils import timezone

from chelun.appeals import workflow
from chelun.appeals.access import appeal_driver_q, appeal_scope_q, appeal_stat_scope_q, may_see_reporter
from chelun.appeals.choices import AppealAction, AppealStatus
from chelun.appeals.models import Appeal, AppealEvent, AppealMonthStat, Category
from chelun.appeals.sla import BEIJING
from chelun.appeals.stats import month_aligned
from chelun.core.money import yuan_text

CONFIDENTIAL_REPORTER = "（保密）"


@dataclass(frozen=True)
class AppealFilter:
    status: str = ""
    category_id: int | None = None
    region_id: int | None = None  # a county, or a prefecture meaning all its counties
    overdue: bool = False
    escalated: bool = False
    supervised: bool = False


def overdue_q(now: dt.datetime) -> Q:
    """Past the deadline that runs now: acknowledgement while submitted, resolution while being worked on."""
    return Q(status=AppealStatus.SUBMITTED, ack_due_at__lt=now) | Q(status__in=workflow.WORKING, resolve_due_at__lt=now)


def appeal_queue(
    *, actor: Any, filters: AppealFilter | None = None, now: dt.datetime | None = None
) -> QuerySet[Appeal]:
    """Staff queue: appeals owned within the actor's appeal.view subtrees, newest first (the index on
    (owner_path, submitted_at) serves it)."""
    f = filters or AppealFilter()
    now = now or timezone.now()
    qs = Appeal.objects.filter(appeal_scope_q(actor)).select_related(
        "category", "owner", "region", "escalated_to", "driver"
    )
    if f.status:
        qs = qs.filter(status=f.status)
    if f.category_id:
        qs = qs.filter(category_id=f.category_id)
    if f.region_id:
        qs = qs.filter(Q(region_id=f.region_id) | Q(region__parent_id=f.region_id))
    if f.overdue:
        qs = qs.filter(overdue_q(now))
    if f.escalated:
        qs = qs.filter(escalation_level__gt=0)
    if f.supervised:
        qs = qs.filter(supervised=True)
    return qs.order_by("-submitted_at", "-id")


def appeal_queue_page(
    *, actor: Any, filters: AppealFilter | None = None, number: int = 1, per_page: int = 30
) -> tuple[list[Appeal], bool]:
    """One page of the queue and whether a next page exists, without COUNT(*), in two steps: the page's ids
    first (for an unfiltered queue an index-only read of (owner_path, submitted_at), whose entries carry the id),
    then those rows with their joins. Joining first would fetch and join every appeal of the county to sort them.
    Same rows, same order as appeal_queue (tested)."""
    start = (max(1, number) - 1) * per_page
    ids = list(appeal_queue(actor=actor, filters=filters).values_list("pk", flat=True)[start : start + per_page + 1])
    rows = Appeal.objects.select_related("category", "owner", "region", "escalated_to", "driver").in_bulk(
        ids[:per_page]
    )
    return [rows[pk] for pk in ids[:per_page]], len(ids) > per_page


def appeal_driver_list(*, actor: Any) -> QuerySet[Appeal]:
    return Appeal.objects.filter(appeal_driver_q(actor)).select_related("category", "owner").order_by("-submitted_at")


def appeal_supervision_board(*, actor: Any) -> QuerySet[Appeal]:
    """挂牌督办 board: supervised appeals within scope, the nearest supervision deadline first."""
    return (
        Appeal.objects.filter(appeal_scope_q(actor), supervised=True)
        .select_related("category", "owner", "region")
        .order_by("supervision_overdue", "supervision_due_at", "id")
    )


def appeal_history(*, appeal: Appeal, for_driver: bool) -> list[AppealEvent]:
    """Every step, oldest first. The driver sees all but internal notes; staff see notes too."""
    qs = appeal.events.select_related("actor", "organization", "from_organization")
    if for_driver:
        qs = qs.filter(internal=False)
    return list(qs)


def reporter_label(*, actor: Any, appeal: Appeal) -> str:
    """Who submitted it, as a page shows it: hidden for a confidential category unless the actor holds
    appeal.reporter on its owner. Lists and exports always use list_reporter_label (never revealed there)."""
    if not may_see_reporter(actor, appeal):
        return CONFIDENTIAL_REPORTER
    return _name_of(appeal)


def list_reporter_label(appeal: Appeal) -> str:
    return CONFIDENTIAL_REPORTER if appeal.category.confidential else _name_of(appeal)


def _name_of(appeal: Appeal) -> str:
    return str(appeal.driver.name)


def event_actor_label(event: AppealEvent, *, confidential: bool) -> str:
    if event.party == "system":
        return "系统"
    if event.party == "driver":
        return "举报人" if confidential else "司机"
    if event.actor is None:
        return "工作人员"
    return event.actor.first_name or event.actor.username


def categories() -> QuerySet[Category]:
    return Category.objects.filter(active=True).order_by("position", "id")


# ---------------------------------------------------------------- statistics


@dataclass
class StatRow:
    key: Any
    label: str
    total: int = 0
    acknowledged: int = 0
    ack_on_time: int = 0
    resolved: int = 0
    resolve_on_time: int = 0
    rated: int = 0
    rating_avg: float | None = None
    reopened: int = 0
    money_fen: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    @staticmethod
    def rate(part: int, whole: int) -> float | None:
        return round(100 * part / whole, 1) if whole else None

    @property
    def ack_rate(self) -> float | None:
        return self.rate(self.ack_on_time, self.acknowledged)

    @property
    def resolve_rate(self) -> float | None:
        return self.rate(self.resolve_on_time, self.resolved)

    @property
    def money_text(self) -> str:
        return yuan_text(self.money_fen, thousands=True)

    @property
    def reopen_rate(self) -> float | None:
        return self.rate(self.reopened, self.total)


GROUPS = {
    "category": ("category_id", "category__name"),
    "owner": ("owner_id", "owner__name"),
    "region": (
        "region_id",
        "region__name",
    ),
}


def appeal_statistics(
    *,
    actor: Any,
    group: str = "category",
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    live: bool = False,
) -> list[StatRow]:
    """Volumes, on-time acknowledgement and resolution, satisfaction, reopen rate and money recovered, grouped by
    category, owner organisation or region, within the actor's scope; one aggregate query. Merged duplicates do
    not count as volume. Whole months (no bounds, or bounds on the first of a month) are read from the monthly
    roll-ups (stats.py; as fresh as its last refresh, minutes); other bounds, or `live`, scan the appeals."""
    if not live and month_aligned(since) and month_aligned(until):
        return _statistics_from_rollups(actor=actor, group=group, since=since, until=until)
    key, label = GROUPS[group]
    qs = Appeal.objects.filter(appeal_scope_q(actor)).exclude(status=AppealStatus.MERGED)
    if since:
        qs = qs.filter(submitted_at__gte=since)
    if until:
        qs = qs.filter(submitted_at__lt=until)
    rows = (
        qs.values(key, label)
        .annotate(
            total=Count("id"),
            acknowledged=Count("id", filter=Q(accepted_at__isnull=False)),
            ack_on_time=Count("id", filter=Q(accepted_at__lte=F("ack_due_at"))),
            resolved=Count("id", filter=Q(resolved_at__isnull=False)),
            resolve_on_time=Count("id", filter=Q(resolved_at__lte=F("resolve_due_at"))),
            rated=Count("id", filter=Q(rating__isnull=False)),
            rating_avg=Avg("rating"),
            reopened=Count("id", filter=Q(reopen_count__gt=0)),
            money_fen=Sum("money_recovered_fen"),
        )
        .order_by(label)
    )
    return [
        StatRow(
            key=r[key],
            label=r[label] or "未填写地区",
            total=r["total"],
            acknowledged=r["acknowledged"],
            ack_on_time=r["ack_on_time"],
            resolved=r["resolved"],
            resolve_on_time=r["resolve_on_time"],
            rated=r["rated"],
            rating_avg=round(float(r["rating_avg"]), 2) if r["rating_avg"] is not None else None,
            reopened=r["reopened"],
            money_fen=int(r["money_fen"] or 0),
        )
        for r in rows
    ]


def _statistics_from_rollups(
    *, actor: Any, group: str, since: dt.datetime | None, until: dt.datetime | None
) -> list[StatRow]:
    key, label = GROUPS[group]
    qs = AppealMonthStat.objects.filter(appeal_stat_scope_q(actor))
    if since:
        qs = qs.filter(month__gte=since.astimezone(BEIJING).date())
    if until:
        qs = qs.filter(month__lt=until.astimezone(BEIJING).date())
    names = ("total", "acknowledged", "ack_on_time", "resolved", "resolve_on_time", "rated", "rating_sum", "reopened")
    rows = qs.values(key, label).annotate(**{name: Sum(name) for name in names}, money=Sum("money_fen")).order_by(label)
    return [
        StatRow(
            key=r[key],
            label=r[label] or "未填写地区",
            total=r["total"],
            acknowledged=r["acknowledged"],
            ack_on_time=r["ack_on_time"],
            resolved=r["resolved"],
            resolve_on_time=r["resolve_on_time"],
            rated=r["rated"],
            rating_avg=round(r["rating_sum"] / r["rated"], 2) if r["rated"] else None,
            reopened=r["reopened"],
            money_fen=int(r["money"] or 0),
        )
        for r in rows
        if r["total"]
    ]


def statistics_total(rows: list[StatRow]) -> StatRow:
    total = StatRow(key=None, label="合计")
    weighted = 0.0
    for r in rows:
        for name in ("total", "acknowledged", "ack_on_time", "resolved", "resolve_on_time", "rated", "reopened"):
            setattr(total, name, getattr(total, name) + getattr(r, name))
        total.money_fen += r.money_fen
        weighted += (r.rating_avg or 0) * r.rated
    total.rating_avg = round(weighted / total.rated, 2) if total.rated else None
    return total


def similar_open_appeals(*, actor: Any, appeal: Appeal, limit: int = 5) -> list[Appeal]:
    """Candidates for merging: other open appeals in scope of the same category and county in the last 30 days."""
    since = appeal.submitted_at - dt.timedelta(days=30)
    if appeal.region_id is None:
        return []
    qs = (
        Appeal.objects.filter(appeal_scope_q(actor), category_id=appeal.category_id, region_id=appeal.region_id)
        .filter(status__in=workflow.OPEN | {AppealStatus.RESOLVED}, submitted_at__gte=since)
        .exclude(pk=appeal.pk)
        .select_related("category")
        .order_by("-submitted_at")
    )
    return list(qs[:limit])


ACTION_LABELS = dict(AppealAction.choices)
