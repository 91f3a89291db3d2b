"""我的记录: what one signed-in driver left at the stations: their check-ins, the status reports they sent and their
feedback with the operator's reply. Every read is keyed on the driver themself, never on a role's scope, so no one
else's rows can appear.

How rows are tied to a driver today: a check-in carries `user` when signed in and always a `visitor_key` (the
account, else a hash of the device cookie); a status report carries only `reporter` (an anonymous tap keeps no
device); feedback carries only `user`. So the one thing an anonymous visit leaves that can be found again is a
check-in made on this phone before signing in: those are listed too, for the device cookie the page is opened with."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from chelun.stations.models import CheckIn, Feedback, StatusReport
from chelun.stations.services import visitor_key_for


@dataclass(frozen=True)
class DriverRecordCounts:
    """How many rows each tab of 我的记录 holds (one COUNT each; a driver's own rows are few)."""

    feedback: int
    checkins: int
    reports: int


def _device_key(device_id: str) -> str | None:
    return visitor_key_for(user=None, device_id=device_id) if device_id else None


def checkin_list_for_driver(*, actor: Any, device_id: str = "") -> QuerySet[CheckIn]:
    """The driver's check-ins, newest first: those made signed in, and the anonymous ones made on this device
    (`device_id` is the device cookie; empty: none). Another account's check-in on the same phone is not among them:
    it carries that account's key."""
    if not getattr(actor, "is_authenticated", False):
        return CheckIn.objects.none()
    mine = Q(user=actor)
    key = _device_key(device_id)
    if key is not None:
        mine |= Q(user__isnull=True, visitor_key=key)
    return CheckIn.objects.filter(mine).select_related("station").order_by("-created_at", "-pk")


def status_report_list_for_driver(*, actor: Any) -> QuerySet[StatusReport]:
    """The status and space reports the driver sent signed in, newest first."""
    if not getattr(actor, "is_authenticated", False):
        return StatusReport.objects.none()
    return StatusReport.objects.filter(reporter=actor).select_related("station").order_by("-observed_at", "-pk")


def feedback_list_for_author(*, actor: Any) -> QuerySet[Feedback]:
    """The feedback the driver wrote signed in, with the operator's reply, newest first."""
    if not getattr(actor, "is_authenticated", False):
        return Feedback.objects.none()
    return Feedback.objects.filter(user=actor).select_related("station").order_by("-created_at", "-pk")


def driver_record_counts(*, actor: Any, device_id: str = "") -> DriverRecordCounts:
    return DriverRecordCounts(
        feedback=feedback_list_for_author(actor=actor).count(),
        checkins=checkin_list_for_driver(actor=actor, device_id=device_id).count(),
        reports=status_report_list_for_driver(actor=actor).count(),
    )
