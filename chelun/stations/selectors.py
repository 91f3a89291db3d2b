"""Reads for 暖心之家: the public directory, live status with its age, near-me and along-route search, forecasts,
check-in counts, feedback, funding and corridor gaps."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import threading
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import numpy as np
from django.conf import settings
from django.db import connection, models
from django.db.models import Avg, Count, Max, Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from chelun.core.errors import ValidationFailed, field_error
from chelun.core.geo import CHINA_BBOX, GeoInputError, gcj02_to_wgs84, route_is_self_intersecting, validate_china_point
from chelun.orgs.access import path_scope_q
from chelun.stations import routing
from chelun.stations.access import (
    PUBLIC_STATUSES,
    station_console_q,
    station_funding_q,
    station_manage_q,
    station_public_q,
)
from chelun.stations.choices import (
    Amenity,
    FeedbackStatus,
    FundingSource,
    SecurityGrade,
    SpaceLevel,
    StationKind,
    StationStatus,
    StatusSource,
)
from chelun.stations.corridors import corridor_points, corridors
from chelun.stations.forecast import HOURS_PER_WEEK, LEVEL_FRACTION, Forecast, forecast_free, hour_of_week
from chelun.stations.models import (
    CheckIn,
    CostReport,
    Feedback,
    Station,
    StationAmenity,
    StationPhoto,
    StatusReport,
    SubsidyContribution,
)

FRESH_MINUTES = 60
FORECAST_WINDOW_HOURS = 1.0
FORECAST_STATIONS_PER_QUERY = 25
SUBSIDY_TARGET = 0.5
SLEEP_GRADES = (SecurityGrade.SILVER, SecurityGrade.GOLD, SecurityGrade.PLATINUM)


# ---------------------------------------------------------------- live status


@dataclass(frozen=True)
class LiveStatus:
    """What a driver is told about a station right now. Data older than 60 minutes is never 'available'."""

    state: str  # available | limited | full | closed | unknown
    label: str
    free_spaces: int | None
    level: str
    source: str
    observed_at: dt.datetime | None
    age_minutes: int | None
    fresh: bool


def station_live_status(station: StationLike, *, now: dt.datetime | None = None) -> LiveStatus:
    now = now or timezone.now()
    observed = station.live_observed_at
    age = int((now - observed).total_seconds() // 60) if observed else None
    fresh = age is not None and 0 <= age <= FRESH_MINUTES
    source = station.get_live_source_display() if station.live_source else ""
    if station.status == StationStatus.SUSPENDED:
        return LiveStatus("closed", "暂停服务", None, "", source, observed, age, fresh)
    if not fresh:
        last = ""
        if observed is not None:
            known = (
                f"空余 {station.live_free_spaces} 个"
                if station.live_free_spaces is not None
                else station.get_live_level_display()
            )
            last = f"，最后已知：{known}（{timezone.localtime(observed):%m-%d %H:%M}）" if known else ""
        return LiveStatus("unknown", f"状态未知{last}", None, "", source, observed, age, False)
    if station.live_open is False:
        return LiveStatus("closed", "当前关闭", None, "", source, observed, age, True)
    level = station.live_level
    free = station.live_free_spaces
    if level == SpaceLevel.FULL or free == 0:
        return LiveStatus(
            "full", "车位已满", 0 if free is not None else None, SpaceLevel.FULL, source, observed, age, True
        )
    label = f"空余车位 {free} 个" if free is not None else dict(SpaceLevel.choices).get(level, "开放中")
    state = "limited" if level == SpaceLevel.SOME else "available"
    return LiveStatus(state, label, free, level, source, observed, age, True)


def station_is_open_at(station: StationLike, moment: dt.datetime) -> bool:
    """Posted hours (local time), status, and a fresh 'closed' report all count."""
    if station.status != StationStatus.OPEN:
        return False
    if (
        station.live_open is False
        and station.live_observed_at
        and moment - station.live_observed_at <= dt.timedelta(minutes=FRESH_MINUTES)
    ):
        return False
    if station.open_24h:
        return True
    if station.opens_at is None or station.closes_at is None:
        return False
    local = timezone.localtime(moment).time()
    if station.opens_at <= station.closes_at:
        return station.opens_at <= local < station.closes_at
    return local >= station.opens_at or local < station.closes_at  # open past midnight


# ---------------------------------------------------------------- directory


@dataclass(frozen=True)
class StationFilter:
    amenities: tuple[str, ...] = ()
    kind: str = ""
    region_code: str = ""
    q: str = ""
    open_now: bool = False
    corridor: str = ""
    real_only: bool = False  # leave out the synthetic benchmark stations (is_demo_synthetic)


def clean_amenity_filter(values: Iterable[str]) -> tuple[str, ...]:
    values = tuple(v for v in values if v)
    unknown = [v for v in values if v not in Amenity.values]
    if unknown:
        message = f"未知设施：{'、'.join(unknown)}"
        raise field_error("amenities", message, "unknown_amenity")
    return values


def _apply_filter(qs: QuerySet[Station], f: StationFilter) -> QuerySet[Station]:
    for amenity in clean_amenity_filter(f.amenities):
        qs = qs.filter(amenities__amenity=amenity)
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.region_code:
        qs = qs.filter(
            Q(region__code=f.region_code)
            | Q(region__parent__code=f.region_code)
            | Q(region__parent__parent__code=f.region_code)
        )
    if f.q:
        qs = qs.filter(Q(name__icontains=f.q) | Q(address__icontains=f.q))
    if f.corridor:
        qs = qs.filter(corridor_ref=f.corridor)
    if f.real_only:
        qs = qs.filter(is_demo_synthetic=False)
    return qs


def station_public_list(
    *, filters: StationFilter | None = None, now: dt.datetime | None = None
) -> QuerySet[Station] | list[Station]:
    """The public directory by name. A queryset (a page of it is read, not the whole directory) unless open-now
    asks for the posted hours and live reports to be checked station by station."""
    f = filters or StationFilter()
    qs = _apply_filter(Station.objects.filter(station_public_q()).select_related("region"), f)
    qs = qs.prefetch_related("amenities", "prices").order_by("name", "id")
    if not f.open_now:
        return qs
    moment = now or timezone.now()
    return [s for s in qs if station_is_open_at(s, moment)]


def station_console_list(
    *, actor: Any, filters: StationFilter | None = None, managed_only: bool = False
) -> QuerySet[Station]:
    q = station_manage_q(actor) if managed_only else station_console_q(actor)
    qs = Station.objects.filter(q).select_related("region", "organization").distinct()
    return _apply_filter(qs, filters or StationFilter()).order_by("name", "id")


def station_amenity_codes(station: Station) -> list[str]:
    """The station's amenity codes in Amenity order (as the search catalog holds them)."""
    return sorted((a.amenity for a in station.amenities.all()), key=_AMENITY_ORDER.__getitem__)


# ---------------------------------------------------------------- the search catalog (per process)


@dataclass(frozen=True, slots=True)
class StationSnapshot:
    """What search needs to know about one public station, held in memory. Live status is not here: every
    search reads it fresh (SearchStation)."""

    pk: int
    name: str
    kind: str
    lon: float
    lat: float
    open_24h: bool
    opens_at: dt.time | None
    closes_at: dt.time | None
    truck_spaces: int
    beds: int
    security_grade: str
    is_demo_synthetic: bool
    updated_at: dt.datetime
    amenities: tuple[str, ...]  # in Amenity order


LIVE_FIELDS = ("status", "live_open", "live_free_spaces", "live_level", "live_source", "live_observed_at")
_SOURCE_LABELS = dict(StatusSource.choices)
_LEVEL_LABELS = dict(SpaceLevel.choices)


@dataclass(slots=True)
class SearchStation:
    """A public station as one search sees it: the catalog's snapshot plus status and live fields read for this
    search. It answers the attributes station_live_status and station_is_open_at read, as a Station does."""

    snapshot: StationSnapshot
    status: str
    live_open: bool | None
    live_free_spaces: int | None
    live_level: str
    live_source: str
    live_observed_at: dt.datetime | None

    @property
    def pk(self) -> int:
        return self.snapshot.pk

    @property
    def name(self) -> str:
        return self.snapshot.name

    @property
    def kind(self) -> str:
        return self.snapshot.kind

    @property
    def open_24h(self) -> bool:
        return self.snapshot.open_24h

    @property
    def opens_at(self) -> dt.time | None:
        return self.snapshot.opens_at

    @property
    def closes_at(self) -> dt.time | None:
        return self.snapshot.closes_at

    @property
    def truck_spaces(self) -> int:
        return self.snapshot.truck_spaces

    @property
    def is_demo_synthetic(self) -> bool:
        return self.snapshot.is_demo_synthetic

    @property
    def updated_at(self) -> dt.datetime:
        return self.snapshot.updated_at

    def get_live_source_display(self) -> str:
        return str(_SOURCE_LABELS.get(self.live_source, self.live_source))

    def get_live_level_display(self) -> str:
        return str(_LEVEL_LABELS.get(self.live_level, self.live_level))


@dataclass(frozen=True)
class SearchCatalog:
    index: routing.StationIndex
    stations: dict[int, StationSnapshot]

    def read_live(self, ids: Sequence[int]) -> dict[int, SearchStation]:
        """The stations with their status and live fields as they are now (one query). A station that has left
        the directory since the catalog was built is left out."""
        return {
            pk: SearchStation(self.stations[pk], status, *live)
            for pk, status, *live in _live_rows(ids)
            if pk in self.stations and status in PUBLIC_STATUSES
        }


def _live_rows(ids: Sequence[int]) -> list[tuple[Any, ...]]:
    """(id, *LIVE_FIELDS) for these stations, as values_list would give them. Plain SQL: building and compiling
    the queryset was a third of a near-me request. SQLite hands back naive UTC datetimes (and 0/1 where a column is not
    declared bool) where PostgreSQL gives aware ones; all come out as Django's converters would make them."""
    if not ids:
        return []
    quote = connection.ops.quote_name
    columns = ", ".join(quote(_column(name)) for name in ("id", *LIVE_FIELDS))
    sql = (
        f"SELECT {columns} FROM {quote(Station._meta.db_table)} "  # noqa: S608 (names from the model, ids as parameters)
        f"WHERE {quote('id')} IN ({', '.join(['%s'] * len(ids))})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [int(pk) for pk in ids])
        rows = cursor.fetchall()
    return [
        (pk, status, None if is_open is None else bool(is_open), free, level, source, _aware(observed))
        for pk, status, is_open, free, level, source, observed in rows
    ]


def _column(name: str) -> str:
    field = Station._meta.get_field(name)
    assert isinstance(field, models.Field) and field.column
    return field.column


def _aware(value: Any) -> dt.datetime | None:
    """As Django's datetime converter: the database's naive values are UTC (SQLite stores naive UTC)."""
    if value is None:
        return None
    if not isinstance(value, dt.datetime):
        value = dt.datetime.fromisoformat(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


def station_directory_version() -> tuple[Any, ...]:
    """Changes whenever the public directory or any live status does: public stations (count, last edit, last
    live observation) and the last status report."""
    stations = Station.objects.filter(station_public_q()).aggregate(
        n=Count("id"), edited=Max("updated_at"), observed=Max("live_observed_at")
    )
    return (*stations.values(), StatusReport.objects.aggregate(last=Max("id"))["last"])


def recheck_seconds() -> float:
    return float(settings.STATION_SEARCH_RECHECK_SECONDS)


class _CatalogCache:
    """The public stations' spatial index and snapshots, rebuilt when the directory changes (count or last update).

    One per process. The change check is one small aggregate query, made at most every STATION_SEARCH_RECHECK_SECONDS
    (default 5); writes in this process clear the cache at once (services call `clear` on commit), other workers see
    them within that time. Live status is never cached here: each search reads it for its candidates."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._key: tuple[Any, ...] | None = None
        self._catalog: SearchCatalog | None = None
        self._checked_at = 0.0

    def get(self) -> SearchCatalog:
        with self._lock:
            if self._catalog is not None and time.monotonic() - self._checked_at < recheck_seconds():
                return self._catalog
        key = tuple(Station.objects.filter(station_public_q()).aggregate(n=Count("id"), t=Max("updated_at")).values())
        with self._lock:
            if self._catalog is None or key != self._key:
                self._catalog = _build_catalog()
                self._key = key
            self._checked_at = time.monotonic()
            return self._catalog

    def clear(self) -> None:
        with self._lock:
            self._catalog, self._key, self._checked_at = None, None, 0.0


_AMENITY_ORDER = {value: i for i, value in enumerate(Amenity.values)}


def _build_catalog() -> SearchCatalog:
    public = Station.objects.filter(station_public_q())
    amenities: dict[int, list[str]] = defaultdict(list)
    for station_id, amenity in StationAmenity.objects.filter(station__in=public).values_list("station_id", "amenity"):
        amenities[station_id].append(amenity)
    snapshots: dict[int, StationSnapshot] = {}
    points: list[routing.StationPoint] = []
    fields = ("id", "name", "kind", "lon", "lat", "open_24h", "opens_at", "closes_at", "truck_spaces", "beds")
    more = ("security_grade", "is_demo_synthetic", "updated_at", "bearing_deg", "halves_linked")
    for row in public.values_list(*fields, *more):
        pk, bearing, linked = row[0], row[-2], row[-1]
        codes = tuple(sorted(amenities.get(pk, ()), key=_AMENITY_ORDER.__getitem__))
        snapshot = StationSnapshot(*row[:-2], amenities=codes)  # type: ignore[misc]  # row[:-2]: pk .. updated_at
        snapshots[pk] = snapshot
        points.append(
            routing.StationPoint(
                id=pk,
                lon=snapshot.lon,
                lat=snapshot.lat,
                site_class="expressway" if snapshot.kind == StationKind.EXPRESSWAY else "offroad",
                bearing_deg=bearing,
                linked_halves=linked,
            )
        )
    return SearchCatalog(routing.StationIndex.build(points), snapshots)


search_catalog = _CatalogCache()


def _invalid_geo(exc: Exception, field_name: str) -> ValidationFailed:
    message = getattr(exc, "message", None) or (exc.args[0] if exc.args else "坐标有误")
    code = getattr(exc, "code", "geo_invalid")
    return field_error(field_name, str(message), code)


def to_wgs84(lon: float, lat: float, coord_system: str) -> tuple[float, float]:
    if coord_system not in ("wgs84", "gcj02"):
        raise field_error("coord_system", "坐标系只能是 wgs84 或 gcj02", "coord_system_invalid")
    try:
        validate_china_point(lon, lat)
    except GeoInputError as exc:
        raise _invalid_geo(exc, "position") from exc
    return gcj02_to_wgs84(lon, lat) if coord_system == "gcj02" else (lon, lat)


StationT = TypeVar("StationT", Station, SearchStation)
StationLike = Station | SearchStation


@dataclass
class StationResult(Generic[StationT]):
    """One station in a result list. Search gives SearchStation results (no model rows: the API serialises them
    from cached cards); the driver pages get Station rows (station_near_for_drivers and friends)."""

    station: StationT
    live: LiveStatus
    distance_km: float | None = None
    km_ahead: float | None = None
    eta: dt.datetime | None = None
    seconds_ahead: float | None = None
    detour_km: float | None = None
    detour_minutes: float | None = None
    forecast: Forecast | None = None
    amenities: list[str] = field(default_factory=list)


SearchResult = StationResult[SearchStation]


def station_rows(ids: Sequence[int]) -> dict[int, Station]:
    """Station rows with what a station card shows (region, amenities, prices), by id."""
    return Station.objects.select_related("region").prefetch_related("amenities", "prices").in_bulk(list(ids))


def _passes_static(snapshot: StationSnapshot, f: StationFilter) -> bool:
    return (
        set(f.amenities) <= set(snapshot.amenities)
        and not (f.kind and snapshot.kind != f.kind)
        and not (f.real_only and snapshot.is_demo_synthetic)
    )


def station_search_near(
    *,
    lon: float,
    lat: float,
    radius_km: float = 50.0,
    coord_system: str = "wgs84",
    filters: StationFilter | None = None,
    limit: int = 50,
    now: dt.datetime | None = None,
) -> list[SearchResult]:
    """Open-to-the-public stations within `radius_km`, nearest first, after amenity/kind/open-now filters."""
    now = now or timezone.now()
    f = filters or StationFilter()
    clean_amenity_filter(f.amenities)
    if not 0 < radius_km <= 1000:
        raise field_error("radius_km", "搜索半径应在 0 到 1000 公里之间", "radius_invalid")
    lon, lat = to_wgs84(lon, lat, coord_system)
    catalog = search_catalog.get()
    candidates = (
        (pk, distance)
        for pk, distance in routing.nearby(catalog.index, lon, lat, radius_km)
        if _passes_static(catalog.stations[pk], f)
    )
    results: list[SearchResult] = []
    # Nearest first, a batch at a time, until `limit` pass (a wide radius can hold hundreds of stations and a
    # phone shows a few): live fields are read for each batch, twice the shortfall when open-now may drop some.
    while len(results) < limit:
        wanted = limit - len(results)
        chunk = list(itertools.islice(candidates, max(wanted * 2, 20) if f.open_now else wanted))
        if not chunk:
            break
        live = catalog.read_live([pk for pk, _ in chunk])
        for pk, distance in chunk:
            station = live.get(pk)
            if station is None or (f.open_now and not station_is_open_at(station, now)):
                continue
            results.append(
                StationResult(
                    station,
                    station_live_status(station, now=now),
                    distance_km=round(distance, 2),
                    amenities=list(station.snapshot.amenities),
                )
            )
    return results[:limit]


RoutePoints = Sequence[tuple[float, float]] | np.ndarray


@dataclass(frozen=True)
class RouteQuery:
    points: RoutePoints
    coord_system: str = "wgs84"
    cumulative_seconds: Sequence[float] | None = None
    position: tuple[float, float] | None = None
    expressway_corridor_m: float = 300.0
    offroad_corridor_m: float = 5000.0
    min_hours_ahead: float | None = None
    max_hours_ahead: float | None = None
    sleep_tonight: bool = False
    filters: StationFilter = field(default_factory=StationFilter)


def _route_points_wgs84(points: RoutePoints, coord_system: str) -> np.ndarray:
    """All points checked at once (thousands of vertices per route), as an (n, 2) array; on any bad point, the
    per-point check names it."""
    try:
        array = np.asarray(points, dtype=float)
        ok = array.ndim == 2 and array.shape[1] == 2 and bool(np.isfinite(array).all()) and coord_system == "wgs84"
        # JSON `true` is not a coordinate (a decoded polyline is an array of floats already).
        ok = ok and (isinstance(points, np.ndarray) or not any(isinstance(v, bool) for p in points for v in p))
        ok = ok and bool(
            ((array[:, 0] >= CHINA_BBOX[0]) & (array[:, 0] <= CHINA_BBOX[2])).all()
            and ((array[:, 1] >= CHINA_BBOX[1]) & (array[:, 1] <= CHINA_BBOX[3])).all()
        )
    except (TypeError, ValueError):
        ok = False
    if ok:
        return array
    return np.array([to_wgs84(lon, lat, coord_system) for lon, lat in points], dtype=float).reshape(-1, 2)


def build_route(query: RouteQuery) -> routing.Route:
    """Validate and convert the route: at least two distinct points in China, not crossing itself."""
    if len(query.points) < 2:
        raise field_error("route", "路线至少需要两个点", "route_too_short")
    try:
        points = _route_points_wgs84(query.points, query.coord_system)
    except ValidationFailed as exc:
        raise field_error("route", exc.message, exc.code) from exc
    if not (points != points[0]).any():
        raise field_error("route", "路线至少需要两个不同的点", "route_too_short")
    if route_is_self_intersecting(points):
        raise field_error("route", "路线自相交，请检查轨迹", "route_self_intersecting")
    if query.cumulative_seconds is not None:
        secs = np.asarray(query.cumulative_seconds, dtype=float)
        if secs.shape != (len(points),) or (np.diff(secs) < 0).any():
            raise field_error("durations", "累计时间须与路线点数一致且不递减", "durations_invalid")
    try:
        return routing.Route.build(points, query.cumulative_seconds)
    except routing.RouteInputError as exc:
        raise _invalid_geo(exc, "route") from exc


def station_search_along_route(*, query: RouteQuery, now: dt.datetime | None = None) -> list[SearchResult]:
    """Stations ahead on the route, in order of km ahead, on the right carriageway, with ETA and detour; optional
    rest window (hours of driving from the driver's position) and 'where can I sleep tonight'."""
    return station_search_along_route_page(query=query, now=now).results


@dataclass(frozen=True)
class SearchPage:
    results: list[SearchResult]
    total: int  # all the matches, of which `results` is the page


def station_search_along_route_page(
    *, query: RouteQuery, now: dt.datetime | None = None, offset: int = 0, limit: int | None = None
) -> SearchPage:
    """station_search_along_route, one page of it: live fields are read for the page only (for every match when
    the open-now filter needs them to count)."""
    now = now or timezone.now()
    clean_amenity_filter(query.filters.amenities)
    route = build_route(query)
    position = to_wgs84(*query.position, query.coord_system) if query.position else None
    lo, hi = query.min_hours_ahead, query.max_hours_ahead
    if lo is not None and hi is not None and lo > hi:
        raise field_error("window", "休息窗口的起点不能晚于终点", "window_invalid")
    catalog = search_catalog.get()
    try:
        hits = routing.along_route(
            catalog.index,
            route,
            position=position,
            expressway_corridor_m=query.expressway_corridor_m,
            offroad_corridor_m=query.offroad_corridor_m,
            min_seconds_ahead=lo * 3600 if lo is not None else None,
            max_seconds_ahead=hi * 3600 if hi is not None else None,
        )
    except routing.RouteInputError as exc:
        raise _invalid_geo(exc, "position") from exc
    except ValueError as exc:
        raise ValidationFailed(str(exc), "route_params_invalid") from exc
    catalog_stations = catalog.stations
    hits = [h for h in hits if _passes_static(catalog_stations[h.station_id], query.filters)]
    if query.sleep_tonight:
        hits = [h for h in hits if _can_sleep(catalog_stations[h.station_id])]
    end = None if limit is None else offset + limit
    page = hits if query.filters.open_now else hits[offset:end]
    live = catalog.read_live([h.station_id for h in page])
    results: list[SearchResult] = []
    for hit in page:
        station = live.get(hit.station_id)
        if station is None or (query.filters.open_now and not station_is_open_at(station, now)):
            continue
        results.append(
            StationResult(
                station,
                station_live_status(station, now=now),
                km_ahead=round(hit.km_ahead, 1),
                eta=now + dt.timedelta(seconds=hit.seconds_ahead),
                seconds_ahead=hit.seconds_ahead,
                detour_km=round(hit.detour_km, 1),
                detour_minutes=round(hit.detour_minutes),
                amenities=list(station.snapshot.amenities),
            )
        )
    if query.filters.open_now:
        return SearchPage(results[offset:end], len(results))
    # A station that left the directory since the catalog was built (seconds at most) is not counted either.
    return SearchPage(results, len(hits) - (len(page) - len(results)))


def _can_sleep(snapshot: StationSnapshot) -> bool:
    return snapshot.beds > 0 or (snapshot.truck_spaces > 0 and snapshot.security_grade in SLEEP_GRADES)


def corridor_route_query(*, corridor: str, from_code: str = "", to_code: str = "", **kwargs: Any) -> RouteQuery:
    return RouteQuery(points=corridor_points(corridor, from_code, to_code), **kwargs)


# ---------------------------------------------------------------- forecast


def station_forecast(station: Station, *, at: dt.datetime, weeks: int = 8) -> Forecast | None:
    """Expected free spaces at `at` from the last `weeks` weeks of status history (same hour of week ±1 h)."""
    since = at - dt.timedelta(weeks=weeks)
    rows = StatusReport.objects.filter(station=station, observed_at__gte=since, observed_at__lt=at).values_list(
        "observed_at", "free_spaces", "level", "is_open"
    )
    capacity = max(station.truck_spaces, 1)
    history = []
    for observed_at, free, level, is_open in rows:
        if is_open is False:
            continue
        if free is not None:
            fraction = free / capacity
        elif level:
            fraction = LEVEL_FRACTION[level]
        else:
            continue
        history.append((hour_of_week(timezone.localtime(observed_at)), fraction))
    return forecast_free(history, target_how=hour_of_week(timezone.localtime(at)), capacity=station.truck_spaces)


class _StatusHistoryCache:
    """Recent status reports in memory, per station as arrays, so a result list's forecasts cost no query.

    Holds every usable report (not 'closed', with a count or a level) observed since the forecast window (8 weeks)
    plus HORIZON before the last full read. New reports are read by id at most every
    STATION_SEARCH_RECHECK_SECONDS (services mark the cache stale on commit, so this process sees its own at once);
    the whole window is re-read every RELOAD, which also drops reports that have aged out. A forecast whose window
    starts before the loaded window is left to the database (`forecasts` answers None).

    Reading by id can miss a report whose transaction commits after one with a higher id was read (PostgreSQL hands
    out ids before commit); such a report joins at the next full read, so a forecast may lack one sample for hours."""

    HORIZON = dt.timedelta(days=3)
    RELOAD = dt.timedelta(hours=6)

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.clear()

    def clear(self) -> None:
        with self._lock:
            # station id -> (observed µs since the epoch, hour of week, free count or NaN, level fraction or NaN)
            self._arrays: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = {}
            self._start: dt.datetime | None = None
            self._loaded_at: dt.datetime | None = None
            self._last_id = 0
            self._checked_at = 0.0
            self._stale = True

    def mark_stale(self) -> None:
        with self._lock:
            self._stale = True

    def load(self, *, weeks: int = 8) -> None:
        """Read the window now (at server start) rather than in the first search that needs a forecast."""
        with self._lock:
            self._refresh(timezone.now(), weeks)

    def _refresh(self, now: dt.datetime, weeks: int) -> None:
        if self._loaded_at is None or now - self._loaded_at > self.RELOAD or now < self._loaded_at:
            start = now - dt.timedelta(weeks=weeks) - self.HORIZON
            rows = StatusReport.objects.filter(observed_at__gte=start)
            self._arrays, self._start, self._loaded_at, self._last_id = {}, start, now, 0
        elif self._stale or time.monotonic() - self._checked_at >= recheck_seconds():
            rows = StatusReport.objects.filter(pk__gt=self._last_id, observed_at__gte=self._start)
        else:
            return
        fresh: dict[int, list[tuple[int, float, float, float]]] = defaultdict(list)
        last_id = self._last_id
        for pk, station_id, observed_at, free, level, is_open in rows.order_by().values_list(
            "id", "station_id", "observed_at", "free_spaces", "level", "is_open"
        ):
            last_id = max(last_id, pk)
            if is_open is False or (free is None and not level):
                continue  # says nothing about free spaces (see _history_fraction)
            fresh[station_id].append(
                (
                    (observed_at - _EPOCH) // _MICROSECOND,
                    hour_of_week(timezone.localtime(observed_at)),
                    float(free) if free is not None else np.nan,
                    LEVEL_FRACTION[level] if free is None else np.nan,
                )
            )
        for station_id, items in fresh.items():
            columns = [np.array(column) for column in zip(*items, strict=True)]
            columns[0] = columns[0].astype(np.int64)
            old = self._arrays.get(station_id)
            if old is not None:
                columns = [np.concatenate((a, b)) for a, b in zip(old, columns, strict=True)]
            order = np.argsort(columns[1], kind="stable")  # by hour of week: a forecast reads a 2-hour slice
            self._arrays[station_id] = (columns[0][order], columns[1][order], columns[2][order], columns[3][order])
        self._last_id = last_id
        self._checked_at = time.monotonic()
        self._stale = False

    def forecasts(
        self, targets: Sequence[tuple[Any, dt.datetime]], *, weeks: int, now: dt.datetime
    ) -> dict[int, Forecast | None] | None:
        """station_forecasts from memory, or None when some target's window reaches before the loaded one."""
        window = dt.timedelta(weeks=weeks)
        with self._lock:
            self._refresh(now, weeks)
            assert self._start is not None
            if any(at - window < self._start for _, at in targets):
                return None
            hows = _hours_of_week([at for _, at in targets])
            # Gather each target's candidate rows (its station's reports within a 2-hour slice of the week), then
            # test them all at once; forecast_free gets each target's rows as station_forecast would give them.
            pieces: list[tuple[int, np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
            for i, (station, _) in enumerate(targets):
                arrays = self._arrays.get(station.pk)
                if arrays is not None:
                    for start, stop in _slice_bounds(arrays[1], hows[i]):
                        if stop > start:
                            pieces.append((i, *(column[start:stop] for column in arrays)))  # type: ignore[arg-type]
            histories: dict[int, list[tuple[float, float]]] = {}
            if pieces:
                owner = np.repeat([p[0] for p in pieces], [len(p[1]) for p in pieces])
                observed, how, free, level_fraction = (np.concatenate([p[k] for p in pieces]) for k in range(1, 5))
                at_us = np.array([(at - _EPOCH) // _MICROSECOND for _, at in targets], dtype=np.int64)[owner]
                capacity = np.array([max(station.truck_spaces, 1) for station, _ in targets])[owner]
                keep = (observed >= at_us - window // _MICROSECOND) & (observed < at_us)
                fraction = np.where(np.isnan(free), level_fraction, free / capacity)
                for i, how_value, fraction_value in zip(
                    owner[keep].tolist(), how[keep].tolist(), fraction[keep].tolist(), strict=True
                ):
                    histories.setdefault(i, []).append((how_value, fraction_value))
            return {
                station.pk: forecast_free(
                    histories.get(i, []),
                    target_how=hows[i],
                    capacity=station.truck_spaces,
                    window_hours=FORECAST_WINDOW_HOURS,
                )
                for i, (station, _) in enumerate(targets)
            }


def _hours_of_week(moments: Sequence[dt.datetime]) -> list[float]:
    """hour_of_week(timezone.localtime(m)) for each moment: with one UTC offset over all of them (no daylight-saving
    change between, as in Beijing time), a fixed-offset conversion gives the same local time for less."""
    offsets = {timezone.localtime(min(moments)).utcoffset(), timezone.localtime(max(moments)).utcoffset()}
    if len(offsets) != 1 or None in offsets:
        return [hour_of_week(timezone.localtime(m)) for m in moments]
    zone = dt.timezone(offsets.pop())  # type: ignore[arg-type]
    return [hour_of_week(m.astimezone(zone)) for m in moments]


def _slice_bounds(how: np.ndarray, target: float) -> list[tuple[int, int]]:
    """[start, stop) ranges of `how` (sorted hours of week) within the forecast window of `target`, wrapping round
    the week. A hair wider than the window: forecast_free applies the exact test to what is found."""
    reach = FORECAST_WINDOW_HOURS + 1e-6
    lo, hi = target - reach, target + reach
    ranges = [(max(lo, 0.0), min(hi, HOURS_PER_WEEK))]
    if lo < 0:
        ranges.append((lo + HOURS_PER_WEEK, HOURS_PER_WEEK))
    if hi > HOURS_PER_WEEK:
        ranges.append((0.0, hi - HOURS_PER_WEEK))
    return [(int(how.searchsorted(a, side="left")), int(how.searchsorted(b, side="right"))) for a, b in ranges]


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_MICROSECOND = dt.timedelta(microseconds=1)
status_history = _StatusHistoryCache()


# ---------------------------------------------------------------- operations figures


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
    return Feedback.objects.filter(station=station).order_by("-created_at")


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


# ---------------------------------------------------------------- funding


@dataclass
class FundingRow:
    key: str
    name: str
    cost_fen: int = 0
    by_source: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FundingSource.values, 0))

    @property
    def subsidy_fen(self) -> int:
        return sum(self.by_source.values())

    @property
    def ratio(self) -> float | None:
        return self.subsidy_fen / self.cost_fen if self.cost_fen else None

    @property
    def below_target(self) -> bool:
        return self.ratio is not None and self.ratio < SUBSIDY_TARGET


@dataclass
class FundingReport:
    start: dt.date
    end: dt.date
    stations: list[FundingRow]
    cities: list[FundingRow]
    total: FundingRow


def funding_report(*, actor: Any, start: dt.date, end: dt.date) -> FundingReport:
    """Cost and subsidies by source in months [start, end], per station, per city and in total (within scope).
    Money stays integer fen; ratios are computed from the sums."""
    stations = Station.objects.filter(station_funding_q(actor)).select_related("region", "region__parent")
    station_map = {s.pk: s for s in stations}
    costs = CostReport.objects.filter(station_id__in=station_map, month__gte=start.replace(day=1), month__lte=end)
    subsidies = SubsidyContribution.objects.filter(
        station_id__in=station_map, month__gte=start.replace(day=1), month__lte=end
    )
    rows = {pk: FundingRow(str(pk), s.name) for pk, s in station_map.items()}
    for pk, total in costs.values("station").annotate(t=Sum("amount_fen")).values_list("station", "t"):
        rows[pk].cost_fen = int(total)
    for pk, source, total in (
        subsidies.values("station", "source").annotate(t=Sum("amount_fen")).values_list("station", "source", "t")
    ):
        rows[pk].by_source[source] = int(total)
    cities: dict[str, FundingRow] = {}
    total = FundingRow("total", "全省合计")
    for pk, row in rows.items():
        region = station_map[pk].region
        city = region.parent if region.level == "county" and region.parent is not None else region
        city_row = cities.setdefault(city.code, FundingRow(city.code, city.name))
        for target in (city_row, total):
            target.cost_fen += row.cost_fen
            for source, amount in row.by_source.items():
                target.by_source[source] += amount
    return FundingReport(
        start=start,
        end=end,
        stations=sorted(rows.values(), key=lambda r: (r.name, r.key)),
        cities=sorted(cities.values(), key=lambda r: r.key),
        total=total,
    )


# ---------------------------------------------------------------- corridor gaps


@dataclass(frozen=True)
class CorridorGap:
    corridor: str
    name: str
    length_km: float
    gap_km: float
    from_km: float
    to_km: float
    stations: int


def corridor_gaps(*, snap_km: float = 5.0, include_synthetic: bool = False) -> list[CorridorGap]:
    """For each named corridor, the longest stretch with no open station within `snap_km` of the line
    (ends of the corridor count as boundaries). Longest gap first. Synthetic benchmark stations are left out
    unless asked for, so the demo's gaps are those of the real network."""
    # Direction does not matter for coverage: either half of a service area serves the corridor.
    open_stations = Station.objects.filter(status=StationStatus.OPEN)
    if not include_synthetic:
        open_stations = open_stations.filter(is_demo_synthetic=False)
    open_points = [
        routing.StationPoint(
            id=pk, lon=lon, lat=lat, site_class="expressway" if kind == StationKind.EXPRESSWAY else "offroad"
        )
        for pk, lon, lat, kind in open_stations.values_list("id", "lon", "lat", "kind")
    ]
    if not open_points:
        return []
    index = routing.StationIndex.build(open_points)
    gaps = []
    for ref, corridor in corridors().items():
        route = routing.Route.build([(t.lon, t.lat) for t in corridor.towns], None)
        hits = routing.along_route(
            index, route, position=None, expressway_corridor_m=snap_km * 1000, offroad_corridor_m=snap_km * 1000
        )
        kms = sorted({round(h.km_ahead, 1) for h in hits})
        marks = [0.0, *kms, round(route.length_km, 1)]
        best = max(itertools.pairwise(marks), key=lambda pair: pair[1] - pair[0])
        gaps.append(
            CorridorGap(
                ref, corridor.name, round(route.length_km, 1), round(best[1] - best[0], 1), best[0], best[1], len(kms)
            )
        )
    return sorted(gaps, key=lambda g: -g.gap_km)


# ---------------------------------------------------------------- reads added for the API and the open feed


def _history_fraction(free: int | None, level: str, is_open: bool | None, capacity: int) -> float | None:
    """One status report as a free fraction, the way station_forecast reads it (None: says nothing)."""
    if is_open is False:
        return None
    if free is not None:
        return free / capacity
    if level:
        return LEVEL_FRACTION[level]
    return None


def station_forecasts(
    *, targets: Sequence[tuple[StationLike, dt.datetime]], weeks: int = 8
) -> dict[int, Forecast | None]:
    """station_forecast for several stations at once, each at its own moment: {station id: forecast}. Gives exactly
    what station_forecast gives for each, from the in-memory history (status_history) when it covers the targets,
    else in one query (a search result list must not cost a query per row)."""
    if not targets:
        return {}
    cached = status_history.forecasts(targets, weeks=weeks, now=timezone.now())
    return cached if cached is not None else station_forecasts_from_db(targets=targets, weeks=weeks)


def station_forecasts_from_db(
    *, targets: Sequence[tuple[StationLike, dt.datetime]], weeks: int = 8
) -> dict[int, Forecast | None]:
    """station_forecasts reading the database (targets before the in-memory window)."""
    if not targets:
        return {}
    window = dt.timedelta(weeks=weeks)
    # Only reports within ±FORECAST_WINDOW_HOURS of the same time of week count, so fetch just those slices (one
    # per past week) instead of eight weeks of history: same rows for the forecast, a hundredth of the reading.
    # (Exact because Beijing time has no daylight saving: a week back is the same local hour.)
    half = dt.timedelta(hours=FORECAST_WINDOW_HOURS)
    adapt = connection.ops.adapt_datetimefield_value
    rows: list[tuple[int, int, dt.datetime, int | None, str, bool | None]] = []
    # SQLite caps an expression tree at depth 1000, so a long result list is read in chunks of stations.
    for start in range(0, len(targets), FORECAST_STATIONS_PER_QUERY):
        clauses, params = [], []
        for station, at in targets[start : start + FORECAST_STATIONS_PER_QUERY]:
            for k in range(weeks + 1):
                centre = at - dt.timedelta(weeks=k)
                clauses.append("(station_id = %s AND observed_at >= %s AND observed_at <= %s AND observed_at < %s)")
                params += [station.pk, adapt(max(centre - half, at - window)), adapt(centre + half), adapt(at)]
        # Plain SQL for the slices: building the same filter from ~100 Q objects cost more than the query itself.
        rows += (
            StatusReport.objects.extra(where=[" OR ".join(clauses)], params=params)  # noqa: S610 (no user text)
            .order_by()
            .values_list("id", "station_id", "observed_at", "free_spaces", "level", "is_open")
        )
    by_station: dict[int, list[tuple[dt.datetime, int | None, str, bool | None]]] = defaultdict(list)
    # Two chunks can both hold a station (several targets for it): each report counts once.
    for _, station_id, observed_at, free, level, is_open in {row[0]: row for row in rows}.values():
        by_station[station_id].append((observed_at, free, level, is_open))
    result: dict[int, Forecast | None] = {}
    for station, at in targets:
        capacity = max(station.truck_spaces, 1)
        history = []
        for observed_at, free, level, is_open in by_station[station.pk]:
            if not at - window <= observed_at < at:
                continue
            fraction = _history_fraction(free, level, is_open, capacity)
            if fraction is not None:
                history.append((hour_of_week(timezone.localtime(observed_at)), fraction))
        result[station.pk] = forecast_free(
            history,
            target_how=hour_of_week(timezone.localtime(at)),
            capacity=station.truck_spaces,
            window_hours=FORECAST_WINDOW_HOURS,
        )
    return result


TREND_LOOKBACK = dt.timedelta(hours=3)


def station_trends(*, stations: Sequence[Station], now: dt.datetime | None = None) -> dict[int, str]:
    """TPIMS-style trend from each station's last two status reports within the last 3 hours: 'filling' when the
    free fraction fell, 'clearing' when it rose, 'steady' when equal. Stations with fewer than two usable reports
    (or a 'closed' report among the two) are left out. Freshness is the caller's business (see station_live_status).
    """
    now = now or timezone.now()
    capacity = {station.pk: max(station.truck_spaces, 1) for station in stations}
    rows = (
        StatusReport.objects.filter(
            station_id__in=list(capacity), observed_at__gt=now - TREND_LOOKBACK, observed_at__lte=now
        )
        .order_by("station_id", "-observed_at", "-id")
        .values_list("station_id", "free_spaces", "level", "is_open")
    )
    latest_two: dict[int, list[float | None]] = defaultdict(list)
    for station_id, free, level, is_open in rows:
        if len(latest_two[station_id]) < 2:
            latest_two[station_id].append(_history_fraction(free, level, is_open, capacity[station_id]))
    trends = {}
    for station_id, pair in latest_two.items():
        if len(pair) < 2:
            continue
        latest, previous = pair[0], pair[1]
        if latest is None or previous is None:
            continue
        trends[station_id] = "filling" if latest < previous else "clearing" if latest > previous else "steady"
    return trends


@dataclass(frozen=True)
class FeedbackSummary:
    average_rating: float | None
    count: int
    recent: list[Feedback]


def feedback_public_summary(*, station: Station, recent: int = 5) -> FeedbackSummary:
    """What a station page shows of its feedback: the average rating (one decimal), how many, the latest few."""
    figures = Feedback.objects.filter(station=station).aggregate(n=Count("id"), avg=Avg("rating"))
    average = round(float(figures["avg"]), 1) if figures["avg"] is not None else None
    return FeedbackSummary(average, figures["n"], list(feedback_public_list(station=station)[:recent]))


# ---------------------------------------------------------------- reads added for the pages


def _with_rows(results: Sequence[SearchResult]) -> list[StationResult[Station]]:
    """Search results with their Station rows (region, amenities, prices) for the pages: one query per relation."""
    rows = station_rows([r.station.pk for r in results])
    return [
        StationResult(
            rows[r.station.pk],
            r.live,
            distance_km=r.distance_km,
            km_ahead=r.km_ahead,
            eta=r.eta,
            seconds_ahead=r.seconds_ahead,
            detour_km=r.detour_km,
            detour_minutes=r.detour_minutes,
            forecast=r.forecast,
            amenities=r.amenities,
        )
        for r in results
        if r.station.pk in rows
    ]


def station_list_for_drivers(
    *, filters: StationFilter | None = None, include_synthetic: bool = False, now: dt.datetime | None = None
) -> list[StationResult[Station]]:
    """The public directory as a driver's list (no position known): live status computed, synthetic benchmark
    stations (is_demo_synthetic) left out unless asked for. Ordered by name."""
    now = now or timezone.now()
    real_only = dataclasses.replace(filters or StationFilter(), real_only=not include_synthetic)
    stations = station_public_list(filters=real_only, now=now)
    return [StationResult(s, station_live_status(s, now=now), amenities=station_amenity_codes(s)) for s in stations]


def station_near_for_drivers(
    *,
    lon: float,
    lat: float,
    radius_km: float = 50.0,
    coord_system: str = "wgs84",
    filters: StationFilter | None = None,
    include_synthetic: bool = False,
    limit: int = 50,
    now: dt.datetime | None = None,
) -> list[StationResult[Station]]:
    """station_search_near without the synthetic benchmark stations (unless asked for): the limit applies after
    they are dropped, so a cloud of synthetic stations nearby cannot crowd out the real ones."""
    results = station_search_near(
        lon=lon,
        lat=lat,
        radius_km=radius_km,
        coord_system=coord_system,
        filters=dataclasses.replace(filters or StationFilter(), real_only=not include_synthetic),
        limit=limit,
        now=now,
    )
    return _with_rows(results)


def station_along_route_for_drivers(
    *, query: RouteQuery, include_synthetic: bool = False, now: dt.datetime | None = None
) -> list[StationResult[Station]]:
    """station_search_along_route without synthetic stations (unless asked for), each result carrying the
    forecast of free spaces at its ETA."""
    now = now or timezone.now()
    real_only = dataclasses.replace(query.filters, real_only=not include_synthetic)
    results = station_search_along_route(query=dataclasses.replace(query, filters=real_only), now=now)
    forecasts = station_forecasts(targets=[(r.station, r.eta) for r in results if r.eta is not None])
    for result in results:
        result.forecast = forecasts.get(result.station.pk)
    return _with_rows(results)


def station_console_rows(
    *, actor: Any, filters: StationFilter | None = None, include_synthetic: bool = False
) -> QuerySet[Station]:
    """station_console_list for the console table: synthetic benchmark stations hidden unless asked for."""
    qs = station_console_list(actor=actor, filters=filters)
    return qs if include_synthetic else qs.filter(is_demo_synthetic=False)


def basemap_geojson(*, precision: int = 4) -> dict[str, Any]:
    """Sichuan's offline base layer as one GeoJSON FeatureCollection: the prefecture polygons, then the province
    outline, from RegionBoundary (WGS-84). Coordinates are rounded to `precision` decimals (4: ~10 m,
    plenty for a province map, and a smaller download)."""
    from chelun.core.models import RegionBoundary, RegionLevel

    def rounded(value: Any) -> Any:
        if isinstance(value, list):
            return [rounded(v) for v in value]
        return round(value, precision) if isinstance(value, float) else value

    rows = (
        RegionBoundary.objects.filter(region__level__in=(RegionLevel.PREFECTURE, RegionLevel.PROVINCE))
        .order_by("region__level", "region__code")  # "prefecture" < "province": the outline comes last, on top
        .values_list("region__code", "region__name", "region__level", "geometry")
    )
    features = [
        {
            "type": "Feature",
            "id": code,
            "properties": {"code": code, "name": name, "level": level},
            "geometry": {"type": boundary["type"], "coordinates": rounded(boundary["coordinates"])},
        }
        for code, name, level, boundary in rows
        if isinstance(boundary, dict) and "coordinates" in boundary
    ]
    return {"type": "FeatureCollection", "features": features}


def funding_report_for_console(
    *, actor: Any, start: dt.date, end: dt.date, include_synthetic: bool = False
) -> FundingReport:
    """funding_report without the synthetic benchmark stations (unless asked for): their rows are dropped and the
    city rows and the total are summed again from the stations kept, so no figure counts them."""
    report = funding_report(actor=actor, start=start, end=end)
    if include_synthetic:
        return report
    real = Station.objects.filter(
        pk__in=[int(row.key) for row in report.stations], is_demo_synthetic=False
    ).select_related("region", "region__parent")
    city_of = {}
    for station in real:
        region = station.region
        city_of[str(station.pk)] = region.parent if region.level == "county" and region.parent is not None else region
    kept = [row for row in report.stations if row.key in city_of]
    cities: dict[str, FundingRow] = {}
    total = FundingRow(report.total.key, report.total.name)
    for row in kept:
        city = city_of[row.key]
        city_row = cities.setdefault(city.code, FundingRow(city.code, city.name))
        for target in (city_row, total):
            target.cost_fen += row.cost_fen
            for source, amount in row.by_source.items():
                target.by_source[source] += amount
    return FundingReport(
        start=report.start,
        end=report.end,
        stations=kept,
        cities=sorted(cities.values(), key=lambda r: r.key),
        total=total,
    )


# ---------------------------------------------------------------- photos and one station's funding


def station_photo_list(*, station: Station) -> QuerySet[StationPhoto]:
    """A station's gallery, oldest first (the station was fetched through access.py by the caller)."""
    return StationPhoto.objects.filter(station=station).order_by("created_at", "id")


@dataclass
class CostMonth:
    month: dt.date
    amounts_fen: dict[str, int]

    @property
    def total_fen(self) -> int:
        return sum(self.amounts_fen.values())


def station_cost_months(*, station: Station, months: int = 12) -> list[CostMonth]:
    """A station's reported costs for its latest `months` reported months, latest first, by category."""
    rows = CostReport.objects.filter(station=station).order_by("-month", "category")
    by_month: dict[dt.date, dict[str, int]] = {}
    for month, category, amount in rows.values_list("month", "category", "amount_fen"):
        if month not in by_month and len(by_month) >= months:
            break
        by_month.setdefault(month, {})[category] = amount
    return [CostMonth(month, amounts) for month, amounts in by_month.items()]


def station_subsidy_list(*, station: Station, limit: int = 24) -> list[SubsidyContribution]:
    """A station's latest recorded subsidies, latest month (then latest entry) first."""
    return list(SubsidyContribution.objects.filter(station=station).order_by("-month", "-id")[:limit])


def station_month_costs(*, station: Station, month: dt.date) -> dict[str, int]:
    """One month's reported costs of a station, by category (fen)."""
    rows = CostReport.objects.filter(station=station, month=month.replace(day=1))
    return dict(rows.values_list("category", "amount_fen"))
