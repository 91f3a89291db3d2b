"""Operations figures and feedback: check-in counts, the public and console feedback lists, a station's gallery."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Avg, Count, Q, QuerySet
from django.db.models.functions import TruncDate

from chelun.orgs.access import path_scope_q
from chelun.stations.access import station_console_q, station_manage_q
from chelun.stations.choices import FeedbackStatus
from chelun.stations.models import CheckIn, Feedback, Station, StationPhoto


def checkin_counts(*, actor: Any, start: dt.date, end: dt.date, station: Station | None = None) -> dict[str, Any]:
    """Check-ins in [start, end] by station, by service and by day, within the actor's console scope."""
    qs = CheckIn.objects.filter(
        station__in=Station.objects.filter(station_console_q(actor)).values("id"),
        created_at__date__gte=start,
        created_at__date__lte=end,
    )
    if station is not None:
        qs = qs.filter(station=station)
    by_station = dict(qs.values_list("station").annotate(n=Count("id")).values_list("station", "n"))
    by_day = {
        str(d): n
        for d, n in qs.annotate(day=TruncDate("created_at"))
        .values("day")
        .annotate(n=Count("id"))
        .values_list("day", "n")
    }
    by_service: dict[str, int] = defaultdict(int)
    for services in qs.values_list("services", flat=True):
        for service in services:
            by_service[service] += 1
    return {
        "total": sum(by_station.values()),
        "by_station": by_station,
        "by_day": by_day,
        "by_service": dict(by_service),
    }


def feedback_public_list(*, station: Station) -> QuerySet[Feedback]:
    # Spam, as the operator marked it, is not the station's feedback: not shown, not in the average.
    return Feedback.objects.filter(station=station).exclude(status=FeedbackStatus.SPAM).order_by("-created_at")


def feedback_console_list(*, actor: Any, status: str = "", station: Station | None = None) -> QuerySet[Feedback]:
    """Feedback on stations the actor runs, plus escalated feedback in the subtrees they supervise."""
    managed = Station.objects.filter(station_manage_q(actor)).values("id")
    escalated = Q(status=FeedbackStatus.ESCALATED) & path_scope_q(
        actor, "feedback.escalated", "station__organization__path"
    )
    qs = Feedback.objects.filter(Q(station__in=managed) | escalated).select_related("station").distinct()
    if status:
        qs = qs.filter(status=status)
    if station is not None:
        qs = qs.filter(station=station)
    return qs.order_by("reply_due_at", "id")


@dataclass(frozen=True)
class FeedbackSummary:
    average_rating: float | None
    count: int
    recent: list[Feedback]


def feedback_public_summary(*, station: Station, recent: int = 5) -> FeedbackSummary:
    """What a station page shows of its feedback: the average rating (one decimal), how many, the latest few."""
    figures = feedback_public_list(station=station).order_by().aggregate(n=Count("id"), avg=Avg("rating"))
    average = round(float(figures["avg"]), 1) if figures["avg"] is not None else None
    return FeedbackSummary(average, figures["n"], list(feedback_public_list(station=station)[:recent]))


def station_photo_list(*, station: Station) -> QuerySet[StationPhoto]:
    """A station's gallery, oldest first (the station was fetched through access.py by the caller)."""
    return StationPhoto.objects.filter(station=station).order_by("created_at", "id")
