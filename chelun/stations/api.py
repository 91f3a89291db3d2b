"""暖心之家 stations. Thin: resolve inputs, call selectors/services, return schemas.

- Public (no account needed, `auth=None`): the directory, a station's page with its forecast and feedback, near-me
  and along-route search, the corridor picker, and the driver's one-tap status, check-in and feedback. A driver who
  is signed in (bearer token or session) acts under the account; otherwise under the device id (`X-Device-Id`
  header or the `chelun_device` cookie).
- Console (signed in): live status, feedback replies, check-in and funding figures, costs and subsidies, corridor
  gaps. A console object outside the caller's scope answers 404 exactly like a missing id; a station id named in a
  filter that the caller cannot see is a 422 on that field.
"""

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Query, Router, Status
from ninja.errors import AuthenticationError
from ninja.pagination import paginate
from ninja.utils import check_csrf

from chelun.accounts.auth import BearerToken
from chelun.core.api import actor_of, client_address, region_by_code
from chelun.core.errors import Forbidden, NotFound, field_error
from chelun.core.geo import GeoInputError, decode_polyline_array, gcj02_to_wgs84, parse_geojson_linestring
from chelun.core.models import Region, RegionLevel
from chelun.core.schemas import READ_ERRORS, WRITE_ERRORS, ErrorOut, Pagination
from chelun.orgs.access import access_organization_by_id
from chelun.stations import selectors, services
from chelun.stations.access import (
    access_public_station_by_id,
    access_station_by_id,
    access_station_funding_by_id,
    can_manage_station,
)
from chelun.stations.choices import CheckInService, CostCategory
from chelun.stations.corridors import corridors
from chelun.stations.models import Station
from chelun.stations.schemas import (
    MAX_ROUTE_POINTS,
    AlongRouteIn,
    AlongRouteOut,
    CheckinCountsOut,
    CheckinIn,
    CheckinOut,
    CheckinPeriodIn,
    ConfirmIn,
    ConfirmOut,
    ConsoleFeedbackFilterIn,
    ConsoleFeedbackOut,
    ConsoleStationDetailOut,
    ConsoleStationFilterIn,
    ConsoleStationOut,
    CorridorGapOut,
    CorridorOut,
    CorridorTownOut,
    CostIn,
    CostOut,
    DriversOut,
    FeedbackCreatedOut,
    FeedbackIn,
    ForecastOut,
    FundingOut,
    FundingRowOut,
    LiveOut,
    NearOut,
    NearQueryIn,
    PeriodIn,
    ReplyIn,
    StationCreateIn,
    StationDetailOut,
    StationFilterIn,
    StationOut,
    StationUpdateIn,
    StatusIn,
    StatusOut,
    SubsidyIn,
    SubsidyOut,
)
from chelun.stations.search.cards import along_route_json, near_json

router = Router(tags=["暖心之家"])

PUBLIC_READ_ERRORS: dict[int, type[ErrorOut]] = {404: ErrorOut, 422: ErrorOut}
PUBLIC_WRITE_ERRORS: dict[int, type[ErrorOut]] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    422: ErrorOut,
    429: ErrorOut,
}
DEVICE_HEADER = "X-Device-Id"
DEVICE_COOKIE = "chelun_device"
MAX_DEVICE_ID = 128
ARRIVAL_RANGE = dt.timedelta(days=30)
MAX_COUNT_DAYS = 366


# ---------------------------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------------------------


def visitor_of(request: HttpRequest) -> Any:
    """Who acts on a public endpoint: the bearer token's user (a bad token is a 401, not silently anonymous), else
    the signed-in session user, else None. A session write must pass the CSRF check, as on any session endpoint,
    so another site cannot post check-ins or feedback in a signed-in driver's name."""
    if request.headers.get("Authorization"):
        user = BearerToken()(request)
        if not user:
            raise AuthenticationError()
        return user
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    if request.method not in ("GET", "HEAD", "OPTIONS") and check_csrf(request) is not None:
        raise Forbidden("CSRF 校验失败，请刷新页面后重试", "csrf_failed")
    return user


def device_id_of(request: HttpRequest) -> str:
    """The anonymous device's id: the X-Device-Id header, else the chelun_device cookie ('' when neither)."""
    device = (request.headers.get(DEVICE_HEADER) or request.COOKIES.get(DEVICE_COOKIE) or "").strip()
    if len(device) > MAX_DEVICE_ID:
        raise field_error("device_id", f"设备标识过长（最多 {MAX_DEVICE_ID} 个字符）", "device_id_invalid")
    return device


def _amenities(values: list[str]) -> tuple[str, ...]:
    """Repeated (?amenities=a&amenities=b) or comma-separated; unknown codes are refused by the selector."""
    return tuple(part.strip() for value in values for part in value.split(",") if part.strip())


def _station_filter(filters: Any, *, open_now: bool = False) -> selectors.StationFilter:
    region = region_by_code(filters.region, field="region").code if filters.region else ""
    return selectors.StationFilter(
        amenities=selectors.clean_amenity_filter(_amenities(filters.amenities)),
        kind=filters.kind or "",
        region_code=region,
        q=filters.q.strip(),
        open_now=open_now,
        corridor=filters.corridor.strip().upper(),
    )


def station_ref(actor: Any, station_id: int, *, field: str) -> Station:
    """The station a filter names, if the caller sees it in the console; otherwise a 422 on that field (the same
    answer for a missing id and one outside scope)."""
    try:
        return access_station_by_id(actor=actor, station_id=station_id)
    except NotFound:
        raise field_error(field, "站点不存在", "unknown_station") from None


def _check_period(start: dt.date, end: dt.date, *, max_days: int | None = None) -> None:
    if start > end:
        raise field_error("start", "开始日期不能晚于结束日期", "period_invalid")
    if max_days is not None and (end - start).days + 1 > max_days:
        raise field_error("end", f"统计区间最长 {max_days} 天", "period_too_long")


def _throttle(request: HttpRequest, kind: str, visitor: Any, device_id: str) -> None:
    """The public writes' rate limit (services.public_write_throttle): 429 past it, nothing written."""
    services.public_write_throttle(kind=kind, user=visitor, device_id=device_id, address=client_address(request))


def _aware(moment: dt.datetime) -> dt.datetime:
    """A datetime without an offset is Beijing time (the platform's zone), as drivers' apps usually send it."""
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


def _live_out(station: Station) -> LiveOut:
    station.refresh_from_db()
    return LiveOut.of(station, selectors.station_live_status(station))


def _json(body: str) -> HttpResponse:
    """A response already written as its schema would write it (search results come from cached cards)."""
    return HttpResponse(body, content_type="application/json; charset=utf-8")


# ---------------------------------------------------------------------------------------------------------------
# Public: directory and search. Fixed paths first: "/near" must not be taken for a station id.
# ---------------------------------------------------------------------------------------------------------------


@router.get("/", auth=None, response={200: list[StationOut], **PUBLIC_READ_ERRORS}, summary="站点名录（公开）")
@paginate(Pagination)
def station_list(request: HttpRequest, filters: Query[StationFilterIn]) -> Any:
    # Only the page is read; each station's live status is computed as it is written (schemas.live_of).
    return selectors.station_public_list(filters=_station_filter(filters, open_now=filters.open_now))


@router.get("/near", auth=None, response={200: NearOut, **PUBLIC_READ_ERRORS}, summary="附近的站点（公开）")
def station_near(request: HttpRequest, query: Query[NearQueryIn]) -> Any:
    results = selectors.station_search_near(
        lon=query.lon,
        lat=query.lat,
        radius_km=query.radius_km,
        coord_system=query.coord_system,
        filters=selectors.StationFilter(
            amenities=_amenities(query.amenities), kind=query.kind or "", open_now=query.open_now
        ),
        limit=query.limit,
        now=timezone.now(),
    )
    return _json(near_json(results))


def _route_points(payload: AlongRouteIn) -> selectors.RoutePoints | None:
    """The route's points from the polyline or the GeoJSON; None for a named corridor. Exactly one must be given."""
    given = [name for name in ("polyline", "geojson", "corridor") if getattr(payload, name) is not None]
    if not given:
        raise field_error("route", "请提供路线：polyline、geojson 或 corridor", "route_required")
    if len(given) > 1:
        raise field_error("route", "polyline、geojson、corridor 只能提供一种", "route_ambiguous")
    field = given[0]
    if field == "corridor":
        return None
    try:
        if payload.polyline is not None:
            points: selectors.RoutePoints = decode_polyline_array(payload.polyline, payload.precision)
        else:
            points = parse_geojson_linestring(payload.geojson)
    except GeoInputError as exc:
        raise field_error(field, exc.message, exc.code) from exc
    if len(points) > MAX_ROUTE_POINTS:
        raise field_error(field, f"路线点过多（最多 {MAX_ROUTE_POINTS} 个），请先抽稀", "route_too_long")
    return points


@router.post(
    "/along-route",
    auth=None,
    response={200: AlongRouteOut, **PUBLIC_READ_ERRORS},
    summary="沿途站点（公开）：按前方里程排序，含到达时间、绕行和到达时的车位预测",
)
def station_along_route(request: HttpRequest, payload: AlongRouteIn) -> Any:
    now = timezone.now()
    options: dict[str, Any] = {
        "coord_system": payload.coord_system,
        "cumulative_seconds": payload.durations,
        "position": payload.position,
        "expressway_corridor_m": payload.expressway_corridor_m,
        "offroad_corridor_m": payload.offroad_corridor_m,
        "min_hours_ahead": payload.min_hours,
        "max_hours_ahead": payload.max_hours,
        "sleep_tonight": payload.sleep_tonight,
        "filters": selectors.StationFilter(
            amenities=_amenities(payload.amenities), kind=payload.kind or "", open_now=payload.open_now
        ),
    }
    points = _route_points(payload)
    if points is None and payload.corridor is not None:
        corridor = payload.corridor
        query = selectors.corridor_route_query(
            corridor=corridor.ref.strip().upper(), from_code=corridor.from_code, to_code=corridor.to_code, **options
        )
    else:
        query = selectors.RouteQuery(points=points if points is not None else [], **options)
    page = selectors.station_search_along_route_page(
        query=query, now=now, offset=(payload.page - 1) * payload.page_size, limit=payload.page_size
    )
    forecasts = selectors.station_forecasts(targets=[(r.station, r.eta) for r in page.results if r.eta is not None])
    return _json(along_route_json(page.results, forecasts, count=page.total))


@router.get("/corridors", auth=None, response={200: list[CorridorOut]}, summary="命名线路及沿线城镇（选择器用）")
def corridor_list(request: HttpRequest) -> Any:
    return [
        CorridorOut(ref=c.ref, name=c.name, towns=[CorridorTownOut(code=town.code, name=town.name) for town in c.towns])
        for c in corridors().values()
    ]


# ---------------------------------------------------------------------------------------------------------------
# Console
# ---------------------------------------------------------------------------------------------------------------


@router.get("/console/stations", response={200: list[ConsoleStationOut], **READ_ERRORS}, summary="站点管理列表")
@paginate(Pagination)
def console_station_list(request: HttpRequest, filters: Query[ConsoleStationFilterIn]) -> Any:
    return selectors.station_console_list(
        actor=actor_of(request), filters=_station_filter(filters), managed_only=filters.managed_only
    ).prefetch_related("amenities", "prices")


@router.get(
    "/console/stations/{station_id}", response={200: ConsoleStationDetailOut, **READ_ERRORS}, summary="站点管理详情"
)
def console_station_detail(request: HttpRequest, station_id: int) -> Any:
    actor = actor_of(request)
    station = access_station_by_id(actor=actor, station_id=station_id)
    station.can_manage = can_manage_station(actor, station)  # type: ignore[attr-defined]
    return station


def _wgs84(lon: float, lat: float, coord_system: str) -> tuple[float, float]:
    """A point as stored (WGS-84). Whether it lies in China is the service's check (one message for both)."""
    return gcj02_to_wgs84(lon, lat) if coord_system == "gcj02" else (lon, lat)


def _county(code: str) -> Region:
    """The county a station sits in, by its code: unknown codes and prefectures or the province are a 422."""
    region = region_by_code(code, field="region")
    if region.level != RegionLevel.COUNTY:
        raise field_error("region", f"请填写区县的行政区划代码（{code} 是{region.name}）", "region_not_county")
    return region


def _console_station_out(actor: Any, station: Station) -> Station:
    station.can_manage = can_manage_station(actor, station)  # type: ignore[attr-defined]
    return station


@router.post(
    "/console/stations",
    response={201: ConsoleStationDetailOut, **WRITE_ERRORS},
    summary="登记站点（须有运营组织的 station.change 权限；gcj02 坐标换算为 WGS-84 保存）",
)
def console_station_create(request: HttpRequest, payload: StationCreateIn) -> Any:
    actor = actor_of(request)
    try:
        organization = access_organization_by_id(actor=actor, organization_id=payload.organization_id)
    except NotFound:
        raise field_error("organization_id", "组织不存在", "unknown_organization") from None
    fields = payload.model_dump(exclude={"organization_id", "region", "lon", "lat", "coord_system", "amenities"})
    lon, lat = _wgs84(payload.lon, payload.lat, payload.coord_system)
    station = services.station_create(
        actor=actor,
        organization=organization,
        region=_county(payload.region),
        amenities=payload.amenities,
        lon=lon,
        lat=lat,
        **fields,
    )
    return Status(201, _console_station_out(actor, station))


@router.patch(
    "/console/stations/{station_id}",
    response={200: ConsoleStationDetailOut, **WRITE_ERRORS},
    summary="修改站点信息（站长改本人负责的站点，管理员改辖区内的；version 过期返回 409）",
)
def console_station_update(request: HttpRequest, station_id: int, payload: StationUpdateIn) -> Any:
    actor = actor_of(request)
    station = access_station_by_id(actor=actor, station_id=station_id, manage=True)
    changes = payload.model_dump(exclude_unset=True, exclude={"version", "amenities", "coord_system", "lon", "lat"})
    if (payload.lon is None) != (payload.lat is None):
        raise field_error("lon", "经度和纬度需同时提供", "point_incomplete")
    if payload.lon is not None and payload.lat is not None:
        changes["lon"], changes["lat"] = _wgs84(payload.lon, payload.lat, payload.coord_system)
    if "region" in changes:
        changes["region"] = _county(payload.region or "")
    station = services.station_update(
        actor=actor, station=station, expected_version=payload.version, amenities=payload.amenities, **changes
    )
    return _console_station_out(actor, station)


@router.get(
    "/console/feedback",
    response={200: list[ConsoleFeedbackOut], **READ_ERRORS},
    summary="反馈处理列表（本人负责的站点，及所辖范围内已上报的）",
)
@paginate(Pagination)
def console_feedback_list(request: HttpRequest, filters: Query[ConsoleFeedbackFilterIn]) -> Any:
    actor = actor_of(request)
    station = station_ref(actor, filters.station, field="station") if filters.station is not None else None
    return selectors.feedback_console_list(actor=actor, status=filters.status or "", station=station)


@router.get("/console/checkins", response={200: CheckinCountsOut, **READ_ERRORS}, summary="签到统计")
def console_checkins(request: HttpRequest, period: Query[CheckinPeriodIn]) -> Any:
    actor = actor_of(request)
    _check_period(period.start, period.end, max_days=MAX_COUNT_DAYS)
    station = station_ref(actor, period.station, field="station") if period.station is not None else None
    counts = selectors.checkin_counts(actor=actor, start=period.start, end=period.end, station=station)
    names = dict(
        selectors.station_console_list(actor=actor).filter(pk__in=list(counts["by_station"])).values_list("id", "name")
    )
    labels = dict(CheckInService.choices)
    service_order = {value: i for i, value in enumerate(CheckInService.values)}
    return {
        "start": period.start,
        "end": period.end,
        "total": counts["total"],
        "by_station": sorted(
            ({"station_id": pk, "name": names.get(pk, ""), "count": n} for pk, n in counts["by_station"].items()),
            key=lambda row: (-row["count"], row["station_id"]),
        ),
        "by_day": sorted(
            ({"date": dt.date.fromisoformat(str(day)), "count": n} for day, n in counts["by_day"].items()),
            key=lambda row: row["date"],
        ),
        "by_service": sorted(
            (
                {"service": service, "label": str(labels.get(service, service)), "count": n}
                for service, n in counts["by_service"].items()
            ),
            key=lambda row: (service_order.get(row["service"], len(service_order)), row["service"]),
        ),
    }


def _funding_row(row: selectors.FundingRow) -> FundingRowOut:
    return FundingRowOut(
        key=row.key,
        name=row.name,
        cost_fen=row.cost_fen,
        subsidy_fen=row.subsidy_fen,
        by_source=row.by_source,  # type: ignore[arg-type]
        ratio=round(row.ratio, 4) if row.ratio is not None else None,
        below_target=row.below_target,
    )


@router.get(
    "/console/funding",
    response={200: FundingOut, **READ_ERRORS},
    summary="经费保障：成本与四方补贴（按站点、地市、合计；金额为分）",
)
def console_funding(request: HttpRequest, period: Query[PeriodIn]) -> Any:
    _check_period(period.start, period.end)
    report = selectors.funding_report(actor=actor_of(request), start=period.start, end=period.end)
    return FundingOut(
        start=report.start,
        end=report.end,
        target_ratio=selectors.SUBSIDY_TARGET,
        stations=[_funding_row(row) for row in report.stations],
        cities=[_funding_row(row) for row in report.cities],
        total=_funding_row(report.total),
    )


@router.get(
    "/console/gaps",
    response={200: list[CorridorGapOut], **READ_ERRORS},
    summary="线路空白：各线路最长的无站点路段（按公开的运营站点计算）",
)
def console_gaps(request: HttpRequest) -> Any:
    return selectors.corridor_gaps()


@router.post("/feedback/{feedback_id}/reply", response={200: ConsoleFeedbackOut, **WRITE_ERRORS}, summary="答复反馈")
def feedback_reply(request: HttpRequest, feedback_id: int, payload: ReplyIn) -> Any:
    actor = actor_of(request)
    # The console list is the one rule for which feedback a user may see; anything else is missing.
    feedback = selectors.feedback_console_list(actor=actor).filter(pk=feedback_id).first()
    if feedback is None:
        raise NotFound("反馈不存在")
    return services.feedback_reply(actor=actor, feedback=feedback, reply=payload.reply)


@router.post(
    "/feedback/{feedback_id}/spam",
    response={200: ConsoleFeedbackOut, **WRITE_ERRORS},
    summary="标为垃圾信息（待答复的反馈；答复期限停止计算，站点页不再显示）",
)
def feedback_spam(request: HttpRequest, feedback_id: int) -> Any:
    actor = actor_of(request)
    feedback = selectors.feedback_console_list(actor=actor).filter(pk=feedback_id).first()
    if feedback is None:
        raise NotFound("反馈不存在")
    return services.feedback_mark_spam(actor=actor, feedback=feedback)


# ---------------------------------------------------------------------------------------------------------------
# One station
# ---------------------------------------------------------------------------------------------------------------


@router.get(
    "/{station_id}",
    auth=None,
    response={200: StationDetailOut, **PUBLIC_READ_ERRORS},
    summary="站点详情（公开）：实时状态、价格、评价；带 arrive_at 时给出到达时的车位预测",
)
def station_detail(request: HttpRequest, station_id: int, arrive_at: dt.datetime | None = None) -> Any:
    station = access_public_station_by_id(station_id=station_id)
    now = timezone.now()
    station.live_now = selectors.station_live_status(station, now=now)  # type: ignore[attr-defined]
    if arrive_at is not None:
        arrive_at = _aware(arrive_at)
        if abs(arrive_at - now) > ARRIVAL_RANGE:
            raise field_error("arrive_at", "到达时间应在前后 30 天以内", "arrive_at_out_of_range")
        forecast = selectors.station_forecast(station, at=arrive_at)
        station.forecast_out = ForecastOut.of(forecast, arrive_at)  # type: ignore[attr-defined]
    station.feedback_summary = selectors.feedback_public_summary(station=station)  # type: ignore[attr-defined]
    station.drivers_out = DriversOut.of(selectors.station_trust(station.pk, now=now).drivers)  # type: ignore[attr-defined]
    return station


@router.post(
    "/{station_id}/status",
    response={200: StatusOut, **WRITE_ERRORS},
    summary="站长上报：是否开放、空余货车位",
)
def station_status(request: HttpRequest, station_id: int, payload: StatusIn) -> Any:
    actor = actor_of(request)
    station = access_station_by_id(actor=actor, station_id=station_id, manage=True)
    report = services.station_status_set(
        actor=actor, station=station, is_open=payload.is_open, free_spaces=payload.free_spaces
    )
    return StatusOut(
        report_id=report.pk,
        is_open=payload.is_open,
        free_spaces=report.free_spaces,
        level=report.level or None,  # type: ignore[arg-type]
        observed_at=report.observed_at,
        live=_live_out(station),
    )


@router.post(
    "/{station_id}/confirm",
    auth=None,
    response={200: ConfirmOut, **PUBLIC_WRITE_ERRORS},
    summary="司机一键确认车位：多 / 少 / 满（同一账号或设备每站 5 分钟一次）",
)
def station_confirm(request: HttpRequest, station_id: int, payload: ConfirmIn) -> Any:
    station = access_public_station_by_id(station_id=station_id)
    visitor, device_id = visitor_of(request), device_id_of(request)
    _throttle(request, "confirm", visitor, device_id)
    report = services.station_status_confirm_limited(
        actor=visitor, station=station, level=payload.level, device_id=device_id
    )
    return ConfirmOut(
        report_id=report.pk,
        level=payload.level,
        observed_at=report.observed_at,
        live=_live_out(station),
        drivers=DriversOut.of(selectors.station_trust(station.pk, now=report.observed_at).drivers),
    )


@router.post(
    "/{station_id}/checkins",
    auth=None,
    response={201: CheckinOut, 200: CheckinOut, **PUBLIC_WRITE_ERRORS},
    summary="签到（10 分钟内重复签到只记一次，返回 200 与 created=false）",
)
def station_checkin(request: HttpRequest, station_id: int, payload: CheckinIn) -> Any:
    station = access_public_station_by_id(station_id=station_id)
    visitor, device_id = visitor_of(request), device_id_of(request)
    _throttle(request, "checkin", visitor, device_id)
    checkin, created = services.checkin_record(
        station=station,
        user=visitor,
        device_id=device_id,
        services=payload.services,
        at=services.late_checkin_time(payload.at),
    )
    body = CheckinOut(
        id=checkin.pk,
        created=created,
        services=checkin.services,  # type: ignore[arg-type]
        created_at=checkin.created_at,
    )
    return Status(201 if created else 200, body)


@router.post(
    "/{station_id}/feedback",
    auth=None,
    response={201: FeedbackCreatedOut, **PUBLIC_WRITE_ERRORS},
    summary="评价与问题反馈（站点须在 24 小时内答复）",
)
def station_feedback(request: HttpRequest, station_id: int, payload: FeedbackIn) -> Any:
    station = access_public_station_by_id(station_id=station_id)
    visitor = visitor_of(request)
    _throttle(request, "feedback", visitor, device_id_of(request))
    feedback = services.feedback_create(
        station=station,
        user=visitor,
        rating=payload.rating,
        issues=payload.issues,
        text=payload.text,
        device_id=device_id_of(request),
    )
    return Status(201, feedback)


@router.post(
    "/{station_id}/costs",
    response={200: CostOut, **WRITE_ERRORS},
    summary="填报某月运营成本（须有站点所属组织的 funding.change 权限；按类别，金额为分；替换当月数字）",
)
def station_costs(request: HttpRequest, station_id: int, payload: CostIn) -> Any:
    actor = actor_of(request)
    station = access_station_funding_by_id(actor=actor, station_id=station_id, change=True)
    reports = services.cost_report_set(
        actor=actor, station=station, month=payload.month, amounts_fen=payload.amounts_fen
    )
    order = {value: i for i, value in enumerate(CostCategory.values)}
    reports.sort(key=lambda r: order[r.category])
    return CostOut(
        station_id=station.pk,
        month=services.month_start(payload.month),
        items=reports,  # type: ignore[arg-type]
        total_fen=sum(r.amount_fen for r in reports),
    )


@router.post(
    "/{station_id}/subsidies",
    response={201: SubsidyOut, **WRITE_ERRORS},
    summary="登记补贴（记入平衡的分类账；同一用户以同一幂等键重复提交，答复与第一次相同，不重复记账）",
)
def station_subsidy(request: HttpRequest, station_id: int, payload: SubsidyIn) -> Any:
    actor = actor_of(request)
    station = access_station_funding_by_id(actor=actor, station_id=station_id, change=True)
    contribution, _ = services.subsidy_record_once(
        actor=actor,
        station=station,
        month=payload.month,
        source=payload.source,
        amount_fen=payload.amount_fen,
        idempotency_key=payload.idempotency_key,
    )
    # A replay answers exactly as the first post did (status and body), so a client retrying after a lost answer,
    # or racing itself, cannot tell them apart and never sees two "created" answers mean different things.
    return Status(201, contribution)
