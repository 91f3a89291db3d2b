"""Reads for the operator's own work: whether a user runs any station, and per station how much driver feedback
waits for an answer and how much of it is past its reply deadline. Scoped through access.station_manage_q, so an
operator counts only the stations they run."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q

from chelun.stations.access import station_manage_q
from chelun.stations.choices import FeedbackStatus
from chelun.stations.models import Feedback, Station

# Feedback the station still owes an answer to (escalated ones too: the operator can still reply).
WAITING_STATUSES = (FeedbackStatus.OPEN, FeedbackStatus.ESCALATED)


def operates_any_station(user: Any) -> bool:
    """Whether the user is an operator (站长) of at least one station, by Station.operators."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return Station.objects.filter(operators=user).exists()


@dataclass(frozen=True)
class FeedbackDue:
    waiting: int  # still to answer
    overdue: int  # of those, past reply_due_at


def feedback_due_by_station(*, actor: Any, station_ids: list[int], now: dt.datetime) -> dict[int, FeedbackDue]:
    """Waiting and overdue feedback counts for the given stations the actor runs, in one query. Stations with
    nothing waiting are left out."""
    rows = (
        Feedback.objects.filter(
            station__in=Station.objects.filter(station_manage_q(actor), pk__in=station_ids).values("pk"),
            status__in=WAITING_STATUSES,
        )
        .values("station_id")
        .annotate(waiting=Count("pk"), overdue=Count("pk", filter=Q(reply_due_at__lt=now)))
    )
    return {r["station_id"]: FeedbackDue(waiting=r["waiting"], overdue=r["overdue"]) for r in rows}
