"""The mobile-member lifecycle: outflow registration, attachment to a grid branch (suggested from pings, confirmed
by that branch's secretary, who is told of the arrival), contact, lost contact, return."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone

from chelun.core.errors import Conflict, ValidationFailed
from chelun.grid.choices import MobileStatus
from chelun.grid.models import ArrivalNotice, Attachment, LocationPing, MobileMember
from chelun.orgs.models import Organization

SUGGEST_WINDOW = dt.timedelta(days=14)
SUGGEST_MIN_SHARE = 0.3  # a branch holding under 30 % of a member's recent pings is a place passed through


def lost_contact_days() -> int:
    from django.conf import settings

    # 2.4 of the reference: six months without contact (组织生活 or dues) makes a member lost (失联).
    return int(getattr(settings, "GRID_LOST_CONTACT_DAYS", 180))


@transaction.atomic
def outflow_register(
    *,
    person: Any,
    home_branch: Organization,
    destination: str,
    reason: str,
    certificate_number: str,
    actor: Any,
    corridor: str = "",
    at: dt.datetime | None = None,
) -> MobileMember:
    """流出登记. Before: the caller checked grid.members_manage on the home branch. Raises Conflict when the member is
    already registered as away or the 活动证 number is taken."""
    now = at or timezone.now()
    if not destination.strip() or not certificate_number.strip():
        raise ValidationFailed("流向地和活动证编号必填", "required")
    try:
        with transaction.atomic():
            return MobileMember.objects.create(
                person=person,
                home_branch=home_branch,
                destination=destination.strip(),
                corridor=corridor,
                reason=reason,
                certificate_number=certificate_number.strip(),
                registered_at=now,
                registered_by=actor if getattr(actor, "is_authenticated", False) else None,
                last_contact_at=now,
            )
    except IntegrityError:
        raise Conflict("该党员已登记外出，或活动证编号已被使用", "outflow_exists") from None


def attachment_suggest(*, mobile: MobileMember, now: dt.datetime | None = None) -> Attachment | None:
    """Suggest the grid branch holding most of the member's pings of the last SUGGEST_WINDOW (at least
    SUGGEST_MIN_SHARE), unless that is already the open attachment or an open suggestion."""
    now = now or timezone.now()
    counts = (
        LocationPing.objects.filter(person=mobile.person_id, at__gte=now - SUGGEST_WINDOW, branch__isnull=False)
        .values("branch")
        .annotate(n=Count("id"))
        .order_by("-n", "branch")
    )
    total = LocationPing.objects.filter(person=mobile.person_id, at__gte=now - SUGGEST_WINDOW).count()
    top = counts.first()
    if top is None or total == 0 or top["n"] / total < SUGGEST_MIN_SHARE:
        return None
    open_rows = mobile.attachments.filter(ended_at__isnull=True, branch_id=top["branch"])
    if open_rows.exists():
        return None
    return Attachment.objects.create(mobile=mobile, branch_id=top["branch"], suggested_at=now, share=top["n"] / total)


def attachment_confirm(*, attachment: Attachment, actor: Any, now: dt.datetime | None = None) -> Attachment:
    """The grid branch's secretary confirms: the member is attached there; the previous attachment ends; the
    secretary gets an arrival notice. Two secretaries confirming at once: the member row is locked, so exactly one
    wins and the other gets Conflict (attachment_taken). Before: access_attachment_by_id checked grid.members_manage."""
    now = now or timezone.now()
    with transaction.atomic():
        mobile = MobileMember.objects.select_for_update().get(pk=attachment.mobile_id)
        fresh = Attachment.objects.select_for_update().get(pk=attachment.pk)
        if mobile.status != MobileStatus.AWAY:
            raise Conflict("该党员已回归，不能挂靠", "not_away")
        if fresh.confirmed_at is not None or fresh.ended_at is not None:
            raise Conflict("该挂靠已被处理", "attachment_taken")
        if mobile.attachments.filter(confirmed_at__gte=fresh.suggested_at, ended_at__isnull=True).exists():
            raise Conflict("该党员已由其他支部确认挂靠", "attachment_taken")
        mobile.attachments.filter(ended_at__isnull=True).exclude(pk=fresh.pk).update(ended_at=now)
        fresh.confirmed_at = now
        fresh.confirmed_by = actor if getattr(actor, "is_authenticated", False) else None
        fresh.save(update_fields=["confirmed_at", "confirmed_by"])
        ArrivalNotice.objects.create(attachment=fresh, branch_id=fresh.branch_id, created_at=now)
        mobile.last_contact_at = now
        mobile.lost_contact = False
        mobile.save(update_fields=["last_contact_at", "lost_contact"])
        return fresh


@transaction.atomic
def contact_record(*, mobile: MobileMember, at: dt.datetime | None = None) -> MobileMember:
    """Periodic contact (定期联系): resets the lost-contact clock."""
    mobile.last_contact_at = at or timezone.now()
    mobile.lost_contact = False
    mobile.save(update_fields=["last_contact_at", "lost_contact"])
    return mobile


@transaction.atomic
def member_return(*, mobile: MobileMember, at: dt.datetime | None = None) -> MobileMember:
    """回归: the 活动证 is handed back, open attachments end."""
    now = at or timezone.now()
    locked = MobileMember.objects.select_for_update().get(pk=mobile.pk)
    if locked.status != MobileStatus.AWAY:
        raise Conflict("该党员已回归", "not_away")
    locked.attachments.filter(ended_at__isnull=True).update(ended_at=now)
    locked.status = MobileStatus.RETURNED
    locked.returned_at = now
    locked.save(update_fields=["status", "returned_at"])
    return locked


def lost_contact_flag(*, now: dt.datetime | None = None) -> int:
    """Flag members away with no contact for lost_contact_days(); idempotent. Returns how many were flagged."""
    now = now or timezone.now()
    return MobileMember.objects.filter(
        status=MobileStatus.AWAY, lost_contact=False, last_contact_at__lt=now - dt.timedelta(days=lost_contact_days())
    ).update(lost_contact=True)
