"""Writes for 暖心之家: registry, live status, check-ins, feedback and funding. One transaction per use case."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections.abc import Iterable, Mapping
from typing import IO, Any

from auditlog.models import LogEntry
from django.core.cache import cache
from django.core.files import File
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from chelun.core.bounds import within_sichuan
from chelun.core.errors import ApplicationError, Conflict, Forbidden, NotFound, field_error
from chelun.core.geo import GeoInputError, validate_china_point
from chelun.core.ledger import idempotency_key_for, ledger_post_once
from chelun.core.models import Region
from chelun.core.money import MAX_ENTRY_FEN
from chelun.core.ratelimit import Limit, rate_limit
from chelun.core.services import check_version, full_clean_or_raise
from chelun.orgs.access import can, require
from chelun.orgs.models import Organization
from chelun.stations import search
from chelun.stations.access import access_station_by_id, access_station_funding_by_id
from chelun.stations.choices import (
    FREE_BY_STANDARD,
    Amenity,
    CheckInService,
    CostCategory,
    FeedbackIssue,
    FeedbackStatus,
    FundingSource,
    SecurityGrade,
    SpaceLevel,
    StationStatus,
    StatusSource,
)
from chelun.stations.models import (
    CheckIn,
    CostReport,
    Feedback,
    Station,
    StationAmenity,
    StationPhoto,
    StationPrice,
    StatusReport,
    SubsidyContribution,
)
from chelun.stations.selectors.live import station_trust

CHECKIN_DEDUPE_MINUTES = 10
OPERATOR_RESERVED_FIELDS = frozenset(
    {"lon", "lat", "region", "kind", "station_class", "bearing_deg", "halves_linked", "corridor_ref"}
)
FEEDBACK_REPLY_HOURS = 24
STATION_FIELDS = (
    "name",
    "kind",
    "station_class",
    "lon",
    "lat",
    "corridor_ref",
    "carriageway",
    "bearing_deg",
    "halves_linked",
    "address",
    "region",
    "contact_name",
    "contact_phone",
    "open_24h",
    "opens_at",
    "closes_at",
    "status",
    "truck_spaces",
    "beds",
    "cctv",
    "guards",
    "lighting",
    "fence",
)


def _directory_changed() -> None:
    """This process's search caches check again at their next use (other workers notice within seconds). Now and
    again on commit, so a search racing the transaction cannot keep the pre-commit index."""
    search.invalidate()
    transaction.on_commit(search.invalidate)


def _status_reported() -> None:
    """Forecasts in this process read the new report at once (other workers within seconds)."""
    search.invalidate()
    transaction.on_commit(search.invalidate)


def security_grade_for(*, cctv: bool, guards: bool, lighting: bool, fence: bool) -> str:
    """Bronze–Platinum in the spirit of the EU safe-parking levels: each measure adds one step."""
    steps = sum([lighting, cctv, fence, guards])
    return [SecurityGrade.NONE, SecurityGrade.BRONZE, SecurityGrade.SILVER, SecurityGrade.GOLD, SecurityGrade.PLATINUM][
        steps
    ]


def clean_amenities(amenities: Iterable[str]) -> list[str]:
    amenities = list(dict.fromkeys(amenities))
    unknown = [a for a in amenities if a not in Amenity.values]
    if unknown:
        raise field_error("amenities", f"未知设施：{'、'.join(unknown)}", "unknown_amenity")
    return amenities


def _validate_point(lon: float, lat: float) -> None:
    try:
        validate_china_point(lon, lat)
    except GeoInputError as exc:
        raise field_error("lon", exc.message, exc.code) from exc
    if not within_sichuan(lon=lon, lat=lat):
        # A station in Beijing is a typo or a probe: the platform runs Sichuan's stations only.
        raise field_error("lon", f"坐标（经度 {lon}，纬度 {lat}）不在四川省内，请检查经纬度", "outside_sichuan")


def _set_amenities(station: Station, amenities: list[str]) -> None:
    StationAmenity.objects.filter(station=station).exclude(amenity__in=amenities).delete()
    existing = set(StationAmenity.objects.filter(station=station).values_list("amenity", flat=True))
    StationAmenity.objects.bulk_create(
        StationAmenity(station=station, amenity=a) for a in amenities if a not in existing
    )


@transaction.atomic
def station_create(
    *,
    actor: Any,
    organization: Organization,
    region: Region,
    amenities: Iterable[str] = (),
    prices: Mapping[str, int] | None = None,
    operators: Iterable[Any] = (),
    **fields: Any,
) -> Station:
    """Register a station run by `organization`. Needs station.change on it. Coordinates are WGS-84 in China."""
    require(actor, "station.change", organization)
    amenity_list = clean_amenities(amenities)
    _validate_point(float(fields.get("lon", 0)), float(fields.get("lat", 0)))
    station = Station(organization=organization, region=region, **fields)
    station.security_grade = security_grade_for(
        cctv=station.cctv, guards=station.guards, lighting=station.lighting, fence=station.fence
    )
    full_clean_or_raise(station)
    station.save()
    _set_amenities(station, amenity_list)
    if prices:
        station_prices_set(actor=actor, station=station, prices=prices)
    station.operators.set(list(operators))
    _directory_changed()
    return station


@transaction.atomic
def station_update(
    *,
    actor: Any,
    station: Station,
    expected_version: int | None,
    amenities: Iterable[str] | None = None,
    **changes: Any,
) -> Station:
    locked = Station.objects.select_for_update().get(pk=station.pk)
    access_station_by_id(actor=actor, station_id=locked.pk, manage=True)
    check_version(locked, expected_version)
    unknown = set(changes) - set(STATION_FIELDS)
    if unknown:
        raise ApplicationError(f"不可修改的字段：{', '.join(sorted(unknown))}", "field_not_editable")
    if not can(actor, "station.change", locked.organization):
        # An operator runs the station; where it is, what it is and whether it exists are the department's call.
        reserved = sorted(f for f in set(changes) & OPERATOR_RESERVED_FIELDS if changes[f] != getattr(locked, f))
        if reserved:
            message = "站长不能修改站点的位置、类型和等级，请联系主管部门"
            raise Forbidden(message, "operator_field_reserved", {"fields": {f: [message] for f in reserved}})
        if changes.get("status", locked.status) not in (locked.status, StationStatus.OPEN, StationStatus.SUSPENDED):
            raise Forbidden("站长只能把站点设为运营中或暂停服务", "operator_status_reserved")
    amenity_list = clean_amenities(amenities) if amenities is not None else None
    for field, value in changes.items():
        setattr(locked, field, value)
    _validate_point(locked.lon, locked.lat)
    locked.security_grade = security_grade_for(
        cctv=locked.cctv, guards=locked.guards, lighting=locked.lighting, fence=locked.fence
    )
    if locked.live_free_spaces is not None and locked.live_free_spaces > locked.truck_spaces:
        locked.live_free_spaces = locked.truck_spaces
    full_clean_or_raise(locked)
    locked.version = F("version") + 1  # type: ignore[assignment]
    locked.save()
    if amenity_list is not None:
        _set_amenities(locked, amenity_list)
    locked.refresh_from_db()
    _directory_changed()
    return locked


@transaction.atomic
def station_prices_set(
    *, actor: Any, station: Station, prices: Mapping[str, int], units: Mapping[str, str] | None = None
) -> None:
    """Set the price list in fen. The five basic services are free by standard: a price above zero is refused."""
    access_station_by_id(actor=actor, station_id=station.pk, manage=True)
    for service, price in prices.items():
        if service not in Amenity.values:
            raise field_error("prices", f"未知服务：{service}", "unknown_amenity")
        if not isinstance(price, int) or isinstance(price, bool) or price < 0:
            raise field_error("prices", "价格必须是不小于 0 的整数（分）", "price_invalid")
        if service in FREE_BY_STANDARD and price > 0:
            label = Amenity(service).label
            raise field_error("prices", f"{label}属于按标准免费的基本服务，不能收费", "free_service_priced")
    for service, price in prices.items():
        StationPrice.objects.update_or_create(
            station=station,
            service=service,
            defaults={
                "price_fen": price,
                "free_by_standard": service in FREE_BY_STANDARD,
                "unit": (units or {}).get(service, ""),
            },
        )
    # The price list is part of the station's card: a new version, so cached cards and the search catalog renew.
    Station.objects.filter(pk=station.pk).update(updated_at=timezone.now())
    _directory_changed()


# Services a station may put a price on: the five basic ones (always free) and those often charged for.
PRICEABLE_SERVICES = FREE_BY_STANDARD | {
    Amenity.HOT_MEAL,
    Amenity.DRYING,
    Amenity.BEDS,
    Amenity.REPAIR,
    Amenity.KITCHEN,
}


def station_priceable_services(station: Station) -> list[str]:
    """The services on the operator's price list, in Amenity order: what the station offers of
    PRICEABLE_SERVICES, plus any service it has already priced (so an old price can always be changed).
    Reads the station's prefetched amenities and prices when they are there."""
    offered = {a.amenity for a in station.amenities.all() if a.amenity in PRICEABLE_SERVICES}
    offered |= {p.service for p in station.prices.all()}
    return [code for code in Amenity.values if code in offered]


def level_for_count(free_spaces: int, capacity: int) -> str:
    """Map a count to the drivers' three levels: full at 0, 'some' under a fifth of capacity (or under 5)."""
    if free_spaces <= 0:
        return SpaceLevel.FULL
    if free_spaces < max(5, capacity // 5):
        return SpaceLevel.SOME
    return SpaceLevel.PLENTY


@transaction.atomic
def station_status_set(
    *,
    actor: Any,
    station: Station,
    is_open: bool,
    free_spaces: int | None,
    source: str = StatusSource.OPERATOR,
    at: dt.datetime | None = None,
) -> StatusReport:
    """An operator (or sensor) reports open/closed and free truck spaces. 0 ≤ free ≤ capacity, else refused."""
    at = at or timezone.now()
    locked = Station.objects.select_for_update().get(pk=station.pk)
    access_station_by_id(actor=actor, station_id=locked.pk, manage=True)
    if free_spaces is not None:
        if isinstance(free_spaces, bool) or not isinstance(free_spaces, int) or free_spaces < 0:
            raise field_error("free_spaces", "空余车位不能为负数", "free_spaces_negative")
        if free_spaces > locked.truck_spaces:
            raise field_error(
                "free_spaces", f"空余车位不能超过总车位（{locked.truck_spaces} 个）", "free_spaces_above_capacity"
            )
    level = level_for_count(free_spaces, locked.truck_spaces) if free_spaces is not None and is_open else ""
    report = StatusReport.objects.create(
        station=locked,
        source=source,
        is_open=is_open,
        free_spaces=free_spaces,
        level=level,
        observed_at=at,
        reporter=actor,
    )
    Station.objects.filter(pk=locked.pk).update(
        live_open=is_open, live_free_spaces=free_spaces, live_level=level, live_source=source, live_observed_at=at
    )
    _audit_status_change(actor, locked, is_open=is_open, free_spaces=free_spaces)
    _status_reported()
    return report


def _audit_status_change(actor: Any, before: Station, *, is_open: bool, free_spaces: int | None) -> None:
    """An operator's (or sensor account's) report into the audit log when it changes what drivers see: open or
    closed, or the free spaces. The live fields are written by a queryset update, which auditlog does not see; a
    repeat of the same figures is history (StatusReport), not a change."""
    changes = {
        name: [str(old), str(new)]
        for name, old, new in (
            ("live_open", before.live_open, is_open),
            ("live_free_spaces", before.live_free_spaces, free_spaces),
        )
        if old != new
    }
    if changes and actor is not None and getattr(actor, "is_authenticated", False):
        LogEntry.objects.log_create(before, force_log=True, action=LogEntry.Action.UPDATE, changes=changes, actor=actor)


@transaction.atomic
def station_status_confirm(
    *, actor: Any, station: Station, level: str, at: dt.datetime | None = None, visitor_key: str = ""
) -> StatusReport:
    """A driver's one-tap confirmation: plenty / some / full, recorded with its reporter (``visitor_key``, else the
    account). The headline follows the trust rule (chelun.stations.trust): a fresh operator count stands until
    drivers agree independently; with none, the drivers' latest word is shown as theirs. A driver's word never
    invents a count, so the count is kept only when the headline's level stays the same."""
    at = at or timezone.now()
    if level not in SpaceLevel.values:
        raise field_error("level", "请选择：车位多 / 车位少 / 已满", "level_invalid")
    signed_in = actor is not None and getattr(actor, "is_authenticated", False)
    report = StatusReport.objects.create(
        station=station,
        source=StatusSource.DRIVER,
        level=level,
        observed_at=at,
        reporter=actor if signed_in else None,
        visitor_key=visitor_key or (f"user:{actor.pk}" if signed_in else ""),
    )
    verdict = station_trust(station.pk, now=at)
    if verdict.source == "drivers":
        updates: dict[str, Any] = {
            "live_level": verdict.level,
            "live_source": StatusSource.DRIVER,
            "live_observed_at": verdict.observed_at,
        }
        if verdict.level == SpaceLevel.FULL:
            updates["live_free_spaces"] = 0
        elif station.live_level != verdict.level:
            updates["live_free_spaces"] = None
        if station.live_open is None:
            updates["live_open"] = True
        Station.objects.filter(pk=station.pk).update(**updates)
    _status_reported()
    return report


# Public writes (feedback, check-ins, confirmations). An anonymous visitor is counted per device id and per address,
# so neither a fresh device id nor a shared address gets around both; a signed-in driver is counted per account
# (many drivers share a carrier's address, and an account answers for itself). Each: (per visitor, per address).
PUBLIC_WRITE_LIMITS: dict[str, tuple[Limit, Limit]] = {
    "feedback": (Limit(5, 3600), Limit(30, 3600)),
    "checkin": (Limit(30, 3600), Limit(120, 3600)),
    "confirm": (Limit(30, 3600), Limit(120, 3600)),
}


def public_write_throttle(*, kind: str, user: Any, device_id: str, address: str | None) -> None:
    """Count one public write of `kind`; raise RateLimited (429, extra.retry_after_seconds) past the limit."""
    per_visitor, per_address = PUBLIC_WRITE_LIMITS[kind]
    if user is not None and getattr(user, "is_authenticated", False):
        keys = [(f"user:{user.pk}", per_visitor)]
    else:
        keys = [(f"address:{address or ''}", per_address)]
        if device_id:
            keys.append((f"device:{device_id}", per_visitor))
    rate_limit(scope=f"stations:{kind}", keys=keys, message="提交过于频繁，请稍后再试")


def visitor_key_for(*, user: Any, device_id: str) -> str:
    if user is not None and getattr(user, "is_authenticated", False):
        return f"user:{user.pk}"
    if not device_id:
        raise ApplicationError("无法识别访问设备，请允许浏览器保存 Cookie", "device_unknown")
    return "device:" + hashlib.sha256(device_id.encode()).hexdigest()[:32]


LATE_CHECKIN_WINDOW = dt.timedelta(hours=24)


def late_checkin_time(at: dt.datetime | None, *, now: dt.datetime | None = None) -> dt.datetime | None:
    """The moment a driver tapped check-in with no signal, sent when the phone is back online: within the last
    24 hours and not in the future (a phone clock a minute or two ahead is allowed). None: now."""
    if at is None:
        return None
    now = now or timezone.now()
    if timezone.is_naive(at):
        at = timezone.make_aware(at)  # Beijing time, as drivers' apps send it
    if at > now + dt.timedelta(minutes=2):
        raise field_error("at", "签到时间不能晚于现在，请检查手机时间", "checkin_time_future")
    if at < now - LATE_CHECKIN_WINDOW:
        raise field_error("at", "只能补交 24 小时内的离线签到", "checkin_time_too_old")
    return min(at, now)


@transaction.atomic
def checkin_record(
    *, station: Station, user: Any, device_id: str = "", services: Iterable[str] = (), at: dt.datetime | None = None
) -> tuple[CheckIn, bool]:
    """Record a visit. A second check-in by the same visitor within 10 minutes counts once: its services are merged
    into the first. Returns (check-in, created)."""
    at = at or timezone.now()
    service_list = list(dict.fromkeys(services))
    unknown = [s for s in service_list if s not in CheckInService.values]
    if unknown:
        raise field_error("services", f"未知服务：{'、'.join(unknown)}", "unknown_service")
    if station.status != StationStatus.OPEN:
        raise ApplicationError("该站点当前未开放，无法签到", "station_not_open")
    key = visitor_key_for(user=user, device_id=device_id)
    # Lock the station row so two taps at once cannot both create a check-in (SQLite serialises writes anyway).
    Station.objects.select_for_update().filter(pk=station.pk).first()
    recent = (
        CheckIn.objects.filter(
            station=station,
            visitor_key=key,
            created_at__gt=at - dt.timedelta(minutes=CHECKIN_DEDUPE_MINUTES),
            created_at__lte=at,
        )
        .order_by("-created_at")
        .first()
    )
    if recent is not None:
        merged = list(dict.fromkeys([*recent.services, *service_list]))
        if merged != recent.services:
            recent.services = merged
            recent.save(update_fields=["services"])
        return recent, False
    checkin = CheckIn.objects.create(
        station=station,
        user=user if user is not None and user.is_authenticated else None,
        visitor_key=key,
        services=service_list,
        created_at=at,
    )
    return checkin, True


@transaction.atomic
def feedback_create(
    *,
    station: Station,
    user: Any,
    rating: int,
    issues: Iterable[str] = (),
    text: str = "",
    device_id: str = "",
    at: dt.datetime | None = None,
) -> Feedback:
    """A driver rates a station and may report issues. The operator owes a reply within 24 hours. An anonymous
    driver's `device_id` (their device cookie or header) names them in the audit log, hashed."""
    at = at or timezone.now()
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
        raise field_error("rating", "评分应为 1 到 5 星", "rating_invalid")
    issue_list = list(dict.fromkeys(issues))
    unknown = [i for i in issue_list if i not in FeedbackIssue.values]
    if unknown:
        raise field_error("issues", f"未知问题类型：{'、'.join(unknown)}", "unknown_issue")
    text = (text or "").strip()
    if FeedbackIssue.OTHER in issue_list and not text:
        raise field_error("text", "选择“其他”时请写明情况", "text_required")
    if len(text) > 1000:
        raise field_error("text", "内容不能超过 1000 字", "text_too_long")
    signed_in = user is not None and user.is_authenticated
    feedback = Feedback.objects.create(
        station=station,
        user=user if signed_in else None,
        rating=rating,
        issues=issue_list,
        text=text,
        created_at=at,
        reply_due_at=at + dt.timedelta(hours=FEEDBACK_REPLY_HOURS),
    )
    if not signed_in:
        # The audit log names an anonymous driver by a short hash of the device (never the device id itself).
        anonymous: dict[str, Any] = {"anonymous": True}
        if device_id:
            anonymous["device"] = visitor_key_for(user=None, device_id=device_id).removeprefix("device:")[:10]
        for entry in LogEntry.objects.get_for_object(feedback).filter(action=LogEntry.Action.CREATE):
            entry.additional_data = {**(entry.additional_data or {}), **anonymous}
            entry.save(update_fields=["additional_data"])
    return feedback


@transaction.atomic
def feedback_reply(*, actor: Any, feedback: Feedback, reply: str, at: dt.datetime | None = None) -> Feedback:
    """The station's operator (or an admin above it) answers. Escalated items can still be answered."""
    at = at or timezone.now()
    locked = Feedback.objects.select_for_update().select_related("station").get(pk=feedback.pk)
    access_station_by_id(actor=actor, station_id=locked.station_id, manage=True)
    reply = (reply or "").strip()
    if not reply:
        raise field_error("reply", "请填写答复内容", "reply_required")
    if locked.status == FeedbackStatus.CLOSED:
        raise ApplicationError("该反馈已办结", "feedback_closed")
    locked.reply, locked.replied_at, locked.replied_by = reply, at, actor
    locked.status = FeedbackStatus.ANSWERED
    locked.save(update_fields=["reply", "replied_at", "replied_by", "status"])
    return locked


def feedback_mark_spam(*, actor: Any, feedback: Feedback) -> Feedback:
    """The station's operator (or an admin above it) marks feedback still waiting for an answer as spam: its 24 h
    deadline stops (only open feedback is escalated or counted overdue) and the station page no longer shows it."""
    locked = Feedback.objects.select_for_update().select_related("station").get(pk=feedback.pk)
    access_station_by_id(actor=actor, station_id=locked.station_id, manage=True)
    if locked.status not in (FeedbackStatus.OPEN, FeedbackStatus.ESCALATED):
        raise ApplicationError("只能把待答复的反馈标为垃圾信息", "feedback_not_waiting")
    locked.status = FeedbackStatus.SPAM
    locked.save(update_fields=["status"])
    return locked


def feedback_escalate_overdue(*, now: dt.datetime | None = None) -> int:
    """Escalate every open feedback past its reply deadline to the station's organisation. Idempotent."""
    now = now or timezone.now()
    return Feedback.objects.filter(status=FeedbackStatus.OPEN, reply_due_at__lte=now).update(
        status=FeedbackStatus.ESCALATED, escalated_at=now
    )


def month_start(value: dt.date) -> dt.date:
    return value.replace(day=1)


#: The first month funding figures may be entered for: the programme's records start in 2015.
EARLIEST_FUNDING_MONTH = dt.date(2015, 1, 1)


def _funding_month(value: dt.date) -> dt.date:
    """The month's first day, refused when it is after this month (a slip like 2030-01: money is entered as it
    comes, not ahead) or before EARLIEST_FUNDING_MONTH."""
    month = month_start(value)
    this_month = timezone.localdate().replace(day=1)
    if month > this_month:
        raise field_error(
            "month", f"不能填报未来月份（最晚为 {this_month.year} 年 {this_month.month} 月）", "month_in_future"
        )
    if month < EARLIEST_FUNDING_MONTH:
        raise field_error("month", "月份不能早于 2015 年 1 月", "month_too_early")
    return month


def _amount_too_large(field: str) -> ApplicationError:
    return field_error(field, "金额过大（单笔须小于 1 亿元），请检查单位", "amount_too_large")


@transaction.atomic
def cost_report_set(
    *, actor: Any, station: Station, month: dt.date, amounts_fen: Mapping[str, int]
) -> list[CostReport]:
    """Set a station's operating cost for a month, per category (replaces that month's figures). Needs
    funding.change on the station's organisation, as subsidies do: running the station is not enough."""
    access_station_funding_by_id(actor=actor, station_id=station.pk, change=True)
    for category, amount in amounts_fen.items():
        if category not in CostCategory.values:
            raise field_error("amounts_fen", f"未知成本类别：{category}", "unknown_cost_category")
        if isinstance(amount, bool) or not isinstance(amount, int) or amount < 0:
            raise field_error("amounts_fen", "金额必须是不小于 0 的整数（分）", "amount_invalid")
        if amount >= MAX_ENTRY_FEN:
            raise _amount_too_large("amounts_fen")
    month = _funding_month(month)
    CostReport.objects.filter(station=station, month=month).exclude(category__in=list(amounts_fen)).delete()
    return [
        CostReport.objects.update_or_create(
            station=station, month=month, category=category, defaults={"amount_fen": amount}
        )[0]
        for category, amount in amounts_fen.items()
    ]


def subsidy_record(
    *, actor: Any, station: Station, month: dt.date, source: str, amount_fen: int, idempotency_key: str
) -> SubsidyContribution:
    """Record money from one of the four sources for a station's month, posted as a balanced ledger transaction
    (funding:<source> → station:<id>). The same idempotency key, from the same user, records it once."""
    contribution, _ = _subsidy_post(
        actor=actor,
        station=station,
        month=month,
        source=source,
        amount_fen=amount_fen,
        idempotency_key=idempotency_key,
    )
    return contribution


@transaction.atomic
def _subsidy_post(
    *, actor: Any, station: Station, month: dt.date, source: str, amount_fen: int, idempotency_key: str
) -> tuple[SubsidyContribution, bool]:
    require(actor, "funding.change", station.organization)
    if source not in FundingSource.values:
        raise field_error("source", "补贴来源应为：财政、党费、工会、路网运行保障服务费", "unknown_source")
    if isinstance(amount_fen, bool) or not isinstance(amount_fen, int) or amount_fen <= 0:
        raise field_error("amount_fen", "金额必须是大于 0 的整数（分）", "amount_invalid")
    if amount_fen >= MAX_ENTRY_FEN:
        raise _amount_too_large("amount_fen")
    month = _funding_month(month)
    txn, created = ledger_post_once(
        idempotency_key=idempotency_key_for(purpose="subsidy", actor=actor, key=idempotency_key),
        kind="station_subsidy",
        occurred_on=month,
        memo=f"{station.name} {month:%Y-%m} {FundingSource(source).label}",
        entries=[(f"funding:{source}", -amount_fen), (f"station:{station.pk}", amount_fen)],
    )
    contribution, _ = SubsidyContribution.objects.get_or_create(
        transaction=txn, defaults={"station": station, "month": month, "source": source, "amount_fen": amount_fen}
    )
    return contribution, created


# ---------------------------------------------------------------- writes added for the API


CONFIRM_INTERVAL_MINUTES = 5


class TooManyRequests(ApplicationError):
    status_code = 429


def station_status_confirm_limited(
    *, actor: Any, station: Station, level: str, device_id: str = "", at: dt.datetime | None = None
) -> StatusReport:
    """station_status_confirm for the public: one tap per visitor (account, else device) per station per 5 minutes,
    so one phone cannot drown out the operator's count. Only open stations take confirmations.

    Raises ValidationFailed (level), ApplicationError station_not_open / device_unknown, TooManyRequests (429,
    extra.retry_after_seconds). The limit is kept in the cache (atomic `add`) and, for accounts, also checked against
    the stored reports, which holds across workers whatever the cache backend."""
    at = at or timezone.now()
    if level not in SpaceLevel.values:
        raise field_error("level", "请选择：车位多 / 车位少 / 已满", "level_invalid")
    if station.status != StationStatus.OPEN:
        raise ApplicationError("该站点当前未开放，无法反馈车位", "station_not_open")
    key = visitor_key_for(user=actor, device_id=device_id)
    interval = dt.timedelta(minutes=CONFIRM_INTERVAL_MINUTES)
    if actor is not None and getattr(actor, "is_authenticated", False):
        last = (
            StatusReport.objects.filter(
                station=station, reporter=actor, source=StatusSource.DRIVER, observed_at__gt=at - interval
            )
            .order_by("-observed_at")
            .values_list("observed_at", flat=True)
            .first()
        )
        if last is not None:
            raise _too_soon(interval - (at - last))
    cache_key = f"stations:confirm:{station.pk}:{key}"
    if not cache.add(cache_key, at.timestamp(), timeout=int(interval.total_seconds())):
        since = at.timestamp() - float(cache.get(cache_key, at.timestamp()))
        raise _too_soon(interval - dt.timedelta(seconds=since))
    try:
        return station_status_confirm(actor=actor, station=station, level=level, at=at, visitor_key=key)
    except BaseException:
        cache.delete(cache_key)  # nothing was recorded: the tap does not count against the visitor
        raise


def _too_soon(remaining: dt.timedelta) -> TooManyRequests:
    seconds = max(1, min(CONFIRM_INTERVAL_MINUTES * 60, int(remaining.total_seconds()) + 1))
    return TooManyRequests(
        f"您刚刚反馈过该站点，请 {CONFIRM_INTERVAL_MINUTES} 分钟后再试",
        "confirm_too_frequent",
        {"retry_after_seconds": seconds},
    )


def subsidy_record_once(
    *, actor: Any, station: Station, month: dt.date, source: str, amount_fen: int, idempotency_key: str
) -> tuple[SubsidyContribution, bool]:
    """subsidy_record, telling a first recording (created=True) from a replay of the same key (False); of concurrent
    posts with one key exactly one is the first (the ledger's unique key decides). A replay must repeat the first
    request: the ledger compares station, source and amount; the month is compared here (Conflict)."""
    contribution, created = _subsidy_post(
        actor=actor,
        station=station,
        month=month,
        source=source,
        amount_fen=amount_fen,
        idempotency_key=idempotency_key,
    )
    if not created and contribution.month != month_start(month):
        raise Conflict("该幂等键已用于另一笔不同的记账", "idempotency_key_reused")
    return contribution, created


# ---------------------------------------------------------------- photos


PHOTO_MAX_BYTES = 5 * 1024 * 1024
PHOTO_MAX_PER_STATION = 12
PHOTO_CAPTION_MAX = 64
PHOTO_FORMATS = "JPEG、PNG 或 WebP"


def photo_format(head: bytes) -> str | None:
    """The file extension for an image recognised by its first bytes (JPEG, PNG, WebP), else None. The file's name
    and the browser's content type are never trusted: both are whatever the sender says."""
    if head.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    return None


def _upload_size(upload: IO[bytes]) -> int:
    size = getattr(upload, "size", None)
    if isinstance(size, int):
        return size
    upload.seek(0, 2)
    end = upload.tell()
    upload.seek(0)
    return end


@transaction.atomic
def station_photo_add(*, actor: Any, station: Station, upload: IO[bytes], caption: str = "") -> StationPhoto:
    """Add a photo to a station's public gallery. The actor must run the station (access_station_by_id with
    manage=True: NotFound / Forbidden). The file must be a JPEG, PNG or WebP by its content (magic bytes), at most
    5 MB, and the station may hold at most 12 photos; otherwise ValidationFailed on `image` (or `caption`, over 64
    characters) and nothing is stored. The stored name is random, with the extension of the detected format."""
    locked = Station.objects.select_for_update().get(pk=station.pk)  # serialises the 12-photo count
    access_station_by_id(actor=actor, station_id=locked.pk, manage=True)
    caption = (caption or "").strip()
    if len(caption) > PHOTO_CAPTION_MAX:
        raise field_error("caption", f"照片说明不能超过 {PHOTO_CAPTION_MAX} 个字", "caption_too_long")
    if StationPhoto.objects.filter(station=locked).count() >= PHOTO_MAX_PER_STATION:
        raise field_error(
            "image", f"每个站点最多 {PHOTO_MAX_PER_STATION} 张照片，请先删除不用的照片", "photo_limit_reached"
        )
    size = _upload_size(upload)
    if size <= 0:
        raise field_error("image", "上传的文件是空的", "photo_empty")
    if size > PHOTO_MAX_BYTES:
        megabytes = f"{size / 1024 / 1024:.1f}"
        raise field_error("image", f"照片不能超过 5 MB（这张约 {megabytes} MB）", "photo_too_large")
    upload.seek(0)
    extension = photo_format(upload.read(12))
    upload.seek(0)
    if extension is None:
        raise field_error("image", f"只能上传 {PHOTO_FORMATS} 格式的照片（按文件内容识别）", "photo_type_refused")
    photo = StationPhoto(station=locked, caption=caption)
    photo.image.save(f"{uuid.uuid4().hex}.{extension}", File(upload), save=False)
    try:
        photo.save()
    except BaseException:
        photo.image.storage.delete(photo.image.name)  # no row, no file
        raise
    return photo


@transaction.atomic
def station_photo_remove(*, actor: Any, station: Station, photo_id: int) -> None:
    """Remove one of a station's photos. The actor must run the station (NotFound / Forbidden); a photo of another
    station is NotFound. The file is deleted once the row's deletion is committed."""
    access_station_by_id(actor=actor, station_id=station.pk, manage=True)
    photo = StationPhoto.objects.filter(station=station, pk=photo_id).first()
    if photo is None:
        raise NotFound("照片不存在")
    storage, name = photo.image.storage, photo.image.name
    photo.delete()
    transaction.on_commit(lambda: storage.delete(name))


@transaction.atomic
def feedback_delete_by_author(*, actor: Any, feedback_id: int) -> None:
    """The driver who wrote a feedback withdraws it (我的记录). Only its signed-in author may: anyone else, an
    operator or an admin included, gets NotFound exactly as for a missing id, and nothing changes. The deletion is
    audited (a DELETE entry with the feedback's fields, the author as actor), also when no request set the actor."""
    from auditlog.context import set_actor  # only this function names the audit actor itself

    if not getattr(actor, "is_authenticated", False):
        raise NotFound("反馈不存在")
    feedback = (
        # Lock the feedback row only (not its station and organisation): an operator's reply racing the deletion
        # waits, then finds nothing to answer.
        Feedback.objects.select_for_update(of=("self",))
        .select_related("station__organization")
        .filter(pk=feedback_id, user=actor)
        .first()
    )
    if feedback is None:
        raise NotFound("反馈不存在")
    with set_actor(actor):
        feedback.delete()
