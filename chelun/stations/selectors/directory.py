"""The station directory: the public list and the console's, their filters, and the version that moves when
either changes. Synthetic benchmark stations follow the one rule in access.py."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone

from chelun.core.errors import field_error
from chelun.stations.access import station_console_q, station_manage_q, station_public_q, station_synthetic_q
from chelun.stations.choices import Amenity
from chelun.stations.models import Station, StatusReport
from chelun.stations.offers import AMENITY_ORDER, offered_amenities
from chelun.stations.selectors.live import station_is_open_at


@dataclass(frozen=True)
class StationFilter:
    amenities: tuple[str, ...] = ()
    kind: str = ""
    region_code: str = ""
    q: str = ""
    open_now: bool = False
    corridor: str = ""
    include_synthetic: bool = False  # a demo page asked for the synthetic stations (access.shows_synthetic)


def clean_amenity_filter(values: Iterable[str]) -> tuple[str, ...]:
    values = tuple(v for v in values if v)
    unknown = [v for v in values if v not in Amenity.values]
    if unknown:
        message = f"未知设施：{'、'.join(unknown)}"
        raise field_error("amenities", message, "unknown_amenity")
    return values


def _apply_filter(qs: QuerySet[Station], f: StationFilter) -> QuerySet[Station]:
    for amenity in clean_amenity_filter(f.amenities):
        # Beds go by the bed count, as the card shows them (chelun.stations.offers), not by the tick.
        qs = qs.filter(beds__gt=0) if amenity == Amenity.BEDS else qs.filter(amenities__amenity=amenity)
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
    return qs.filter(station_synthetic_q(asked=f.include_synthetic))


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
    """The amenities the operator ticked, in Amenity order (their form edits these)."""
    return sorted((a.amenity for a in station.amenities.all()), key=AMENITY_ORDER.__getitem__)


def station_offered_amenities(station: Station) -> list[str]:
    """What a driver is told the station offers, in Amenity order: the rule of chelun.stations.offers, as the
    search catalog holds it."""
    return list(offered_amenities((a.amenity for a in station.amenities.all()), beds=station.beds))


def station_directory_version() -> tuple[Any, ...]:
    """Changes whenever the public directory or any live status does: public stations (count, last edit, last
    live observation) and the last status report."""
    stations = Station.objects.filter(station_public_q()).aggregate(
        n=Count("id"), edited=Max("updated_at"), observed=Max("live_observed_at")
    )
    return (*stations.values(), StatusReport.objects.aggregate(last=Max("id"))["last"])


def station_console_rows(
    *, actor: Any, filters: StationFilter | None = None, include_synthetic: bool = False
) -> QuerySet[Station]:
    """station_console_list for the console table, with the page's ?synthetic= answer."""
    f = dataclasses.replace(filters or StationFilter(), include_synthetic=include_synthetic)
    return station_console_list(actor=actor, filters=f)
