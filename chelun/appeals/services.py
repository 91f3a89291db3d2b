"""Writes on appeals: each use case one function, keyword arguments, in a transaction, every step an AppealEvent.

Concurrency: a step locks the appeal row (select_for_update) and then writes with a compare-and-set on `version`,
so two staff accepting at once leave exactly one acceptance and the other gets a 409 (the lock serialises them on
PostgreSQL; the version check does the same on SQLite, whose row locks are a no-op).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import IO, Any

from django.core.files import File
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from chelun.appeals import sla, workflow
from chelun.appeals.access import access_appeal_by_id, access_own_appeal_by_id
from chelun.appeals.choices import AppealAction as A
from chelun.appeals.choices import AppealStatus as S
from chelun.appeals.choices import ContactPreference, RouteTarget
from chelun.appeals.choices import Party as P
from chelun.appeals.models import Appeal, AppealEvent, AppealPhoto, Category, RoutingRule
from chelun.appeals.routing import RuleSpec, choose_rule
from chelun.core.errors import ApplicationError, Conflict, Forbidden, NotFound, field_error
from chelun.core.geo import GeoInputError, haversine_km, validate_china_point
from chelun.core.models import Region, RegionLevel
from chelun.core.services import full_clean_or_raise
from chelun.orgs.access import can
from chelun.orgs.choices import OrgKind, OrgStatus
from chelun.orgs.models import Organization
from chelun.stations.access import access_public_station_by_id
from chelun.stations.services import photo_format

PHOTO_MAX_BYTES = 5 * 1024 * 1024
PHOTO_MAX_COUNT = 3
DESCRIPTION_MAX = 2000


# ---------------------------------------------------------------- routing


@dataclass(frozen=True)
class Route:
    """Where an appeal goes and why (the console's "where would this go" preview shows the same)."""

    organization: Organization
    rule: RoutingRule | None
    explanation: str


def region_chain(region: Region | None) -> list[int]:
    """The region and its ancestors' ids, most specific first."""
    chain: list[int] = []
    current = region
    while current is not None:
        chain.append(current.pk)
        current = Region.objects.filter(pk=current.parent_id).first() if current.parent_id else None
    return chain


def nearest_county(lon: float, lat: float) -> Region:
    """The county whose seat is nearest the point: the place a phone's position names (no boundary test needed
    to route; the shipped outlines are not complete for every county)."""
    counties = Region.objects.filter(level=RegionLevel.COUNTY).only("id", "lon", "lat", "parent_id", "name")
    return min(counties, key=lambda r: haversine_km(lon, lat, r.lon, r.lat))


def _committee_for(chain: Sequence[int]) -> Organization:
    """The industry committee of the most specific region in the chain that has one; else the tree's root."""
    committees = Organization.objects.filter(
        kind=OrgKind.INDUSTRY_COMMITTEE, status=OrgStatus.ACTIVE, region_id__in=list(chain)
    ).order_by("depth", "id")
    by_region: dict[int, Organization] = {}
    for org in committees:
        by_region.setdefault(org.region_id, org)
    for region_id in chain:
        if region_id in by_region:
            return by_region[region_id]
    root = Organization.objects.filter(parent__isnull=True, status=OrgStatus.ACTIVE).order_by("id").first()
    if root is None:
        raise ApplicationError("尚未建立组织体系，无法分派诉求", "no_organisation")
    return root


def appeal_route(*, category: Category, region: Region | None, station_id: int | None = None) -> Route:
    """The owner an appeal of `category` in `region` (about `station_id`) gets: the most specific active rule
    (routing.choose_rule), resolved to an organisation. With no rule: the county committee of the region.
    The grid branch target falls back to the county committee until grid branches carry coverage."""
    chain = region_chain(region)
    rules = {r.pk: r for r in RoutingRule.objects.filter(active=True).select_related("organization")}
    specs = [
        RuleSpec(r.pk, r.category_id, r.region_id, r.target, r.organization_id, r.priority) for r in rules.values()
    ]
    spec = choose_rule(specs, category_id=category.pk, region_chain=chain)
    rule = rules[spec.id] if spec else None
    target = rule.target if rule else RouteTarget.COUNTY_COMMITTEE
    if target == RouteTarget.FIXED_ORG and rule is not None and rule.organization is not None:
        return Route(rule.organization, rule, f"规则指定：{rule.organization.name}")
    if target == RouteTarget.STATION_OPERATOR and station_id:
        station = access_public_station_by_id(station_id=station_id)
        org = Organization.objects.get(pk=station.organization_id)
        return Route(org, rule, f"所涉暖心之家「{station.name}」的运营组织")
    committee = _committee_for(chain)
    why = "司机所在地的县级行业党委" if region else "未提供地点：由省级行业党委分派"
    if target == RouteTarget.GRID_BRANCH:
        why = "网格党支部尚未划定覆盖范围，暂由所在地行业党委承办"
    return Route(committee, rule, why)


# ---------------------------------------------------------------- submission


def _validate_photos(photos: Sequence[IO[bytes]]) -> list[tuple[IO[bytes], str, int]]:
    if len(photos) > PHOTO_MAX_COUNT:
        raise field_error("photos", f"最多上传 {PHOTO_MAX_COUNT} 张照片", "too_many_photos")
    checked = []
    for upload in photos:
        size = getattr(upload, "size", None)
        if not isinstance(size, int):
            upload.seek(0, 2)
            size = upload.tell()
        upload.seek(0)
        if size <= 0:
            raise field_error("photos", "上传的文件是空的", "photo_empty")
        if size > PHOTO_MAX_BYTES:
            raise field_error("photos", f"照片不能超过 5 MB（这张约 {size / 1024 / 1024:.1f} MB）", "photo_too_large")
        extension = photo_format(upload.read(12))
        upload.seek(0)
        if extension is None:
            raise field_error("photos", "只能上传 JPEG、PNG 或 WebP 格式的照片（按文件内容识别）", "photo_type_refused")
        checked.append((upload, extension, size))
    return checked


@transaction.atomic
def appeal_submit(
    *,
    actor: Any,
    category: Category,
    description: str,
    region: Region | None = None,
    lon: float | None = None,
    lat: float | None = None,
    place_text: str = "",
    station_id: int | None = None,
    contact: str = ContactPreference.PHONE,
    photos: Sequence[IO[bytes]] = (),
    at: dt.datetime | None = None,
) -> Appeal:
    """A driver (any logged-in person) submits an appeal. The place is the chosen region, else the county nearest
    the phone's position (WGS-84), else the station's region, else the driver's home region. A category that
    needs a place refuses one without region or position; one that needs a station refuses one without it.
    Photos: at most 3, each a JPEG/PNG/WebP by content and at most 5 MB. Routed by appeal_route; deadlines from
    the category in working days. Raises ValidationFailed (on the field) and writes nothing on bad input."""
    if actor is None or not actor.is_authenticated:
        raise Forbidden("请先登录")
    if not getattr(actor, "person_id", None):
        raise Forbidden("请用司机账号（手机号验证码）登录后提交诉求", "not_a_person")
    at = at or timezone.now()
    if not category.active:
        raise field_error("category", "该类别已停用", "category_inactive")
    description = (description or "").strip()
    if not description:
        raise field_error("description", "请描述遇到的问题", "description_required")
    if len(description) > DESCRIPTION_MAX:
        raise field_error("description", f"诉求内容不能超过 {DESCRIPTION_MAX} 字", "description_too_long")
    if (lon is None) != (lat is None):
        raise field_error("place", "位置需要同时有经度和纬度", "place_incomplete")
    if lon is not None and lat is not None:
        try:
            validate_china_point(lon, lat)
        except GeoInputError as exc:
            raise field_error("place", "位置不在中国境内，请重新定位或选择地区", "place_outside_china") from exc
    station = None
    if station_id:
        try:
            station = access_public_station_by_id(station_id=station_id)
        except NotFound as exc:
            raise field_error("station", "所选暖心之家不存在", "station_unknown") from exc
    elif category.needs_station:
        raise field_error("station", f"「{category.name}」须选择所涉的暖心之家", "station_required")
    if category.needs_place and region is None and lon is None and station is None:
        raise field_error("place", f"「{category.name}」须提供地点：请定位或选择地区", "place_required")
    checked_photos = _validate_photos(photos)
    if region is None and lon is not None and lat is not None:
        region = nearest_county(lon, lat)
    if region is None and station is not None:
        region = Region.objects.get(pk=station.region_id)
    if region is None:
        region = Region.objects.get(pk=actor.person.region_id)
    route = appeal_route(category=category, region=region, station_id=station.pk if station else None)
    ack_due = sla.due_at(at, category.ack_days)
    appeal = Appeal(
        driver_id=actor.person_id,
        category=category,
        description=description,
        region=region,
        lon=lon,
        lat=lat,
        place_text=(place_text or "").strip()[:120],
        station_id=station.pk if station else None,
        contact=contact,
        owner=route.organization,
        owner_path=route.organization.path,
        submitted_at=at,
        ack_due_at=ack_due,
        resolve_due_at=sla.due_at(at, category.resolve_days),
        next_escalation_at=ack_due,
    )
    full_clean_or_raise(appeal, exclude=["driver", "owner", "category", "region", "station"])
    appeal.save()
    _event(
        appeal,
        A.SUBMIT,
        P.DRIVER,
        None if category.confidential else actor,
        "",
        S.SUBMITTED,
        at,
        text=route.explanation,
    )
    # Photos last: everything that can refuse the appeal has run, so a file is written only for a kept row.
    for upload, extension, size in checked_photos:
        photo = AppealPhoto(appeal=appeal, size=size)
        photo.image.save(f"{uuid.uuid4().hex}.{extension}", File(upload), save=False)
        try:
            photo.save()
        except BaseException:
            photo.image.storage.delete(photo.image.name)
            raise
    return appeal


def _event(
    appeal: Appeal,
    action: str,
    party: str,
    actor: Any,
    from_status: str,
    to_status: str,
    at: dt.datetime,
    *,
    text: str = "",
    internal: bool = False,
    from_organization: Organization | None = None,
) -> AppealEvent:
    return AppealEvent.objects.create(
        appeal=appeal,
        action=action,
        party=party,
        actor=actor,
        from_status=from_status,
        to_status=to_status,
        organization_id=appeal.owner_id,
        from_organization=from_organization,
        text=text,
        internal=internal,
        at=at,
    )


# ---------------------------------------------------------------- steps


def _lock(appeal: Appeal) -> Appeal:
    return Appeal.objects.select_for_update(of=("self",)).select_related("category", "owner").get(pk=appeal.pk)


def _save(appeal: Appeal, expected_version: int, **changes: Any) -> None:
    """Compare-and-set on version: 0 rows means someone else changed the appeal since it was read."""
    changes["version"] = expected_version + 1
    changes["updated_at"] = timezone.now()
    updated = Appeal.objects.filter(pk=appeal.pk, version=expected_version).update(**changes)
    if updated != 1:
        raise Conflict("该诉求已被他人处理，请刷新后重试", "stale_version")
    for field, value in changes.items():
        setattr(appeal, field, value)


def _staff_step(actor: Any, appeal_id: int, action: str) -> tuple[Appeal, str]:
    """Authorise (404 outside scope, 403 without appeal.handle), lock, and check the transition (409)."""
    access_appeal_by_id(actor=actor, appeal_id=appeal_id, action="appeal.handle")
    locked = Appeal.objects.select_for_update(of=("self",)).select_related("category", "owner").get(pk=appeal_id)
    return locked, workflow.transition(locked.status, action, P.STAFF)


@transaction.atomic
def appeal_accept(*, actor: Any, appeal_id: int, at: dt.datetime | None = None) -> Appeal:
    """受理: a submitted appeal is acknowledged by staff holding appeal.handle on its owner. The resolve
    deadline (set at submission) becomes the next escalation moment. Exactly one of two concurrent acceptances
    wins; the other raises Conflict (409)."""
    at = at or timezone.now()
    appeal, status = _staff_step(actor, appeal_id, A.ACCEPT)
    before = appeal.status
    _save(appeal, appeal.version, status=status, accepted_at=at, next_escalation_at=appeal.resolve_due_at)
    _event(appeal, A.ACCEPT, P.STAFF, actor, before, status, at)
    return appeal


@transaction.atomic
def appeal_start(*, actor: Any, appeal_id: int, text: str = "", at: dt.datetime | None = None) -> Appeal:
    at = at or timezone.now()
    appeal, status = _staff_step(actor, appeal_id, A.START)
    before = appeal.status
    _save(appeal, appeal.version, status=status)
    _event(appeal, A.START, P.STAFF, actor, before, status, at, text=text.strip())
    return appeal


@transaction.atomic
def appeal_resolve(
    *, actor: Any, appeal_id: int, resolution: str, money_recovered_fen: int = 0, at: dt.datetime | None = None
) -> Appeal:
    """办结: staff record what was done (required) and, for unpaid freight, the money recovered (fen, >= 0).
    The escalation clock stops; the driver is asked to confirm and rate."""
    at = at or timezone.now()
    resolution = (resolution or "").strip()
    if not resolution:
        raise field_error("resolution", "请填写办理结果", "resolution_required")
    if money_recovered_fen < 0:
        raise field_error("money_recovered", "追回金额不能为负数", "money_negative")
    appeal, status = _staff_step(actor, appeal_id, A.RESOLVE)
    before = appeal.status
    _save(
        appeal,
        appeal.version,
        status=status,
        resolved_at=at,
        resolution=resolution[:DESCRIPTION_MAX],
        money_recovered_fen=money_recovered_fen,
        next_escalation_at=None,
    )
    _event(appeal, A.RESOLVE, P.STAFF, actor, before, status, at, text=resolution)
    return appeal


def _driver_step(actor: Any, appeal_id: int, action: str) -> tuple[Appeal, str]:
    """Only the appeal's own driver: anyone else gets 404 (staff in scope included) and nothing changes."""
    access_own_appeal_by_id(actor=actor, appeal_id=appeal_id)
    locked = Appeal.objects.select_for_update(of=("self",)).select_related("category", "owner").get(pk=appeal_id)
    return locked, workflow.transition(locked.status, action, P.DRIVER)


@transaction.atomic
def appeal_confirm(
    *, actor: Any, appeal_id: int, rating: int, comment: str = "", at: dt.datetime | None = None
) -> Appeal:
    """确认并评价: the driver confirms a resolved appeal with a satisfaction rating of 1-5."""
    at = at or timezone.now()
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        raise field_error("rating", "请选择 1 到 5 星的满意度", "rating_invalid")
    appeal, status = _driver_step(actor, appeal_id, A.CONFIRM)
    before = appeal.status
    _save(appeal, appeal.version, status=status, confirmed_at=at, rating=rating, rating_comment=comment.strip()[:200])
    who = None if appeal.category.confidential else actor
    _event(appeal, A.CONFIRM, P.DRIVER, who, before, status, at, text=f"满意度 {rating} 星 {comment.strip()}".strip())
    return appeal


@transaction.atomic
def appeal_reopen(*, actor: Any, appeal_id: int, reason: str, at: dt.datetime | None = None) -> Appeal:
    """重新打开: the driver says a resolved appeal is not solved (reason required). A new resolve deadline runs
    from now, and the escalation clock with it."""
    at = at or timezone.now()
    reason = (reason or "").strip()
    if not reason:
        raise field_error("reason", "请说明问题为什么没有解决", "reason_required")
    appeal, status = _driver_step(actor, appeal_id, A.REOPEN)
    before = appeal.status
    due = sla.due_at(at, appeal.category.resolve_days)
    _save(
        appeal,
        appeal.version,
        status=status,
        resolved_at=None,
        resolve_due_at=due,
        next_escalation_at=due,
        reopen_count=F("reopen_count") + 1,
    )
    appeal.refresh_from_db(fields=["reopen_count"])
    who = None if appeal.category.confidential else actor
    _event(appeal, A.REOPEN, P.DRIVER, who, before, status, at, text=reason)
    return appeal


@transaction.atomic
def appeal_close(*, actor: Any, appeal_id: int, at: dt.datetime | None = None) -> Appeal:
    at = at or timezone.now()
    appeal, status = _staff_step(actor, appeal_id, A.CLOSE)
    before = appeal.status
    _save(appeal, appeal.version, status=status, closed_at=at)
    _event(appeal, A.CLOSE, P.STAFF, actor, before, status, at)
    return appeal


@transaction.atomic
def appeal_transfer(
    *, actor: Any, appeal_id: int, to_organization_id: int, reason: str, at: dt.datetime | None = None
) -> Appeal:
    """转办: the owner becomes another organisation, with a reason. The new owner must be an active organisation
    within the actor's own appeal.handle scope (a city redistributes among its counties; a county hands down to
    a branch); anything else is 404 on `to_organization`, like a missing one. Escalation restarts from it."""
    at = at or timezone.now()
    reason = (reason or "").strip()
    if not reason:
        raise field_error("reason", "请填写转办理由", "reason_required")
    appeal, status = _staff_step(actor, appeal_id, A.TRANSFER)
    target = Organization.objects.filter(pk=to_organization_id, status=OrgStatus.ACTIVE).first()
    if target is None or not can(actor, "appeal.handle", target):
        raise field_error("to_organization", "目标组织不存在或不在本人管理范围内", "organization_unknown")
    if target.pk == appeal.owner_id:
        raise field_error("to_organization", "诉求已由该组织承办", "same_owner")
    previous = appeal.owner
    _save(appeal, appeal.version, owner=target, owner_path=target.path, escalated_to=None)
    appeal.owner = target
    _event(appeal, A.TRANSFER, P.STAFF, actor, status, status, at, text=reason, from_organization=previous)
    return appeal


@transaction.atomic
def appeal_merge(
    *, actor: Any, appeal_id: int, into_id: int, reason: str = "", at: dt.datetime | None = None
) -> Appeal:
    """合并: an open appeal that repeats another (in the actor's scope, open or resolved, not itself merged)
    becomes a duplicate of it; the driver sees where it went."""
    at = at or timezone.now()
    if into_id == appeal_id:
        raise field_error("into", "不能与自身合并", "merge_self")
    try:
        into = access_appeal_by_id(actor=actor, appeal_id=into_id)
    except NotFound as exc:
        raise field_error("into", "要合并到的诉求不存在", "merge_unknown") from exc
    if into.status == S.MERGED:
        raise field_error("into", "不能合并到已合并的诉求", "merge_into_merged")
    appeal, status = _staff_step(actor, appeal_id, A.MERGE)
    before = appeal.status
    _save(appeal, appeal.version, status=status, merged_into=into, next_escalation_at=None)
    _event(appeal, A.MERGE, P.STAFF, actor, before, status, at, text=f"与 {into.number} 重复。{reason.strip()}")
    return appeal


@transaction.atomic
def appeal_note(*, actor: Any, appeal_id: int, text: str, at: dt.datetime | None = None) -> AppealEvent:
    """内部备注: staff-only text on the history, never shown to the driver."""
    at = at or timezone.now()
    text = (text or "").strip()
    if not text:
        raise field_error("text", "备注不能为空", "note_required")
    appeal, status = _staff_step(actor, appeal_id, A.NOTE)
    return _event(appeal, A.NOTE, P.STAFF, actor, status, status, at, text=text[:DESCRIPTION_MAX], internal=True)


def _root_of(org: Organization) -> Organization:
    root_id = int(org.path.strip("/").split("/")[0])
    return Organization.objects.get(pk=root_id)


@transaction.atomic
def appeal_supervise(*, actor: Any, appeal_id: int, days: int, reason: str, at: dt.datetime | None = None) -> Appeal:
    """挂牌督办: the province (appeal.supervise on the root of the tree) puts an open appeal under supervision with
    its own deadline in working days. A second call on a supervised appeal is a Conflict."""
    at = at or timezone.now()
    appeal = access_appeal_by_id(actor=actor, appeal_id=appeal_id)
    if not can(actor, "appeal.supervise", _root_of(appeal.owner)):
        raise Forbidden("只有省级可以挂牌督办")
    if not 1 <= days <= 60:
        raise field_error("days", "督办期限应为 1 到 60 个工作日", "days_invalid")
    reason = (reason or "").strip()
    if not reason:
        raise field_error("reason", "请填写督办事由", "reason_required")
    locked = _lock(appeal)
    status = workflow.transition(locked.status, A.SUPERVISE, P.STAFF)
    if locked.supervised:
        raise Conflict("该诉求已在挂牌督办中", "already_supervised")
    due = sla.due_at(at, days)
    _save(locked, locked.version, supervised=True, supervision_due_at=due, supervision_overdue=False)
    _event(locked, A.SUPERVISE, P.STAFF, actor, status, status, at, text=f"{reason}（督办期限 {due:%Y-%m-%d}）")
    return locked


# ---------------------------------------------------------------- escalation (periodic)


def appeal_escalate_overdue(*, at: dt.datetime | None = None) -> int:
    """Every open appeal past its next escalation moment goes one level up the tree from where it last was
    (escalated_to, else the owner), and gets the category's acknowledgement time again, in working days, before
    the next level. At the root it stays (no next moment). Supervised appeals past their supervision deadline
    are marked overdue once. Idempotent: a second run at the same moment changes nothing. Returns the number of
    events written."""
    at = at or timezone.now()
    written = 0
    due_ids = list(
        Appeal.objects.filter(status__in=workflow.OPEN, next_escalation_at__lte=at)
        .order_by("next_escalation_at", "id")
        .values_list("pk", flat=True)[:5000]
    )
    for appeal_id in due_ids:
        with transaction.atomic():
            appeal = (
                Appeal.objects.select_for_update(of=("self",))
                .select_related("category", "owner", "escalated_to")
                .get(pk=appeal_id)
            )
            if appeal.status not in workflow.OPEN or not appeal.next_escalation_at or appeal.next_escalation_at > at:
                continue  # acted on since it was listed
            base = appeal.escalated_to or appeal.owner
            parent = Organization.objects.filter(pk=base.parent_id).first() if base.parent_id else None
            if parent is None:
                _save(appeal, appeal.version, next_escalation_at=None)
                continue
            which = "受理" if appeal.status == S.SUBMITTED else "办结"
            _save(
                appeal,
                appeal.version,
                escalated_to=parent,
                escalation_level=appeal.escalation_level + 1,
                next_escalation_at=sla.due_at(at, max(1, appeal.category.ack_days)),
            )
            _event(
                appeal,
                A.ESCALATE,
                P.SYSTEM,
                None,
                appeal.status,
                appeal.status,
                at,
                text=f"超过{which}期限，升级至{parent.name}",
            )
            written += 1
    overdue = Appeal.objects.filter(
        status__in=workflow.OPEN, supervised=True, supervision_overdue=False, supervision_due_at__lte=at
    ).values_list("pk", flat=True)
    for appeal_id in list(overdue):
        with transaction.atomic():
            appeal = Appeal.objects.select_for_update(of=("self",)).get(pk=appeal_id)
            if appeal.supervision_overdue:
                continue
            _save(appeal, appeal.version, supervision_overdue=True)
            _event(appeal, A.SUPERVISION_OVERDUE, P.SYSTEM, None, appeal.status, appeal.status, at, text="超过督办期限")
            written += 1
    return written


# ---------------------------------------------------------------- routing rules (console)


def _require_province(actor: Any, action: str) -> None:
    roots = Organization.objects.filter(parent__isnull=True, status=OrgStatus.ACTIVE)
    if not any(can(actor, action, root) for root in roots):
        raise Forbidden("只有省级管理员可以修改分派规则")


@transaction.atomic
def routing_rule_create(
    *,
    actor: Any,
    target: str,
    category: Category | None = None,
    region: Region | None = None,
    organization_id: int | None = None,
    priority: int = 50,
    note: str = "",
) -> RoutingRule:
    """A new routing rule; province only (appeal.routing on the root). A fixed-organisation rule names an
    existing active organisation (else ValidationFailed on `organization`)."""
    _require_province(actor, "appeal.routing")
    organization = None
    if organization_id:
        organization = Organization.objects.filter(pk=organization_id, status=OrgStatus.ACTIVE).first()
        if organization is None:
            raise field_error("organization", "组织不存在", "organization_unknown")
    rule = RoutingRule(
        target=target,
        category=category,
        region=region,
        organization=organization,
        priority=priority,
        note=(note or "").strip(),
    )
    full_clean_or_raise(rule)
    rule.save()
    return rule


@transaction.atomic
def routing_rule_set_active(*, actor: Any, rule_id: int, active: bool) -> RoutingRule:
    _require_province(actor, "appeal.routing")
    rule = RoutingRule.objects.select_for_update(of=("self",)).filter(pk=rule_id).first()
    if rule is None:
        raise NotFound("规则不存在")
    rule.active = active
    rule.save(update_fields=["active"])
    return rule
