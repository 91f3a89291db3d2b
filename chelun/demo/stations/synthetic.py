"""The synthetic stations (``is_demo_synthetic=True``, for benchmarks and maps): about half on the corridor lines
(expressway halves in pairs), the rest scattered over western China (lon 97–110, lat 24–35); in Sichuan they belong
to the county they stand in, elsewhere to the province committee."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence

from chelun.core.geo import destination_point
from chelun.core.models import RegionBoundary, RegionLevel
from chelun.demo.geography import Geography
from chelun.demo.stations.lines import half_at, side_name, site_line
from chelun.demo.stations.plans import Half
from chelun.demo.stations.sites import A_EXTRA, B_AMENITIES, hours_fields, occupancy_profile, prices_for, security_flags
from chelun.stations.choices import FREE_BY_STANDARD, Amenity, StationClass, StationKind, StationStatus
from chelun.stations.corridors import corridors
from chelun.stations.models import Station

__all__ = ["SYNTHETIC_COUNTS", "assign_synthetic_regions", "plan_synthetic"]

# Synthetic stations per scale (named sites and their history are the same at every scale).
SYNTHETIC_COUNTS = {"tiny": 20, "small": 200, "full": 2400}
_MAX_SYNTHETIC_SEGMENT_KM = 150.0  # longer schematic pieces jump through Chongqing: nothing placed on them
_A, _B = StationClass.A, StationClass.B

_SYNTHETIC_KIND_WORD = {
    StationKind.EXPRESSWAY: "服务区司机之家",
    StationKind.TRUNK_ROAD: "国省道司机之家",
    StationKind.LOGISTICS_YARD: "物流园司机之家",
    StationKind.INLAND_PORT: "港区司机之家",
}
_SCATTERED_KINDS = (StationKind.EXPRESSWAY, StationKind.TRUNK_ROAD, StationKind.LOGISTICS_YARD, StationKind.INLAND_PORT)
_SCATTERED_WEIGHTS = (30, 35, 27, 8)


def _scattered_point(rng: random.Random) -> tuple[float, float]:
    """A point in western China (lon 97–110, lat 24–35), leaving out the corner that is Myanmar."""
    while True:
        lon, lat = rng.uniform(97.0, 110.0), rng.uniform(24.0, 35.0)
        if not (lon < 98.7 and lat < 28.4):
            return lon, lat


def plan_synthetic(rng: random.Random, count: int, now: dt.datetime, first_index: int) -> list[Half]:
    """`count` synthetic stations; region codes are filled in by assign_synthetic_regions. Twin indices start at
    `first_index` (where these rows will sit in the combined list)."""
    lines = [site_line(ref) for ref in sorted(corridors())]
    weights = [line.length_km for line in lines]
    halves: list[Half] = []
    serial = 0
    while len(halves) < count:
        bearing: float | None = None
        toward = ("", "")
        corridor_ref = ""
        if rng.random() < 0.5:
            line = rng.choices(lines, weights=weights)[0]
            point, bearing, segment = line.at(rng.uniform(0.0, line.length_km))
            if line.cum_km[segment + 1] - line.cum_km[segment] > _MAX_SYNTHETIC_SEGMENT_KM:
                continue
            kind = StationKind.EXPRESSWAY if rng.random() < 0.75 else rng.choice(_SCATTERED_KINDS[1:3])
            previous, following = line.town_names(segment)
            toward, corridor_ref = (following, previous), line.ref
            if kind != StationKind.EXPRESSWAY:  # off the carriageway, a few km aside
                point = destination_point(*point, (bearing + rng.choice((90.0, 270.0))) % 360.0, rng.uniform(0.5, 4.0))
                bearing = None
        else:
            point = _scattered_point(rng)
            kind = rng.choices(_SCATTERED_KINDS, weights=_SCATTERED_WEIGHTS)[0]
            if kind == StationKind.EXPRESSWAY:
                bearing = rng.uniform(0.0, 360.0)
        if kind == StationKind.EXPRESSWAY and count - len(halves) < 2:
            kind, bearing = StationKind.TRUNK_ROAD, None
        serial += 1
        station_class = _A if rng.random() < 0.25 else _B
        hours = None if rng.random() < 0.8 else (dt.time(rng.choice((6, 7, 8))), dt.time(rng.choice((20, 21, 22))))
        security = "".join(c for c, p in (("C", 0.8), ("L", 0.9), ("F", 0.4), ("G", 0.3)) if rng.random() < p)
        basic = tuple(a for a in B_AMENITIES if a in FREE_BY_STANDARD or rng.random() < 0.8)
        amenities = (*basic, *(A_EXTRA if station_class == _A else ()))
        if rng.random() < 0.6:
            amenities = (*amenities, Amenity.FUEL_NEARBY)
        prices = prices_for(
            amenities,
            meal_fen=rng.choice((1000, 1200, 1500, 1800)),
            bed_fen=rng.choice((0, 500, 1000, 2000)),
            drying_fen=rng.choice((200, 300, 500)),
        )
        common: dict[str, object] = {
            "kind": kind,
            "station_class": station_class,
            "corridor_ref": corridor_ref,
            "status": StationStatus.OPEN,
            "truck_spaces": rng.randint(10, 120),
            "beds": rng.randint(4, 20) if station_class == _A else 0,
            **hours_fields(hours),
            "verified_at": now - dt.timedelta(days=rng.randint(1, 200)) if rng.random() < 0.7 else None,
            "is_demo_synthetic": True,
            **security_flags(security),
        }
        word = f"{_SYNTHETIC_KIND_WORD[kind]}·演示{serial:04d}"
        profile = occupancy_profile(rng)
        if bearing is None:
            station = Station(name=word, lon=point[0], lat=point[1], **common)
            halves.append(Half(station, "", None, True, amenities, prices, profile))
            continue
        first = len(halves)
        for forward in (True, False):
            heading, (lon, lat) = half_at(point, bearing, forward)
            target = toward[0 if forward else 1]
            station = Station(
                name=f"{word}（{side_name(heading)}）",
                lon=lon,
                lat=lat,
                bearing_deg=round(heading, 3),
                carriageway=f"往{target}方向" if target else "",
                **common,
            )
            halves.append(Half(station, "", None, forward, amenities, prices, profile))
        halves[first].twin, halves[first + 1].twin = first_index + first + 1, first_index + first
    return halves


def assign_synthetic_regions(halves: Sequence[Half], geo: Geography) -> None:
    """Each synthetic station's county is the polygon it stands in, and its name starts with the county's label;
    outside Sichuan it belongs to the province and its name starts with 西部."""
    import shapely
    from shapely.geometry import shape

    rows = list(
        RegionBoundary.objects.filter(region__level=RegionLevel.COUNTY)
        .order_by("region__code")
        .values_list("region__code", "geometry")
    )
    codes = [code for code, _ in rows]
    tree = shapely.STRtree([shape(boundary) for _, boundary in rows])
    points = [shapely.Point(h.station.lon, h.station.lat) for h in halves]
    found: dict[int, str] = {}
    for i, j in zip(*tree.query(points, predicate="intersects"), strict=True):
        code = codes[int(j)]
        if int(i) not in found or code < found[int(i)]:  # on a shared border: the lower code, whatever the order
            found[int(i)] = code
    for i, half in enumerate(halves):
        code = found.get(i, "")
        station = half.station
        half.region_code = code or geo.province.code
        station.name = (geo.labels[code] if code else "西部") + station.name
        if code:
            prefecture = geo.by_code[geo.by_code[code].parent_code]
            station.address = f"{prefecture.name}{geo.by_code[code].name}（演示数据）"
        else:
            station.address = f"东经 {station.lon:.3f}°，北纬 {station.lat:.3f}°（演示数据）"
