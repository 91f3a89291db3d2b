"""The schematic lines the demo stations are placed on, and which side of the road a half stands on.

An expressway line is a corridor of chelun.stations.corridors: straight great-circle pieces between the county towns
the road passes. G108 and G318 are not in the expressway data: their lines run through the county towns listed in
``TRUNK_ROADS``. Distances, bearings and points along a piece come from chelun.core.geo.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings

from chelun.core.geo import destination_point, haversine_km, initial_bearing_deg, interpolate_great_circle
from chelun.demo.geography import Geography, load_divisions
from chelun.stations.corridors import corridors

__all__ = ["TRUNK_ROADS", "Line", "half_at", "sichuan_geography", "side_name", "site_line"]

# National and provincial roads with named sites, as the county towns they pass (coordinates from the divisions).
TRUNK_ROADS: dict[str, tuple[str, tuple[str, ...]]] = {
    "G318": (
        "318国道（川藏线）",
        ("510100", "510116", "510118", "510183", "511803", "511802", "511825", "513322", "513301", "513325"),
    ),
    "G108": ("108国道", ("510802", "510811", "510823", "510725", "510703")),
}

_RIGHT_SIDE_M = 40.0  # a half stands this far to the right of its carriageway


def half_at(point: tuple[float, float], bearing: float, forward: bool) -> tuple[float, tuple[float, float]]:
    """Heading and position of the half serving `bearing` (forward) or the opposite way: each half stands
    _RIGHT_SIDE_M to the right of its own carriageway, since China drives on the right."""
    heading = bearing if forward else (bearing + 180.0) % 360.0
    return heading, destination_point(*point, (heading + 90.0) % 360.0, _RIGHT_SIDE_M / 1000.0)


def side_name(bearing_deg: float) -> str:
    """Which side of the road a half serving `bearing_deg` stands on (its right): 北区 / 东区 / 南区 / 西区."""
    right = (bearing_deg + 90.0) % 360.0
    return ("北区", "东区", "南区", "西区")[int(((right + 45.0) % 360.0) // 90.0)]


@dataclass(frozen=True)
class Line:
    """A schematic road: its towns (code, name, lon, lat) in order and the km from the first town to each."""

    ref: str
    name: str
    towns: tuple[tuple[str, str, float, float], ...]
    cum_km: tuple[float, ...]

    @classmethod
    def through(cls, ref: str, name: str, towns: Sequence[tuple[str, str, float, float]]) -> Line:
        cum = [0.0]
        for a, b in itertools.pairwise(towns):
            cum.append(cum[-1] + haversine_km(a[2], a[3], b[2], b[3]))
        return cls(ref, name, tuple(towns), tuple(cum))

    @property
    def points(self) -> list[tuple[float, float]]:
        return [(t[2], t[3]) for t in self.towns]

    @property
    def length_km(self) -> float:
        return self.cum_km[-1]

    def km_of(self, code: str) -> float:
        return self.cum_km[[t[0] for t in self.towns].index(code)]

    def segment_at(self, km: float) -> int:
        for i in range(len(self.towns) - 2, -1, -1):
            if self.cum_km[i] <= km:
                return i
        return 0

    def at(self, km: float) -> tuple[tuple[float, float], float, int]:
        """(point on the line, bearing of its segment in the line's order, segment index) `km` from the start."""
        if not 0.0 <= km <= self.length_km:
            raise ValueError(f"{self.ref}: {km:.1f} km is off the line (0–{self.length_km:.1f} km)")
        i = self.segment_at(km)
        a, b = self.points[i], self.points[i + 1]
        fraction = (km - self.cum_km[i]) / (self.cum_km[i + 1] - self.cum_km[i])
        a, b = self.points[i], self.points[i + 1]
        fraction = (km - self.cum_km[i]) / (self.cum_km[i + 1] - self.cum_km[i])
        return interpolate_great_circle(*a, *b, fraction), initial_bearing_deg(*a, *b), i

    def nearest_county(self, km: float) -> str:
        """The county-level town nearest along the line (prefecture points such as 成都市 do not count)."""
        by_distance = sorted((abs(c - km), i) for i, c in enumerate(self.cum_km))
        return next(self.towns[i][0] for _, i in by_distance if not self.towns[i][0].endswith("00"))

    def town_names(self, segment: int) -> tuple[str, str]:
        """(previous, next) town names around a segment, for 往X方向."""
        return self.towns[segment][1], self.towns[segment + 1][1]


def site_line(ref: str, geo: Geography | None = None) -> Line:
    """The schematic line a named site is placed on: an expressway corridor, or a trunk road of TRUNK_ROADS."""
    if ref in TRUNK_ROADS:
        geo = geo or sichuan_geography()
        name, codes = TRUNK_ROADS[ref]
        towns = [(c, geo.by_code[c].name, geo.by_code[c].lon, geo.by_code[c].lat) for c in codes]
        return Line.through(ref, name, towns)
    corridor = corridors()[ref]
    return Line.through(ref, corridor.name, [(t.code, t.name, t.lon, t.lat) for t in corridor.towns])


def sichuan_geography() -> Geography:
    return load_divisions(settings.SHARED_DATA_DIR / "expressways.json")
