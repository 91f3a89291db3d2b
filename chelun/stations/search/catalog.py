"""The search catalog: every public station's snapshot and the spatial index over them, per process.

Search reads candidates from here and only their live fields from the database (SearchCatalog.read_live)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection, models
from django.db.models import Count, Max

from chelun.core.process_cache import VersionedCache
from chelun.stations import routing
from chelun.stations.access import PUBLIC_STATUSES, station_public_q
from chelun.stations.choices import SpaceLevel, StationKind, StatusSource
from chelun.stations.models import Station, StationAmenity
from chelun.stations.offers import offered_amenities


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


def recheck_seconds() -> float:
    return float(settings.STATION_SEARCH_RECHECK_SECONDS)


class CatalogCache(VersionedCache[SearchCatalog]):
    """The public stations' spatial index and snapshots, rebuilt when the directory changes (count or last update).

    One per process. The version is one small aggregate query, asked at most every STATION_SEARCH_RECHECK_SECONDS
    (default 5) or at the next use after this process changed a station (services call search.invalidate() now and
    on commit); other workers see a change within that time. Live status is never cached here: each search reads it
    for its candidates."""

    def recheck_seconds(self) -> float:
        return recheck_seconds()

    def version(self) -> Hashable:
        return tuple(Station.objects.filter(station_public_q()).aggregate(n=Count("id"), t=Max("updated_at")).values())

    def build(self) -> SearchCatalog:
        return _build_catalog()


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
        # What the filters match and the cards show: the one rule of chelun.stations.offers.
        codes = offered_amenities(amenities.get(pk, ()), beds=row[9])
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


search_catalog = CatalogCache()
