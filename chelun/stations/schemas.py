"""API schemas for 暖心之家 stations. Enumerations travel as their English values with the Chinese label beside
them; coordinates are WGS-84 (inputs may say `coord_system: gcj02`); money is integer fen, with a yuan string for
display. Schemas shape the rows the selectors read (relations prefetched there); none queries or caches on its own
(the cached station cards are chelun.stations.search.cards)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from django.utils import timezone
from ninja import Field, Schema
from pydantic import FiniteFloat, Strict, field_validator

from chelun.core.bounds import SICHUAN_BOX
from chelun.core.money import yuan_text
from chelun.core.schemas import (
    MAX_COUNT,
    MAX_FEN,
    Count,
    Day,
    Flag,
    Id,
    LocalTime,
    Moment,
    QueryId,
    Text,
    not_null,
)
from chelun.orgs.schemas import OrgBriefOut
from chelun.stations.choices import (
    Amenity,
    CheckInService,
    CostCategory,
    FeedbackIssue,
    FeedbackStatus,
    FundingSource,
    SecurityGrade,
    SpaceLevel,
    StationClass,
    StationKind,
    StationStatus,
    StatusSource,
)
from chelun.stations.forecast import Forecast
from chelun.stations.models import CostReport, Feedback, Station, StationPrice, SubsidyContribution
from chelun.stations.selectors.live import LiveStatus, station_live_status
from chelun.stations.trust import DriverSummary

CoordSystem = Literal["wgs84", "gcj02"]
LiveState = Literal["available", "limited", "full", "closed", "unknown"]


# ---------------------------------------------------------------------------------------------------------------
# Station cards
# ---------------------------------------------------------------------------------------------------------------


class AmenityOut(Schema):
    code: Amenity
    label: str


class PriceOut(Schema):
    service: Amenity
    service_label: str
    price_fen: int
    price_yuan: str = Field(description="如 10.00")
    unit: str = Field(description="计价单位，如 次、晚、份")
    free_by_standard: bool = Field(description="交通运输部规定免费的五项基本服务之一")

    @staticmethod
    def resolve_service_label(obj: StationPrice) -> str:
        return str(obj.get_service_display())

    @staticmethod
    def resolve_price_yuan(obj: StationPrice) -> str:
        return yuan_text(obj.price_fen)


class HoursOut(Schema):
    open_24h: bool
    opens_at: dt.time | None = Field(description="北京时间")
    closes_at: dt.time | None = Field(description="北京时间；早于开门时间表示跨午夜")
    label: str


class LiveOut(Schema):
    """What a driver is told right now. Older than 60 minutes is `unknown`, never `available`."""

    state: LiveState
    label: str
    free_spaces: int | None = Field(description="空余货车位；数据不新鲜或站点关闭时为 null")
    level: SpaceLevel | None
    source: StatusSource | None = Field(description="最近一次状态的来源")
    source_label: str
    observed_at: dt.datetime | None
    age_minutes: int | None
    fresh: bool

    @classmethod
    def of(cls, station: Station, live: LiveStatus) -> LiveOut:
        return cls(
            state=live.state,  # type: ignore[arg-type]
            label=live.label,
            free_spaces=live.free_spaces,
            level=live.level or None,  # type: ignore[arg-type]
            source=station.live_source or None,  # type: ignore[arg-type]
            source_label=live.source,
            observed_at=live.observed_at,
            age_minutes=live.age_minutes,
            fresh=live.fresh,
        )


class DriversOut(Schema):
    """Drivers' recent word beside the headline (the trust rule, chelun.stations.trust)."""

    reporters: int = Field(description="说同一情况的不同司机（账号或设备）数")
    level: SpaceLevel
    minutes: int = Field(description="这些反馈最早一条距今的分钟数")
    agreed: bool = Field(description="是否已达到独立一致，可改变标题状态")
    line: str = Field(description="如“3 位司机 10 分钟内反馈：车位紧张”")

    @classmethod
    def of(cls, summary: DriverSummary | None) -> DriversOut | None:
        if summary is None:
            return None
        return cls(
            reporters=summary.reporters,
            level=summary.level,  # type: ignore[arg-type]
            minutes=summary.minutes,
            agreed=summary.agreed,
            line=summary.line,
        )


def live_of(station: Station) -> LiveOut:
    """The live status the view computed for this response (`live_now`), else as of now."""
    live = getattr(station, "live_now", None) or station_live_status(station)
    return LiveOut.of(station, live)


class StationOut(Schema):
    id: int
    name: str
    kind: StationKind
    kind_label: str
    station_class: StationClass
    status: StationStatus
    status_label: str
    lon: float = Field(description="WGS-84 经度")
    lat: float = Field(description="WGS-84 纬度")
    region_code: str
    region_name: str
    address: str
    corridor_ref: str = Field(description="所在线路，如 G5、G318")
    carriageway: str = Field(description="服务方向，如：往西昌方向")
    contact_phone: str
    truck_spaces: int
    beds: int
    security_grade: SecurityGrade
    security_grade_label: str
    verified_at: dt.datetime | None
    hours: HoursOut
    amenities: list[AmenityOut]
    prices: list[PriceOut]
    live: LiveOut

    @staticmethod
    def resolve_kind_label(obj: Station) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_status_label(obj: Station) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_region_code(obj: Station) -> str:
        return obj.region.code

    @staticmethod
    def resolve_region_name(obj: Station) -> str:
        return obj.region.name

    @staticmethod
    def resolve_security_grade_label(obj: Station) -> str:
        return str(obj.get_security_grade_display())

    @staticmethod
    def resolve_hours(obj: Station) -> HoursOut:
        return HoursOut(open_24h=obj.open_24h, opens_at=obj.opens_at, closes_at=obj.closes_at, label=obj.hours_label)

    @staticmethod
    def resolve_amenities(obj: Station) -> list[AmenityOut]:
        codes = {a.amenity for a in obj.amenities.all()}
        return [AmenityOut(code=a, label=str(a.label)) for a in Amenity if a.value in codes]

    @staticmethod
    def resolve_prices(obj: Station) -> list[StationPrice]:
        order = {value: i for i, value in enumerate(Amenity.values)}
        return sorted(obj.prices.all(), key=lambda p: order.get(p.service, len(order)))

    @staticmethod
    def resolve_live(obj: Station) -> LiveOut:
        return live_of(obj)


class ForecastOut(Schema):
    at: dt.datetime = Field(description="预测的时刻（到达时间）")
    expected_free_fraction: float = Field(description="预计空余比例 0–1")
    expected_free_spaces: int
    confidence: float = Field(description="置信度 0–1：样本越多、越一致越高")
    samples: int = Field(description="近 8 周同一时段（±1 小时）的观测数")

    @classmethod
    def of(cls, forecast: Forecast | None, at: dt.datetime) -> ForecastOut | None:
        if forecast is None:
            return None
        return cls(
            at=at,
            expected_free_fraction=forecast.expected_free_fraction,
            expected_free_spaces=forecast.expected_free_spaces,
            confidence=forecast.confidence,
            samples=forecast.samples,
        )


class PublicFeedbackOut(Schema):
    """Feedback as anyone sees it on the station page (who wrote it is never shown)."""

    id: int
    rating: int
    issues: list[FeedbackIssue]
    issue_labels: list[str]
    text: str
    status: FeedbackStatus
    status_label: str
    created_at: dt.datetime
    reply: str
    replied_at: dt.datetime | None

    @staticmethod
    def resolve_issue_labels(obj: Feedback) -> list[str]:
        labels = dict(FeedbackIssue.choices)
        return [str(labels.get(issue, issue)) for issue in obj.issues]

    @staticmethod
    def resolve_status_label(obj: Feedback) -> str:
        return str(obj.get_status_display())


class FeedbackCreatedOut(PublicFeedbackOut):
    reply_due_at: dt.datetime = Field(description="站点应在此之前答复（24 小时）")


class FeedbackSummaryOut(Schema):
    average_rating: float | None = Field(description="平均评分（保留一位小数）；无评价时为 null")
    count: int
    recent: list[PublicFeedbackOut] = Field(description="最近 5 条，含处理状态和站点答复")


class SecurityOut(Schema):
    cctv: bool
    guards: bool
    lighting: bool
    fence: bool
    grade: SecurityGrade
    grade_label: str


class StationDetailOut(StationOut):
    station_class_label: str
    pair_id: int | None = Field(description="对向服务区的站点 id")
    halves_linked: bool = Field(description="两侧服务区互通")
    security: SecurityOut
    forecast: ForecastOut | None = Field(description="仅当带 ?arrive_at= 时给出；历史数据不足时为 null")
    feedback: FeedbackSummaryOut
    drivers: DriversOut | None = Field(
        description="近 15 分钟司机反馈（实时状态旁显示）；live.source 说明标题数字的来源"
    )

    @staticmethod
    def resolve_station_class_label(obj: Station) -> str:
        return str(obj.get_station_class_display())

    @staticmethod
    def resolve_security(obj: Station) -> SecurityOut:
        return SecurityOut(
            cctv=obj.cctv,
            guards=obj.guards,
            lighting=obj.lighting,
            fence=obj.fence,
            grade=obj.security_grade,  # type: ignore[arg-type]
            grade_label=str(obj.get_security_grade_display()),
        )

    @staticmethod
    def resolve_forecast(obj: Station) -> ForecastOut | None:
        return getattr(obj, "forecast_out", None)

    @staticmethod
    def resolve_drivers(obj: Station) -> DriversOut | None:
        return getattr(obj, "drivers_out", None)

    @staticmethod
    def resolve_feedback(obj: Station) -> Any:
        return obj.feedback_summary  # type: ignore[attr-defined]


# ---------------------------------------------------------------------------------------------------------------
# Directory and search inputs / results
# ---------------------------------------------------------------------------------------------------------------

_AMENITIES_HELP = "设施代码，可重复（?amenities=shower&amenities=laundry）或以逗号分隔；须全部具备"


class _StationFilterBase(Schema):
    amenities: list[str] = Field([], description=_AMENITIES_HELP)
    kind: StationKind | None = None
    region: str = Field("", max_length=6, description="行政区划代码（含下级区划）")
    q: str = Field("", max_length=64, description="按名称或地址搜索")
    corridor: str = Field("", max_length=16, description="所在线路，如 G5")


class StationFilterIn(_StationFilterBase):
    open_now: bool = Field(False, description="只看此刻开放的站点（营业时间、状态、最近的关闭报告）")


class ConsoleStationFilterIn(_StationFilterBase):
    managed_only: bool = Field(False, description="只看本人可管理的站点")


class NearQueryIn(Schema):
    lon: FiniteFloat
    lat: FiniteFloat
    radius_km: FiniteFloat = Field(50.0, description="搜索半径（公里），0 < r ≤ 1000")
    coord_system: CoordSystem = Field("wgs84", description="输入坐标的坐标系；高德/腾讯为 gcj02。结果一律为 WGS-84")
    amenities: list[str] = Field([], description=_AMENITIES_HELP)
    kind: StationKind | None = None
    open_now: bool = False
    limit: int = Field(20, ge=1, le=100)


class CorridorIn(Schema):
    ref: Text = Field(max_length=16, description="线路编号，见 GET /stations/corridors")
    from_code: Text = Field("", max_length=6, description="起点城镇的行政区划代码；默认线路起点")
    to_code: Text = Field("", max_length=6, description="终点城镇的行政区划代码；默认线路终点")


MAX_ROUTE_POINTS = 20_000


class AlongRouteIn(Schema):
    """A route given one of three ways: a Google encoded polyline, a GeoJSON LineString, or a named corridor."""

    polyline: Text | None = Field(None, max_length=400_000, description="Google 编码折线（纬度在前），精度见 precision")
    precision: int = Field(5, strict=True, ge=5, le=6, description="折线精度：5（Google）或 6（OSRM/Valhalla）")
    geojson: dict[str, Any] | None = Field(None, description='GeoJSON LineString：{"type": "LineString", ...}')
    corridor: CorridorIn | None = None
    coord_system: CoordSystem = Field("wgs84", description="路线与位置的坐标系；高德/腾讯为 gcj02")
    durations: list[FiniteFloat] | None = Field(
        None, max_length=MAX_ROUTE_POINTS, description="每个路线点的累计行驶秒数（不递减）；缺省按 70 km/h 估算"
    )
    position: tuple[FiniteFloat, FiniteFloat] | None = Field(
        None, description="司机当前位置 [经度, 纬度]；缺省为路线起点。身后的站点不返回"
    )
    expressway_corridor_m: FiniteFloat = Field(300.0, ge=50, le=2000, description="高速服务区离路线的最大距离（米）")
    offroad_corridor_m: FiniteFloat = Field(
        5000.0, ge=500, le=20000, description="园区、国省道站点离路线的最大距离（米）"
    )
    min_hours: FiniteFloat | None = Field(None, ge=0, le=48, description="休息窗口：至少再开几小时（如 3）")
    max_hours: FiniteFloat | None = Field(None, ge=0, le=48, description="休息窗口：最多再开几小时（如 4）")
    sleep_tonight: Flag = Field(False, description="只看今晚能住宿的：有床位（与站点卡片的“床位”一致）")
    amenities: list[Text] = Field([], description="设施代码；须全部具备")
    kind: StationKind | None = None
    open_now: Flag = False
    # As every list in the API (core.schemas.Pagination): a phone asks for the next stations, then scrolls on.
    page: int = Field(1, strict=True, ge=1, le=1_000_000, description="页码，从 1 开始")
    page_size: int = Field(50, strict=True, ge=1, le=200, description="每页条数，默认 50，最多 200")


class NearItemOut(StationOut):
    distance_km: float = Field(description="直线距离（公里）")

    @staticmethod
    def resolve_distance_km(obj: Station) -> float:
        return obj.search.distance_km  # type: ignore[attr-defined, no-any-return]


class AlongRouteItemOut(StationOut):
    km_ahead: float = Field(description="沿路线距司机当前位置的里程（公里）")
    minutes_ahead: int = Field(description="预计行驶分钟数")
    eta: dt.datetime = Field(description="预计到达时间")
    detour_km: float = Field(description="绕行里程估计（往返），高速服务区为 0")
    detour_minutes: int
    forecast: ForecastOut | None = Field(description="到达时的空余车位预测；历史数据不足时为 null")

    @staticmethod
    def resolve_km_ahead(obj: Station) -> float:
        return obj.search.km_ahead  # type: ignore[attr-defined, no-any-return]

    @staticmethod
    def resolve_minutes_ahead(obj: Station) -> int:
        return round(obj.search.seconds_ahead / 60)  # type: ignore[attr-defined, no-any-return]

    @staticmethod
    def resolve_eta(obj: Station) -> dt.datetime:
        return obj.search.eta  # type: ignore[attr-defined, no-any-return]

    @staticmethod
    def resolve_detour_km(obj: Station) -> float:
        return obj.search.detour_km  # type: ignore[attr-defined, no-any-return]

    @staticmethod
    def resolve_detour_minutes(obj: Station) -> int:
        return int(obj.search.detour_minutes)  # type: ignore[attr-defined]

    @staticmethod
    def resolve_forecast(obj: Station) -> ForecastOut | None:
        return getattr(obj, "forecast_out", None)


class NearOut(Schema):
    items: list[NearItemOut]
    count: int


class AlongRouteOut(Schema):
    items: list[AlongRouteItemOut] = Field(description="按前方里程排序；本页（page、page_size）")
    count: int = Field(description="符合条件的站点总数（各页合计）")


class CorridorTownOut(Schema):
    code: str
    name: str


class CorridorOut(Schema):
    ref: str
    name: str
    towns: list[CorridorTownOut] = Field(description="按线路顺序；from_code / to_code 取其中的 code")


# ---------------------------------------------------------------------------------------------------------------
# Public writes
# ---------------------------------------------------------------------------------------------------------------


class ConfirmIn(Schema):
    level: SpaceLevel = Field(description="plenty 车位多 / some 车位少 / full 已满")


class ConfirmOut(Schema):
    report_id: int
    level: SpaceLevel
    observed_at: dt.datetime
    live: LiveOut
    drivers: DriversOut | None = Field(description="近 15 分钟司机反馈；标题状态仍以站长计数为准，除非司机独立一致")


class StatusIn(Schema):
    is_open: Flag
    # Not Count: below 0 and above the station's spaces are the service's refusals, each with its own code.
    free_spaces: int | None = Field(
        None, strict=True, le=MAX_COUNT, description="空余货车位，0 到总车位；不清楚时可不填"
    )


class StatusOut(Schema):
    report_id: int
    is_open: bool
    free_spaces: int | None
    level: SpaceLevel | None
    observed_at: dt.datetime
    live: LiveOut


class CheckinIn(Schema):
    services: list[Text] = Field([], max_length=len(CheckInService), description="使用的服务代码，如 shower、laundry")
    at: Moment | None = Field(
        None, description="离线时点签到的时间，联网后补交（24 小时内；不带时区按北京时间）；缺省为现在"
    )


class CheckinOut(Schema):
    id: int
    created: bool = Field(description="false：10 分钟内已签到过，本次服务已并入那次签到")
    services: list[CheckInService]
    created_at: dt.datetime


class FeedbackIn(Schema):
    # The range 1..5 and the 1000 characters are the service's checks (rating_invalid, text_too_long); the schema
    # refuses other JSON types (`true` is not 1) and documents the bounds.
    rating: int = Field(strict=True, json_schema_extra={"minimum": 1, "maximum": 5}, description="1 到 5 星")
    issues: list[Text] = Field([], max_length=len(FeedbackIssue), description="问题类型代码，如 charged_free")
    text: Text = Field("", json_schema_extra={"maxLength": 1000}, description="最多 1000 字；选择 other 时必填")


# ---------------------------------------------------------------------------------------------------------------
# Console
# ---------------------------------------------------------------------------------------------------------------


class ConsoleStationOut(StationOut):
    organization: OrgBriefOut = Field(description="运营组织")
    contact_name: str
    version: int
    updated_at: dt.datetime


class ConsoleStationDetailOut(ConsoleStationOut):
    operators: list[str] = Field(description="站长的用户名")
    can_manage: bool = Field(description="本人能否上报状态、答复反馈、填报成本")
    security: SecurityOut

    @staticmethod
    def resolve_operators(obj: Station) -> list[str]:
        return sorted(user.get_username() for user in obj.operators.all())

    @staticmethod
    def resolve_can_manage(obj: Station) -> bool:
        return bool(getattr(obj, "can_manage", False))

    @staticmethod
    def resolve_security(obj: Station) -> SecurityOut:
        return StationDetailOut.resolve_security(obj)


# Sichuan's box is documented here and checked by the service (stations.services._validate_point), after the China
# check, so a point abroad keeps its `outside_china` answer and one elsewhere in China is `outside_sichuan`.
_StationLon = Annotated[
    float,
    Strict(),
    Field(allow_inf_nan=False, json_schema_extra={"minimum": SICHUAN_BOX.west, "maximum": SICHUAN_BOX.east}),
]
_StationLat = Annotated[
    float,
    Strict(),
    Field(allow_inf_nan=False, json_schema_extra={"minimum": SICHUAN_BOX.south, "maximum": SICHUAN_BOX.north}),
]


class StationCreateIn(Schema):
    """A new station. Coordinates in WGS-84, or GCJ-02 (Amap, Tencent) with coord_system; stored as WGS-84."""

    name: Text = Field(min_length=1, max_length=128)
    kind: StationKind
    station_class: StationClass = StationClass.B
    status: StationStatus = StationStatus.OPEN
    organization_id: Id = Field(description="运营组织 id（须在本人 station.change 范围内）")
    region: Text = Field(max_length=6, description="所在区县的行政区划代码")
    lon: _StationLon
    lat: _StationLat
    coord_system: CoordSystem = Field("wgs84", description="输入坐标的坐标系；高德/腾讯为 gcj02。一律存为 WGS-84")
    corridor_ref: Text = Field("", max_length=16, description="所在线路，如 G5")
    carriageway: Text = Field("", max_length=64, description="服务方向，如：往西昌方向")
    address: Text = Field("", max_length=200)
    contact_name: Text = Field("", max_length=32)
    contact_phone: Text = Field("", max_length=20)
    open_24h: Flag = False
    opens_at: LocalTime | None = Field(None, description="北京时间")
    closes_at: LocalTime | None = Field(None, description="北京时间；早于开门时间表示跨午夜")
    truck_spaces: Count = 0
    beds: Count = 0
    cctv: Flag = False
    guards: Flag = False
    lighting: Flag = False
    fence: Flag = False
    amenities: list[Text] = Field([], max_length=len(Amenity), description="设施代码，如 shower、laundry")


class StationUpdateIn(Schema):
    """Change some fields of a station; fields left out stay as they are. `amenities`, when given, replaces the
    whole list. The security grade follows from cctv / guards / lighting / fence."""

    version: Count = Field(description="读取时的 version；其间已被他人修改时返回 409，不做任何修改")
    name: Text | None = Field(None, min_length=1, max_length=128)
    kind: StationKind | None = None
    station_class: StationClass | None = None
    status: StationStatus | None = None
    region: Text | None = Field(None, max_length=6, description="所在区县的行政区划代码")
    lon: _StationLon | None = None
    lat: _StationLat | None = None
    coord_system: CoordSystem = Field("wgs84", description="lon/lat 的坐标系")
    corridor_ref: Text | None = Field(None, max_length=16)
    carriageway: Text | None = Field(None, max_length=64)
    address: Text | None = Field(None, max_length=200)
    contact_name: Text | None = Field(None, max_length=32)
    contact_phone: Text | None = Field(None, max_length=20)
    open_24h: Flag | None = None
    opens_at: LocalTime | None = None
    closes_at: LocalTime | None = None
    truck_spaces: Count | None = None
    beds: Count | None = None
    cctv: Flag | None = None
    guards: Flag | None = None
    lighting: Flag | None = None
    fence: Flag | None = None
    amenities: list[Text] | None = Field(None, max_length=len(Amenity), description="设施代码；给出时替换全部设施")

    # A field may be left out; null only clears the opening hours (a station open around the clock has none).
    _not_null = field_validator(
        "name",
        "kind",
        "station_class",
        "status",
        "region",
        "lon",
        "lat",
        "corridor_ref",
        "carriageway",
        "address",
        "contact_name",
        "contact_phone",
        "open_24h",
        "truck_spaces",
        "beds",
        "cctv",
        "guards",
        "lighting",
        "fence",
        "amenities",
    )(not_null)


class StationBriefOut(Schema):
    id: int
    name: str


class ConsoleFeedbackFilterIn(Schema):
    status: FeedbackStatus | None = None
    station: QueryId | None = Field(None, description="只看该站点（站点 id）")


class ConsoleFeedbackOut(PublicFeedbackOut):
    station: StationBriefOut
    reply_due_at: dt.datetime
    overdue: bool = Field(description="待答复且已过答复期限")
    escalated_at: dt.datetime | None

    @staticmethod
    def resolve_overdue(obj: Feedback) -> bool:
        return obj.status == FeedbackStatus.OPEN and obj.reply_due_at <= timezone.now()


class ReplyIn(Schema):
    reply: Text = Field(max_length=1000)


class PeriodIn(Schema):
    start: dt.date
    end: dt.date


class CheckinPeriodIn(PeriodIn):
    station: QueryId | None = Field(None, description="只看该站点（站点 id）")


class StationCountOut(Schema):
    station_id: int
    name: str
    count: int


class DayCountOut(Schema):
    date: dt.date
    count: int


class ServiceCountOut(Schema):
    service: str
    label: str
    count: int


class CheckinCountsOut(Schema):
    start: dt.date
    end: dt.date
    total: int
    by_station: list[StationCountOut]
    by_day: list[DayCountOut]
    by_service: list[ServiceCountOut]


class FundingRowOut(Schema):
    key: str = Field(description="站点 id、地市行政区划代码，或 total")
    name: str
    cost_fen: int
    subsidy_fen: int
    by_source: dict[FundingSource, int] = Field(description="四个来源各自的补贴（分）")
    ratio: float | None = Field(description="补贴 / 成本；无成本时为 null")
    below_target: bool = Field(description="补贴低于运营成本的 50%")


class FundingOut(Schema):
    start: dt.date
    end: dt.date
    target_ratio: float
    stations: list[FundingRowOut]
    cities: list[FundingRowOut]
    total: FundingRowOut


class CostIn(Schema):
    month: Day = Field(description="该月任一天；按当月计")
    # Under 1 亿元 (one entry of that is a typing slip); a negative amount is the service's refusal (amount_invalid).
    amounts_fen: dict[Text, Annotated[int, Strict(), Field(lt=MAX_FEN)]] = Field(
        description='类别 → 金额（分），如 {"staff": 600000}；替换当月全部数字；单项须小于 1 亿元'
    )


class CostItemOut(Schema):
    category: CostCategory
    category_label: str
    amount_fen: int

    @staticmethod
    def resolve_category_label(obj: CostReport) -> str:
        return str(obj.get_category_display())


class CostOut(Schema):
    station_id: int
    month: dt.date
    items: list[CostItemOut]
    total_fen: int


class SubsidyIn(Schema):
    month: Day = Field(description="该月任一天；按当月计")
    source: Text = Field(
        max_length=16, description="finance 财政 / party_fees 党费 / union 工会 / road_fee 路网运行保障服务费"
    )
    # Under 1 亿元; 0 and below are the service's refusal (amount_invalid).
    amount_fen: int = Field(strict=True, lt=MAX_FEN, description="大于 0、小于 1 亿元的整数（分）")
    idempotency_key: str = Field(
        min_length=8, max_length=100, description="客户端生成的唯一键（如 UUID）；重复提交同一笔只记一次"
    )


class SubsidyOut(Schema):
    id: int
    station_id: int
    month: dt.date
    source: FundingSource
    source_label: str
    amount_fen: int
    transaction_id: int

    @staticmethod
    def resolve_source_label(obj: SubsidyContribution) -> str:
        return str(obj.get_source_display())


class CorridorGapOut(Schema):
    corridor: str
    name: str
    length_km: float
    gap_km: float = Field(description="最长的无站点路段（公里）")
    from_km: float
    to_km: float
    stations: int = Field(description="线路沿线（5 公里内）运营中的站点数")
