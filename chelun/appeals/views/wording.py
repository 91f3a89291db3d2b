"""How the pages word deadlines and history (one home, so the driver's and the staff's pages agree)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from chelun.appeals import selectors, workflow
from chelun.appeals.choices import AppealStatus
from chelun.appeals.models import Appeal, AppealEvent


@dataclass(frozen=True)
class Deadline:
    label: str  # 受理 / 办结 / 督办
    due: dt.datetime
    text: str  # "还剩 1 天 3 小时" / "已超期 2 小时"
    overdue: bool


def _span(seconds: float) -> str:
    minutes = int(abs(seconds) // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days} 天 {hours} 小时"
    if hours:
        return f"{hours} 小时 {mins} 分"
    return f"{mins} 分钟"


def deadline_text(appeal: Appeal, now: dt.datetime | None = None) -> Deadline | None:
    """The deadline that runs now: acknowledgement while submitted, resolution while being worked on."""
    now = now or timezone.now()
    if appeal.status == AppealStatus.SUBMITTED:
        label, due = "受理", appeal.ack_due_at
    elif appeal.status in workflow.WORKING:
        label, due = "办结", appeal.resolve_due_at
    else:
        return None
    left = (due - now).total_seconds()
    text = f"还剩 {_span(left)}" if left >= 0 else f"已超期 {_span(left)}"
    return Deadline(label, due, text, left < 0)


@dataclass(frozen=True)
class HistoryRow:
    event: AppealEvent
    by: str


def history_rows(events: list[AppealEvent], *, confidential: bool) -> list[HistoryRow]:
    return [HistoryRow(e, selectors.event_actor_label(e, confidential=confidential)) for e in events]
