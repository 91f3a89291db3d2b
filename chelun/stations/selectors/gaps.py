"""Corridor gaps: the longest stretch of each named corridor with no open station near it (for planning sites)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from chelun.stations import routing
from chelun.stations.access import station_synthetic_q
from chelun.stations.choices import StationKind, StationStatus
from chelun.stations.corridors import corridors
from chelun.stations.models import Station


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
    (ends of the corridor count as boundaries). Longest gap first. Synthetic benchmark stations follow the access
    rule (left out unless asked for or shown by the setting), so the demo's gaps are those of the real network."""
    # Direction does not matter for coverage: either half of a service area serves the corridor.
    open_stations = Station.objects.filter(station_synthetic_q(asked=include_synthetic), status=StationStatus.OPEN)
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
            index,
            route,
            position=None,
            expressway_corridor_m=snap_km * 1000,
            offroad_corridor_m=snap_km * 1000,
            # Coverage, not a drive: a station just beyond the corridor's first town still covers its end.
            keep_behind_start=True,
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
