"""Search: stations near a point and along a route, as result lists for the API (SearchStation, serialised from
the cached cards) and for the pages (Station rows). Candidates come from the per-process catalog (search.catalog);
only their live fields are read per request."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import numpy as np
from django.utils import timezone

from chelun.core.errors import ValidationFailed, field_error
from chelun.core.geo import CHINA_BBOX, GeoInputError, gcj02_to_wgs84, route_is_self_intersecting, validate_china_point
from chelun.stations import routing
from chelun.stations.access import shows_synthetic
from chelun.stations.choices import SecurityGrade
from chelun.stations.corridors import corridor_points
from chelun.stations.forecast import Forecast
from chelun.stations.models import Station
from chelun.stations.offers import has_beds
from chelun.stations.search.catalog import SearchStation, StationSnapshot, search_catalog
from chelun.stations.selectors.directory import (
    StationFilter,
    clean_amenity_filter,
    station_offered_amenities,
    station_public_list,
)
from chelun.stations.selectors.forecast import station_forecasts
from chelun.stations.selectors.live import LiveStatus, station_is_open_at, station_live_status

SLEEP_GRADES = (SecurityGrade.SILVER, SecurityGrade.GOLD, SecurityGrade.PLATINUM)


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


def _static_filter(f: StationFilter) -> Callable[[StationSnapshot], bool]:
    """The filter's catalog-only tests as one predicate; the synthetic-station rule (access.py) is asked once per
    search, not once per candidate."""
    amenities, kind, synthetic_ok = set(f.amenities), f.kind, shows_synthetic(asked=f.include_synthetic)

    def passes(snapshot: StationSnapshot) -> bool:
        return (
            amenities <= set(snapshot.amenities)
            and not (kind and snapshot.kind != kind)
            and (synthetic_ok or not snapshot.is_demo_synthetic)
        )

    return passes


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
    passes = _static_filter(f)
    candidates = (
        (pk, distance)
        for pk, distance in routing.nearby(catalog.index, lon, lat, radius_km)
        if passes(catalog.stations[pk])
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
    passes = _static_filter(query.filters)
    hits = [h for h in hits if passes(catalog_stations[h.station_id])]
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
    # 今晚住宿 means a bed, as the card's 床位 says (chelun.stations.offers); a secure truck park is not one.
    return has_beds(snapshot.amenities)


def corridor_route_query(*, corridor: str, from_code: str = "", to_code: str = "", **kwargs: Any) -> RouteQuery:
    return RouteQuery(points=corridor_points(corridor, from_code, to_code), **kwargs)


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
    """station_search_near for the pages: with the page's ?synthetic= answer (access.shows_synthetic; the limit
    applies after synthetic stations are dropped, so a cloud of them nearby cannot crowd out the real ones), and the
    Station rows the page shows."""
    results = station_search_near(
        lon=lon,
        lat=lat,
        radius_km=radius_km,
        coord_system=coord_system,
        filters=dataclasses.replace(filters or StationFilter(), include_synthetic=include_synthetic),
        limit=limit,
        now=now,
    )
    return _with_rows(results)


def station_along_route_for_drivers(
    *, query: RouteQuery, include_synthetic: bool = False, now: dt.datetime | None = None
) -> list[StationResult[Station]]:
    """station_search_along_route for the pages (with the page's ?synthetic= answer), each result carrying the
    forecast of free spaces at its ETA."""
    now = now or timezone.now()
    asked = dataclasses.replace(query.filters, include_synthetic=include_synthetic)
    results = station_search_along_route(query=dataclasses.replace(query, filters=asked), now=now)
    forecasts = station_forecasts(targets=[(r.station, r.eta) for r in results if r.eta is not None])
    for result in results:
        result.forecast = forecasts.get(result.station.pk)
    return _with_rows(results)


def station_list_for_drivers(
    *, filters: StationFilter | None = None, include_synthetic: bool = False, now: dt.datetime | None = None
) -> list[StationResult[Station]]:
    """The public directory as a driver's list (no position known), live status computed, with the page's
    ?synthetic= answer. Ordered by name."""
    now = now or timezone.now()
    asked = dataclasses.replace(filters or StationFilter(), include_synthetic=include_synthetic)
    stations = station_public_list(filters=asked, now=now)
    return [StationResult(s, station_live_status(s, now=now), amenities=station_offered_amenities(s)) for s in stations]
