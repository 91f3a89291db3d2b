"""The driver service desk (急难愁盼). Thin: resolve inputs, call selectors/services, return schemas.

- Driver (signed in): categories, submit (JSON; photos are sent from the page), my appeals with their steps,
  confirm with a rating, reopen. Someone else's appeal is a 404.
- Staff: the queue within scope, detail with internal notes, the steps (accept, start, resolve, transfer,
  merge, note, close), supervision (province), the routing preview and statistics. Out of scope: 404.
"""

from typing import Any, Literal

from django.http import HttpRequest
from ninja import Query, Router, Status
from ninja.pagination import paginate

from chelun.appeals import selectors, services
from chelun.appeals.access import access_appeal_by_id, access_own_appeal_by_id
from chelun.appeals.models import Appeal, Category
from chelun.appeals.schemas import (
    AppealDetailOut,
    AppealIn,
    AppealOut,
    CategoryOut,
    ConfirmIn,
    EventOut,
    MergeIn,
    QueueFilter,
    ReasonIn,
    ResolveIn,
    RoutePreviewOut,
    StatOut,
    SuperviseIn,
    TextIn,
    TransferIn,
)
from chelun.core.api import actor_of, region_by_code
from chelun.core.errors import field_error
from chelun.core.schemas import READ_ERRORS, WRITE_ERRORS, Pagination

router = Router(tags=["急难愁盼"])


def _category(code: str) -> Category:
    found = selectors.categories().filter(code=code).first()
    if found is None:
        raise field_error("category", f"未知的诉求类别：{code}", "unknown_category")
    return found


def _out(appeal: Appeal, reporter: str) -> dict[str, Any]:
    return {
        "id": appeal.pk,
        "number": appeal.number,
        "category": appeal.category.code,
        "status": appeal.status,
        "status_label": appeal.get_status_display(),
        "owner": appeal.owner.name,
        "region": appeal.region.code if appeal.region_id and appeal.region else None,
        "submitted_at": appeal.submitted_at,
        "ack_due_at": appeal.ack_due_at,
        "resolve_due_at": appeal.resolve_due_at,
        "escalation_level": appeal.escalation_level,
        "supervised": appeal.supervised,
        "rating": appeal.rating,
        "reporter": reporter,
    }


def _detail(appeal: Appeal, reporter: str, *, for_driver: bool) -> dict[str, Any]:
    confidential = appeal.category.confidential
    events = [
        EventOut(
            action=e.action,
            action_label=e.get_action_display(),
            by=selectors.event_actor_label(e, confidential=confidential),
            from_status=e.from_status,
            to_status=e.to_status,
            organization=e.organization.name if e.organization else None,
            text=e.text,
            internal=e.internal,
            at=e.at,
        )
        for e in selectors.appeal_history(appeal=appeal, for_driver=for_driver)
    ]
    return {
        **_out(appeal, reporter),
        "description": appeal.description,
        "resolution": appeal.resolution,
        "money_recovered_fen": appeal.money_recovered_fen,
        "events": events,
    }


@router.get("/categories", response={200: list[CategoryOut], **READ_ERRORS}, summary="诉求类别")
def category_list(request: HttpRequest) -> Any:
    return list(selectors.categories())


@router.post("/mine", response={201: AppealDetailOut, **WRITE_ERRORS}, summary="司机提交诉求")
def appeal_create(request: HttpRequest, payload: AppealIn) -> Any:
    actor = actor_of(request)
    region = region_by_code(payload.region, field="region") if payload.region else None
    appeal = services.appeal_submit(
        actor=actor,
        category=_category(payload.category),
        description=payload.description,
        region=region,
        lon=payload.lon,
        lat=payload.lat,
        place_text=payload.place_text,
        station_id=payload.station_id,
        contact=payload.contact,
    )
    return Status(201, _detail(appeal, "本人", for_driver=True))


@router.get("/mine", response={200: list[AppealOut], **READ_ERRORS}, summary="我的诉求")
@paginate(Pagination)
def my_list(request: HttpRequest) -> Any:
    return [_out(a, "本人") for a in selectors.appeal_driver_list(actor=actor_of(request))]


@router.get("/mine/{appeal_id}", response={200: AppealDetailOut, **READ_ERRORS}, summary="我的诉求详情与办理进度")
def my_detail(request: HttpRequest, appeal_id: int) -> Any:
    appeal = access_own_appeal_by_id(actor=actor_of(request), appeal_id=appeal_id)
    return _detail(appeal, "本人", for_driver=True)


@router.post("/mine/{appeal_id}/confirm", response={200: AppealDetailOut, **WRITE_ERRORS}, summary="确认并评价")
def my_confirm(request: HttpRequest, appeal_id: int, payload: ConfirmIn) -> Any:
    actor = actor_of(request)
    appeal = services.appeal_confirm(actor=actor, appeal_id=appeal_id, rating=payload.rating, comment=payload.comment)
    return _detail(appeal, "本人", for_driver=True)


@router.post(
    "/mine/{appeal_id}/reopen", response={200: AppealDetailOut, **WRITE_ERRORS}, summary="问题未解决，重新打开"
)
def my_reopen(request: HttpRequest, appeal_id: int, payload: ReasonIn) -> Any:
    appeal = services.appeal_reopen(actor=actor_of(request), appeal_id=appeal_id, reason=payload.reason)
    return _detail(appeal, "本人", for_driver=True)


@router.get("/queue", response={200: list[AppealOut], **READ_ERRORS}, summary="诉求工单（本人管理范围内）")
@paginate(Pagination)
def queue(request: HttpRequest, filters: Query[QueueFilter]) -> Any:
    region = region_by_code(filters.region, field="region") if filters.region else None
    category = _category(filters.category) if filters.category else None
    f = selectors.AppealFilter(
        status=filters.status,
        category_id=category.pk if category else None,
        region_id=region.pk if region else None,
        overdue=filters.overdue,
        escalated=filters.escalated,
        supervised=filters.supervised,
    )
    return [
        _out(a, selectors.list_reporter_label(a)) for a in selectors.appeal_queue(actor=actor_of(request), filters=f)
    ]


@router.get("/route-preview", response={200: RoutePreviewOut, **READ_ERRORS}, summary="分派预览：这条诉求会到哪里")
def route_preview(request: HttpRequest, category: str, region: str = "", station_id: int | None = None) -> Any:
    found = region_by_code(region, field="region") if region else None
    route = services.appeal_route(category=_category(category), region=found, station_id=station_id)
    return {
        "organization_id": route.organization.pk,
        "organization": route.organization.name,
        "rule_id": route.rule.pk if route.rule else None,
        "explanation": route.explanation,
    }


@router.get("/statistics", response={200: list[StatOut], **READ_ERRORS}, summary="诉求统计（本人管理范围内）")
def statistics(request: HttpRequest, group: Literal["category", "owner", "region"] = "category") -> Any:
    rows = selectors.appeal_statistics(actor=actor_of(request), group=group)
    return [
        {
            "label": r.label,
            "total": r.total,
            "ack_on_time_pct": r.ack_rate,
            "resolve_on_time_pct": r.resolve_rate,
            "rating_avg": r.rating_avg,
            "reopen_pct": r.reopen_rate,
            "money_recovered_fen": r.money_fen,
        }
        for r in rows
    ]


@router.get("/{appeal_id}", response={200: AppealDetailOut, **READ_ERRORS}, summary="诉求详情（含内部备注）")
def detail(request: HttpRequest, appeal_id: int) -> Any:
    actor = actor_of(request)
    appeal = access_appeal_by_id(actor=actor, appeal_id=appeal_id)
    return _detail(appeal, selectors.reporter_label(actor=actor, appeal=appeal), for_driver=False)


def _staff_answer(request: HttpRequest, appeal_id: int) -> Any:
    actor = actor_of(request)
    appeal = access_appeal_by_id(actor=actor, appeal_id=appeal_id)
    return _detail(appeal, selectors.reporter_label(actor=actor, appeal=appeal), for_driver=False)


@router.post("/{appeal_id}/accept", response={200: AppealDetailOut, **WRITE_ERRORS}, summary="受理")
def accept(request: HttpRequest, appeal_id: int) -> Any:
    services.appeal_accept(actor=actor_of(request), appeal_id=appeal_id)
    return _staff_answer(request, appeal_id)


@router.post("/{appeal_id}/start", response={200: AppealDetailOut, **WRITE_ERRORS}, summary="开始办理")
def start(request: HttpRequest, appeal_id: int, payload: TextIn) -> Any:
    services.appeal_start(actor=actor_of(request), appeal_id=appeal_id, text=payload.text)
    return _staff_answer(request, appeal_id)


@router.post("/{appeal_id}/resolve", response={200: AppealDetailOut, **WRITE_ERRORS}, summary="办结")
def resolve(request: HttpRequest, appeal_id: int, payload: ResolveIn) -> Any:
    services.appeal_resolve(
        actor=actor_of(request),
        appeal_id=appeal_id,
        resolution=payload.resolution,
        money_recovered_fen=payload.money_recovered_fen,
    )
    return _staff_answer(request, appeal_id)


@router.post("/{appeal_id}/transfer", response={200: AppealDetailOut, **WRITE_ERRORS}, summary="转办")
def transfer(request: HttpRequest, appeal_id: int, payload: TransferIn) -> Any:
    services.appeal_transfer(
        actor=actor_of(request),
        appeal_id=appeal_id,
        to_organization_id=payload.to_organization_id,
        reason=payload.reason,
    )
    # The new owner is within the actor's appeal.handle scope, so the appeal stays visible to them.
    return _staff_answer(request, appeal_id)


@router.post("/{appeal_id}/merge", response={200: AppealDetailOut, **WRITE_ERRORS}, summary="合并为重复诉求")
def merge(request: HttpRequest, appeal_id: int, payload: MergeIn) -> Any:
    services.appeal_merge(actor=actor_of(request), appeal_id=appeal_id, into_id=payload.into_id, reason=payload.reason)
    return _staff_answer(request, appeal_id)


@router.post("/{appeal_id}/note", response={200: AppealDetailOut, **WRITE_ERRORS}, summary="内部备注")
def note(request: HttpRequest, appeal_id: int, payload: TextIn) -> Any:
    services.appeal_note(actor=actor_of(request), appeal_id=appeal_id, text=payload.text)
    return _staff_answer(request, appeal_id)


@router.post("/{appeal_id}/close", response={200: AppealDetailOut, **WRITE_ERRORS}, summary="关闭")
def close(request: HttpRequest, appeal_id: int) -> Any:
    services.appeal_close(actor=actor_of(request), appeal_id=appeal_id)
    return _staff_answer(request, appeal_id)


@router.post("/{appeal_id}/supervise", response={200: AppealDetailOut, **WRITE_ERRORS}, summary="挂牌督办（省级）")
def supervise(request: HttpRequest, appeal_id: int, payload: SuperviseIn) -> Any:
    services.appeal_supervise(actor=actor_of(request), appeal_id=appeal_id, days=payload.days, reason=payload.reason)
    return _staff_answer(request, appeal_id)
