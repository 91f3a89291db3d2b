"""Monthly roll-ups of the appeals (AppealMonthStat), so the province's statistics add up a few thousand rows
instead of scanning a million appeals. `appeal_stats_refresh` rebuilds whole months from the appeals (delete and
insert in one transaction per month: idempotent, and a month is never half-counted); the periodic task runs it for
the current and the two previous months (an appeal submitted then may still be accepted, resolved or rated), and
nightly for every month."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Count, F, Min, Q, Sum
from django.utils import timezone

from chelun.appeals.choices import AppealStatus
from chelun.appeals.models import Appeal, AppealMonthStat
from chelun.appeals.sla import BEIJING


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def next_month(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def _bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(month, dt.time(), tzinfo=BEIJING)
    return start, dt.datetime.combine(next_month(month), dt.time(), tzinfo=BEIJING)


def appeal_stats_refresh_month(month: dt.date, *, at: dt.datetime | None = None) -> int:
    """Rebuild one month's roll-up rows; returns how many rows it holds now."""
    at = at or timezone.now()
    start, end = _bounds(month)
    rows = (
        Appeal.objects.filter(submitted_at__gte=start, submitted_at__lt=end)
        .exclude(status=AppealStatus.MERGED)
        .values("owner_id", "owner_path", "category_id", "region_id")
        .annotate(
            total=Count("id"),
            acknowledged=Count("id", filter=Q(accepted_at__isnull=False)),
            ack_on_time=Count("id", filter=Q(accepted_at__lte=F("ack_due_at"))),
            resolved=Count("id", filter=Q(resolved_at__isnull=False)),
            resolve_on_time=Count("id", filter=Q(resolved_at__lte=F("resolve_due_at"))),
            rated=Count("id", filter=Q(rating__isnull=False)),
            rating_sum=Sum("rating", default=0),
            reopened=Count("id", filter=Q(reopen_count__gt=0)),
            money_fen=Sum("money_recovered_fen", default=0),
        )
        .order_by()
    )
    stats = [AppealMonthStat(month=month, computed_at=at, **row) for row in rows]
    with transaction.atomic():
        AppealMonthStat.objects.filter(month=month).delete()
        AppealMonthStat.objects.bulk_create(stats, batch_size=2000)
    return len(stats)


def appeal_stats_refresh(*, months: int | None = 3, at: dt.datetime | None = None) -> int:
    """Rebuild the last `months` months (None: every month since the first appeal). Returns the rows written."""
    at = at or timezone.now()
    current = month_start(at.astimezone(BEIJING).date())
    if months is None:
        first = Appeal.objects.aggregate(m=Min("submitted_at"))["m"]
        month = month_start(first.astimezone(BEIJING).date()) if first else current
    else:
        month = current
        for _ in range(months - 1):
            month = month_start(month - dt.timedelta(days=1))
    written = 0
    while month <= current:
        written += appeal_stats_refresh_month(month, at=at)
        month = next_month(month)
    return written


def month_aligned(moment: dt.datetime | None) -> bool:
    if moment is None:
        return True
    local = moment.astimezone(BEIJING)
    return local.day == 1 and local.time() == dt.time()
