"""Where the demo puts things: divisions, corridor counts and freight weights per county.

Freight weights are demo weights, not statistics: a prefecture's approximate economic size, shared among its counties
by kind (urban districts carry more logistics), with known logistics hubs and expressway corridors weighted up.
Corridors come from ../shared/data/sichuan/expressways.json (routes open at least in part; the "town" lists name the
county-level units a route passes). Pure apart from :func:`load_divisions`, which reads the Region table.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "Corridor",
    "Division",
    "Geography",
    "allocate",
    "load_divisions",
    "read_corridors",
]

# Approximate relative economic size of each prefecture (≈ 2023 GDP in units of 100 亿元, rounded), used only as a
# proxy for freight activity. Not a published freight figure.
_PREFECTURE_SIZE: dict[str, float] = {
    "510100": 220,  # 成都
    "510700": 40,  # 绵阳
    "511500": 38,  # 宜宾
    "510600": 30,  # 德阳
    "511300": 28,  # 南充
    "510500": 27,  # 泸州
    "511700": 26,  # 达州
    "511100": 24,  # 乐山
    "513400": 23,  # 凉山
    "510300": 18,  # 自贡
    "511400": 17,  # 眉山
    "511000": 17,  # 内江
    "510900": 17,  # 遂宁
    "511600": 15,  # 广安
    "510400": 13,  # 攀枝花
    "510800": 12,  # 广元
    "512000": 10,  # 资阳
    "511800": 10,  # 雅安
    "511900": 8,  # 巴中
    "513200": 5,  # 阿坝
    "513300": 5,  # 甘孜
}
# Chengdu's size is damped so it gets "more", not nearly half of everything.
_PREFECTURE_EXPONENT = 0.75

_KIND_FACTOR = {"市辖区": 1.5, "县级市": 1.2, "县": 1.0, "自治县": 0.7}

# Known logistics hubs (rail ports, road ports, river ports, airports) and Chengdu's inner districts, which have
# offices rather than yards.
_HUB_FACTOR: dict[str, float] = {
    "510113": 2.0,  # 青白江区: 成都国际铁路港
    "510114": 1.7,  # 新都区: 公路港
    "510116": 1.4,  # 双流区: 空港
    "510112": 1.4,  # 龙泉驿区
    "510185": 1.3,  # 简阳市: 天府国际机场
    "510104": 0.7,  # 锦江区
    "510105": 0.7,  # 青羊区
    "510106": 0.8,  # 金牛区
    "510107": 0.8,  # 武侯区
    "510108": 0.8,  # 成华区
    "511502": 1.3,  # 翠屏区: 宜宾港
    "510504": 1.3,  # 龙马潭区: 泸州港
}


@dataclass(frozen=True)
class Division:
    code: str
    name: str
    short_name: str
    level: str  # province / prefecture / county
    kind: str
    parent_code: str
    lon: float
    lat: float


@dataclass(frozen=True)
class Corridor:
    ref: str  # "G5"
    name: str  # "京昆高速"
    county_codes: tuple[str, ...]  # county-level towns on open segments, in order
    prefecture_codes: tuple[str, ...]  # prefecture-level entries ("成都市 via ring"), spread to urban districts


def read_corridors(path: Path) -> list[Corridor]:
    """Routes of expressways.json with at least one segment open (fully or in part)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    corridors = []
    for route in data["routes"]:
        counties: list[str] = []
        prefectures: list[str] = []
        for segment in route["segments"]:
            status = segment["status"].lower()
            if not (status.startswith("open") or "partly open" in status):
                continue
            for town in segment["towns"]:
                code = town.get("code")
                if not code:
                    continue
                target = prefectures if code.endswith("00") else counties
                if code not in target:
                    target.append(code)
        if counties or prefectures:
            corridors.append(Corridor(route["ref"], route["name"], tuple(counties), tuple(prefectures)))
    return corridors


def _distance_km(a: Division, b: Division) -> float:
    # Equirectangular approximation: plenty for ranking neighbours inside one province.
    x = math.radians(b.lon - a.lon) * math.cos(math.radians((a.lat + b.lat) / 2))
    y = math.radians(b.lat - a.lat)
    return 6371.0 * math.hypot(x, y)


@dataclass
class Geography:
    """The divisions and everything the seed derives from them, in code order."""

    province: Division
    prefectures: list[Division]
    counties: list[Division]
    corridors: list[Corridor]
    by_code: dict[str, Division] = field(init=False)
    routes_by_county: dict[str, list[Corridor]] = field(init=False)
    freight_weight: dict[str, float] = field(init=False)
    grid_weight: dict[str, float] = field(init=False)
    labels: dict[str, str] = field(init=False)

    def __post_init__(self) -> None:
        self.by_code = {d.code: d for d in (self.province, *self.prefectures, *self.counties)}
        self.routes_by_county = {c.code: [] for c in self.counties}
        ring_credit = dict.fromkeys(self.routes_by_county, 0.0)
        for corridor in self.corridors:
            for code in corridor.county_codes:
                if code in self.routes_by_county:
                    self.routes_by_county[code].append(corridor)
            for pref in corridor.prefecture_codes:
                # "成都市 (via the ring road)": the route touches the city's urban districts, not one county.
                for county in self.counties:
                    if county.parent_code == pref and county.kind == "市辖区":
                        ring_credit[county.code] += 0.5
        shares: dict[str, float] = {}
        routes: dict[str, float] = {}
        pref_totals: dict[str, float] = {}
        for county in self.counties:
            routes[county.code] = len(self.routes_by_county[county.code]) + ring_credit[county.code]
            shares[county.code] = (
                _KIND_FACTOR.get(county.kind, 1.0)
                * _HUB_FACTOR.get(county.code, 1.0)
                * (1 + 0.35 * routes[county.code])
            )
            pref_totals[county.parent_code] = pref_totals.get(county.parent_code, 0.0) + shares[county.code]
        self.freight_weight = {}
        self.grid_weight = {}
        for county in self.counties:
            # A prefecture's total is its size, however many counties it has; its counties share it.
            pref_size = _PREFECTURE_SIZE.get(county.parent_code, 5.0) ** _PREFECTURE_EXPONENT
            weight = pref_size * shares[county.code] / pref_totals[county.parent_code]
            self.freight_weight[county.code] = weight
            # Grid branches follow the corridors (a county where several meet gets more, up to a point); a county
            # off them still gets a few for its resident drivers.
            on_corridors = min(len(self.routes_by_county[county.code]), 3) + min(ring_credit[county.code], 0.5)
            self.grid_weight[county.code] = weight**0.4 * (0.2 + on_corridors)
        names = [c.name for c in self.counties]
        self.labels = {}
        for county in self.counties:
            prefecture = self.by_code[county.parent_code]
            # 市中区 exists in 乐山 and 内江; 东区 / 西区 mean nothing without 攀枝花.
            ambiguous = names.count(county.name) > 1 or (county.kind == "市辖区" and len(county.name) <= 2)
            self.labels[county.code] = (prefecture.short_name if ambiguous else "") + county.short_name

    def prefecture_of(self, county_code: str) -> Division:
        return self.by_code[self.by_code[county_code].parent_code]

    def display_name(self, county_code: str) -> str:
        """The county's full name, with its prefecture in front where the name alone is ambiguous (乐山市市中区)."""
        county = self.by_code[county_code]
        if self.labels[county_code] != county.short_name:
            return self.prefecture_of(county_code).name + county.name
        return county.name

    def nearest_counties(self, county_code: str) -> list[str]:
        """All county codes ordered by distance from `county_code` (itself first)."""
        origin = self.by_code[county_code]
        return sorted((c.code for c in self.counties), key=lambda code: _distance_km(origin, self.by_code[code]))


def load_divisions(corridors_path: Path) -> Geography:
    """Build the Geography from the Region rows (load them first with chelun.core.regions.regions_load)."""
    from chelun.core.models import Region, RegionLevel

    rows = Region.objects.select_related("parent").order_by("code")
    divisions = [
        Division(
            code=r.code,
            name=r.name,
            short_name=r.short_name or r.name,
            level=r.level,
            kind=r.kind,
            parent_code=r.parent.code if r.parent else "",
            lon=r.lon,
            lat=r.lat,
        )
        for r in rows.only("code", "name", "short_name", "level", "kind", "lon", "lat", "parent__code")
    ]
    province = next(d for d in divisions if d.level == RegionLevel.PROVINCE)
    return Geography(
        province=province,
        prefectures=[d for d in divisions if d.level == RegionLevel.PREFECTURE],
        counties=[d for d in divisions if d.level == RegionLevel.COUNTY],
        corridors=read_corridors(corridors_path),
    )


def allocate(total: int, weights: Sequence[float]) -> list[int]:
    """Split `total` into integers proportional to `weights` (largest remainder; ties by position). Exact sum."""
    weight_sum = sum(weights)
    if total < 0 or weight_sum <= 0:
        raise ValueError("allocate needs a non-negative total and a positive weight sum")
    quotas = [total * w / weight_sum for w in weights]
    counts = [math.floor(q) for q in quotas]
    short = total - sum(counts)
    order = sorted(range(len(weights)), key=lambda i: (-(quotas[i] - counts[i]), i))
    for i in order[:short]:
        counts[i] += 1
    return counts
