"""Who may see and run which stations.

- The directory is public: open and suspended stations (not planned/building) are visible to everyone.
- Operating a station (live status, prices, replies) is for its own operators (Station.operators) and for admins
  of the organisation subtree the station belongs to. Operators edit their own stations only.
- Funding figures follow the organisation scope (funding.view); entering costs and subsidies needs funding.change
  (running the station is not enough).
- Synthetic benchmark stations (is_demo_synthetic) are demo data: every product read (directory, search, feed,
  console lists, funding, corridor gaps; pages and API alike) leaves them out, unless the deployment shows them
  (settings.STATIONS_SHOW_SYNTHETIC) or a demo page asks for them (?synthetic=1). Decided here, once.
- The actions are registered in stations.permissions.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import Q

from chelun.core.errors import Forbidden, NotFound
from chelun.orgs.access import can, path_scope_q, scope_paths
from chelun.stations.choices import StationStatus
from chelun.stations.models import Station

PUBLIC_STATUSES = (StationStatus.OPEN, StationStatus.SUSPENDED)


def station_public_q() -> Q:
    return Q(status__in=PUBLIC_STATUSES)


def shows_synthetic(*, asked: bool = False) -> bool:
    """Whether a read includes the synthetic benchmark stations: when a demo page asks, or the deployment says so."""
    return asked or bool(settings.STATIONS_SHOW_SYNTHETIC)


def station_synthetic_q(*, asked: bool = False) -> Q:
    """The synthetic-station rule as a filter on Station (see shows_synthetic)."""
    return Q() if shows_synthetic(asked=asked) else Q(is_demo_synthetic=False)


def station_manage_q(actor: Any) -> Q:
    """Stations the actor runs: own stations as operator, or any station in an admin's subtree."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return Q(pk__in=[])
    q = path_scope_q(actor, "station.change", "organization__path")
    if scope_paths(actor, "station.change") is None:
        return q
    return q | Q(operators=actor)


def station_console_q(actor: Any) -> Q:
    """Stations visible in the console: managed ones, plus everything in the actor's org.view subtrees."""
    return station_manage_q(actor) | path_scope_q(actor, "station.view", "organization__path")


def can_manage_station(actor: Any, station: Station) -> bool:
    return Station.objects.filter(station_manage_q(actor), pk=station.pk).exists()


def access_public_station_by_id(*, station_id: int) -> Station:
    station = Station.objects.select_related("region").filter(station_public_q(), pk=station_id).first()
    if station is None:
        raise NotFound("站点不存在")
    return station


def access_station_by_id(*, actor: Any, station_id: int, manage: bool = False) -> Station:
    """A station for the console. Out of console scope: 404. Visible but not managed, with manage=True: 403."""
    station = (
        Station.objects.select_related("region", "organization")
        .filter(station_console_q(actor), pk=station_id)
        .distinct()
        .first()
    )
    if station is None:
        raise NotFound("站点不存在")
    if manage and not can_manage_station(actor, station):
        raise Forbidden("只能管理本人负责的站点")
    return station


def station_funding_q(actor: Any) -> Q:
    """Stations whose funding figures the actor sees: funding.view in the organisation subtree."""
    return path_scope_q(actor, "funding.view", "organization__path")


def access_station_funding_by_id(*, actor: Any, station_id: int, change: bool = False) -> Station:
    """A station's funding figures: the one check for the funding pages and the API's funding writes alike.

    Reading: outside funding.view scope, 404. Entering costs or subsidies (change=True) needs funding.change on the
    station's organisation: a station the actor sees in the console without it (its own operator's, a viewer's) is
    a 403, since they know it exists; anywhere else a 404. The pages show both refusals as 404.
    """
    if change:
        managed = access_station_by_id(actor=actor, station_id=station_id)
        if not can(actor, "funding.change", managed.organization):
            raise Forbidden("没有填报经费的权限")
        return managed
    station = (
        Station.objects.select_related("region", "organization").filter(station_funding_q(actor), pk=station_id).first()
    )
    if station is None:
        raise NotFound("站点不存在")
    return station
