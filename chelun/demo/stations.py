"""The demo 暖心之家 stations: the named Sichuan sites, their operators, history and money, and a synthetic set.

Entry point: :func:`seed_stations`, called by ``manage.py seed_demo`` once the organisation tree exists (each named
site is run by its county's industry committee). Same rng state, scale and ``now`` -> same rows; nothing depends on
the clock except through ``now`` (auto ``created_at`` / ``updated_at`` columns aside).

**Counting.** A *site* is one place (金堂服务区). An expressway site is two Station rows, one per half (one per
carriageway, linked by ``pair``); a trunk-road site is one row. The 20 named sites are therefore 37 rows: 17
expressway sites x 2 halves + 3 trunk-road sites (小剑门 on G108, 喇叭河 and 新都桥 on G318). A site's *primary* half
is the one holding the 暖心之家 building: it has the site's class (A or B), the published capacity (金堂: 40 truck
spaces, 6 beds at 1 元), the check-ins that need a bed, the operating costs and the subsidies. The other half of an
A-class site is a B-class half (parking, shower, laundry … but no beds); ``halves_linked`` marks the sites where an
underpass lets drivers cross.

**Where.** Each named site sits on the schematic corridor line (chelun.stations.corridors: straight great-circle
pieces between the county towns a road passes), at a fixed distance from one of its towns, so along-corridor search
finds it within the 300 m expressway corridor; each half is 40 m to the right of its carriageway (China drives on the
right) and faces the corridor's bearing there (``bearing_deg``; the twin +180°). G108 and G318 are not in the
expressway data: their lines run through the county towns listed in ``TRUNK_ROADS``. The region is the county whose
town is nearest along the line. Names other than the reported ones (金堂, 西昌, 万源北, 喇叭河, 小剑门, 新都桥) are
demo placements at plausible service areas, not a claim that a 暖心之家 stands there.

**History** (named sites, both halves): ``HISTORY`` (8 weeks and 2 days) of operator counts every 30–60 min while
open, following an hour-of-week occupancy curve (full at night, emptiest early afternoon, lighter on Saturday night),
with the odd driver confirmation; the live fields come from the latest count, 5–20 min before ``now`` for most halves
and 70–240 min for ``STALE_HALVES`` of them (shown as "unknown"). Check-ins over the last 8 weeks use services in the
proportions of Jintang's first month; feedback is mostly answered within 24 h, a few are open and a couple escalated.
Funding: monthly costs for the ``COST_MONTHS`` complete months before ``now`` and subsidies from the four sources, each
a balanced ledger transaction (chelun.core.ledger.ledger_post); most sites are above the 50 % target, 2–4 below.

**Synthetic set** (``is_demo_synthetic=True``, for benchmarks and maps): ``SYNTHETIC_COUNTS[scale]`` open stations,
about half on the corridor lines (expressway halves in pairs), the rest scattered over western China (lon 97–110,
lat 24–35); in Sichuan they belong to the county they stand in, elsewhere to the province committee. Each has one
status report, most of them fresh; no other history.

**Logins.** ``zhanzhang`` runs both 金堂 halves; every other named site gets an operator ``op-<primary station id>``
(not printed). They get the demo password (chelun.demo.accounts.DEMO_PASSWORD) when ``demo_passwords`` is true (by
default: settings.DEBUG); otherwise they cannot log in with a password.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from auditlog.context import disable_auditlog
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import connection, models, transaction
from django.utils import timezone

from chelun.accounts.models import User
from chelun.core.geo import EARTH_RADIUS_KM, haversine_km
from chelun.core.ledger import ledger_post
from chelun.core.models import Region, RegionBoundary, RegionLevel
from chelun.demo.accounts import DEMO_PASSWORD
from chelun.demo.geography import Geography, allocate, load_divisions
from chelun.demo.names import ethnic_share, person_name
from chelun.orgs.choices import OrgKind, OrgStatus
from chelun.orgs.models import Organization
from chelun.stations import selectors, services
from chelun.stations.choices import (
    FREE_BY_STANDARD,
    Amenity,
    CheckInService,
    CostCategory,
    FeedbackIssue,
    FeedbackStatus,
    FundingSource,
    StationClass,
    StationKind,
    StationStatus,
    StatusSource,
)
from chelun.stations.corridors import corridors
from chelun.stations.models import (
    CheckIn,
    CostReport,
    Feedback,
    Station,
    StationAmenity,
    StationPrice,
    StatusReport,
    SubsidyContribution,
)

__all__ = [
    "CHECKIN_SERVICE_WEIGHTS",
    "HISTORY",
    "NAMED_SITES",
    "OPERATOR_USERNAME",
    "SCENARIO_SITE",
    "SYNTHETIC_COUNTS",
    "TRUNK_ROADS",
    "Line",
    "SiteSpec",
    "StationSeedResult",
    "seed_stations",
    "site_line",
]

# Synthetic stations per scale (named sites and their history are the same at every scale).
SYNTHETIC_COUNTS = {"tiny": 20, "small": 200, "full": 2400}
# The forecast reads 8 weeks back from its target moment: two more days cover ETAs up to two days ahead.
HISTORY = dt.timedelta(weeks=8, days=2)
CHECKIN_WEEKS = 8
COST_MONTHS = 6
STALE_HALVES = 3
OPERATOR_USERNAME = "zhanzhang"
# The browser scenario: a shower 3–4 h (210–280 km at 70 km/h on the schematic line) south of 成都 on G5.
SCENARIO_SITE = "shimian"

# Jintang's first month (reference/stations.md §1.1): consultation 314, laundry/drying 146, washing machine 46,
# showers 76, overnight 20, kitchen/canteen 11, rest area 10. Laundry and washing machine are both "laundry" here.
CHECKIN_SERVICE_WEIGHTS: dict[str, int] = {
    CheckInService.CONSULTATION: 314,
    CheckInService.LAUNDRY: 146 + 46,
    CheckInService.SHOWER: 76,
    CheckInService.BED: 20,
    CheckInService.MEAL: 11,
    CheckInService.PARKING: 10,
}
# 752 uses by 340 drivers: about 2.2 services a visit.
_USES_PER_VISIT = 752 / 340

# National and provincial roads with named sites, as the county towns they pass (coordinates from the divisions).
TRUNK_ROADS: dict[str, tuple[str, tuple[str, ...]]] = {
    "G318": (
        "318国道（川藏线）",
        ("510100", "510116", "510118", "510183", "511803", "511802", "511825", "513322", "513301", "513325"),
    ),
    "G108": ("108国道", ("510802", "510811", "510823", "510725", "510703")),
}

_RIGHT_SIDE_M = 40.0  # a half stands this far to the right of its carriageway
_MAX_SYNTHETIC_SEGMENT_KM = 150.0  # longer schematic pieces jump through Chongqing: nothing placed on them


# --------------------------------------------------------------------------------------------------------------
# Geometry on the schematic lines (pure)
# --------------------------------------------------------------------------------------------------------------


def _to_vec(lon: float, lat: float) -> tuple[float, float, float]:
    lo, la = math.radians(lon), math.radians(lat)
    return math.cos(la) * math.cos(lo), math.cos(la) * math.sin(lo), math.sin(la)


def _from_vec(v: tuple[float, float, float]) -> tuple[float, float]:
    x, y, z = v
    return math.degrees(math.atan2(y, x)), math.degrees(math.atan2(z, math.hypot(x, y)))


def _bearing(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Initial great-circle bearing from a to b, the formula routing.Route uses for a segment's heading."""
    lat1, lat2 = math.radians(a[1]), math.radians(b[1])
    dlon = math.radians(b[0] - a[0])
    east = math.sin(dlon) * math.cos(lat2)
    north = math.cos(lat1) * math.sin(lat2) - math.sin(lat1) * math.cos(lat2) * math.cos(dlon)
    return math.degrees(math.atan2(east, north)) % 360.0


def _slerp(a: tuple[float, float], b: tuple[float, float], fraction: float) -> tuple[float, float]:
    """The point `fraction` of the way along the great-circle arc from a to b (on the line, not near it)."""
    va, vb = _to_vec(*a), _to_vec(*b)
    omega = math.acos(max(-1.0, min(1.0, sum(p * q for p, q in zip(va, vb, strict=True)))))
    if omega < 1e-12:
        return a
    wa, wb = math.sin((1 - fraction) * omega) / math.sin(omega), math.sin(fraction * omega) / math.sin(omega)
    x, y, z = (wa * p + wb * q for p, q in zip(va, vb, strict=True))
    return _from_vec((x, y, z))


def _destination(point: tuple[float, float], bearing_deg: float, km: float) -> tuple[float, float]:
    lat1, lon1 = math.radians(point[1]), math.radians(point[0])
    theta, delta = math.radians(bearing_deg), km / EARTH_RADIUS_KM
    lat2 = math.asin(math.sin(lat1) * math.cos(delta) + math.cos(lat1) * math.sin(delta) * math.cos(theta))
    lon2 = lon1 + math.atan2(
        math.sin(theta) * math.sin(delta) * math.cos(lat1), math.cos(delta) - math.sin(lat1) * math.sin(lat2)
    )
    return math.degrees(lon2), math.degrees(lat2)


def _half_at(point: tuple[float, float], bearing: float, forward: bool) -> tuple[float, tuple[float, float]]:
    """Heading and position of the half serving `bearing` (forward) or the opposite way: each half stands
    _RIGHT_SIDE_M to the right of its own carriageway, since China drives on the right."""
    heading = bearing if forward else (bearing + 180.0) % 360.0
    return heading, _destination(point, (heading + 90.0) % 360.0, _RIGHT_SIDE_M / 1000.0)


def _side_name(bearing_deg: float) -> str:
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
        return _slerp(a, b, fraction), _bearing(a, b), i

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
        geo = geo or _geography()
        name, codes = TRUNK_ROADS[ref]
        towns = [(c, geo.by_code[c].name, geo.by_code[c].lon, geo.by_code[c].lat) for c in codes]
        return Line.through(ref, name, towns)
    corridor = corridors()[ref]
    return Line.through(ref, corridor.name, [(t.code, t.name, t.lon, t.lat) for t in corridor.towns])


def _geography() -> Geography:
    return load_divisions(settings.SHARED_DATA_DIR / "expressways.json")


# --------------------------------------------------------------------------------------------------------------
# The named sites
# --------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SiteSpec:
    """One named site. `offset_km` is measured from the `anchor` town along the line, in the line's order."""

    key: str
    name: str
    road: str
    anchor: str
    offset_km: float
    kind: str = StationKind.EXPRESSWAY
    station_class: str = StationClass.B
    spaces: int = 40
    twin_spaces: int = 30
    beds: int = 0
    hours: tuple[dt.time, dt.time] | None = None  # None: open 24 h
    toward: tuple[str, str] = ("", "")  # 往X方向 for the half following the line's order, then the other one
    security: str = "CL"  # C cctv, G guards, L lighting, F fence
    meal_fen: int = 1200
    bed_fen: int = 0
    linked: bool = False
    # Share of spaces taken at night; None draws one. 石棉 keeps room, so the browser scenario does not meet "full".
    night_occupancy: float | None = None


_T = dt.time
_TRUNK = StationKind.TRUNK_ROAD
_A, _B = StationClass.A, StationClass.B

NAMED_SITES: tuple[SiteSpec, ...] = (
    # The first (Dec 2021): 40 truck spaces, 6 beds at 1 元/night, 24 h, a 10 元 meal (2荤2素1汤).
    SiteSpec("jintang", "金堂服务区暖心之家", "G42", "510121", 6, station_class=_A, spaces=40, twin_spaces=28, beds=6,
             toward=("成都", "南充"), security="CGLF", meal_fen=1000, bed_fen=100, linked=True),
    SiteSpec("xichang", "西昌服务区暖心之家", "G5", "513401", -12, station_class=_A, spaces=60, twin_spaces=45, beds=8,
             toward=("攀枝花", "成都"), security="CGLF", bed_fen=1000),
    SiteSpec("wanyuanbei", "万源北服务区暖心之家", "G65", "511781", 6, spaces=30, twin_spaces=24,
             toward=("达州", "安康"), security="CLF"),
    SiteSpec("labahe", "喇叭河暖心之家", "G318", "511825", 14, kind=_TRUNK, spaces=25, hours=(_T(7), _T(22)),
             security="L", meal_fen=1500),
    SiteSpec("xiaojianmen", "小剑门暖心之家", "G108", "510823", -14, kind=_TRUNK, spaces=20,
             hours=(_T(7, 30), _T(22, 30)), security="CL"),
    SiteSpec("xinduqiao", "新都桥暖心之家", "G318", "513301", 44, kind=_TRUNK, station_class=_A, spaces=35, beds=10,
             security="CGL", meal_fen=1500, bed_fen=1500),
    SiteSpec("shimian", "石棉服务区暖心之家", "G5", "511824", -8, spaces=45, twin_spaces=36, toward=("西昌", "雅安"),
             security="CLF", night_occupancy=0.74),
    SiteSpec("mianyang", "绵阳服务区暖心之家", "G5", "510703", 10, station_class=_A, spaces=70, twin_spaces=55, beds=8,
             toward=("成都", "广元"), security="CGLF", bed_fen=1000, linked=True),
    SiteSpec("nanchong", "南充服务区暖心之家", "G42", "511304", 8, spaces=50, twin_spaces=40, toward=("成都", "广安"),
             security="CLF"),
    SiteSpec("guangan", "广安服务区暖心之家", "G42", "511602", 10, spaces=35, twin_spaces=30, toward=("南充", "重庆"),
             security="CL"),
    SiteSpec("dazhou", "达州服务区暖心之家", "G65", "511703", 12, station_class=_A, spaces=55, twin_spaces=40, beds=6,
             toward=("重庆", "万源"), security="CGL", bed_fen=800),
    SiteSpec("langzhong", "阆中服务区暖心之家", "G75", "511381", 8, spaces=30, twin_spaces=25,
             hours=(_T(6, 30), _T(22, 30)), toward=("南充", "广元"), security="L"),
    SiteSpec("longchang", "隆昌服务区暖心之家", "G76", "511083", 6, station_class=_A, spaces=60, twin_spaces=50, beds=8,
             toward=("成都", "泸州"), security="CGLF", bed_fen=1000, linked=True),
    SiteSpec("zizhong", "资中服务区暖心之家", "G76", "511025", 8, spaces=40, twin_spaces=35, toward=("成都", "内江"),
             security="CLF"),
    SiteSpec("bazhong", "巴中服务区暖心之家", "G85", "511902", 6, spaces=30, twin_spaces=24, toward=("南充", "汉中"),
             security="CL"),
    SiteSpec("yibin", "宜宾服务区暖心之家", "G85", "511502", -10, spaces=40, twin_spaces=32, toward=("昆明", "自贡"),
             security="CLF"),
    SiteSpec("fushun", "富顺服务区暖心之家", "G4215", "510322", 8, spaces=35, twin_spaces=30, toward=("泸州", "成都"),
             security="CL"),
    SiteSpec("leshan", "乐山服务区暖心之家", "G93", "511102", 10, spaces=40, twin_spaces=35, toward=("雅安", "宜宾"),
             security="CLF"),
    SiteSpec("wenchuan", "汶川服务区暖心之家", "G4217", "513221", 10, station_class=_A, spaces=30, twin_spaces=24,
             beds=6, toward=("马尔康", "成都"), security="CGL", meal_fen=1500, bed_fen=1200),
    SiteSpec("anyue", "安岳服务区暖心之家", "G5013", "512021", 8, spaces=35, twin_spaces=30,
             hours=(_T(6), _T(23)), toward=("成都", "重庆"), security="CL"),
)  # fmt: skip

# Sichuan B class: parking, fuel, charging, rest, laundry, shower, washing, toilet, security, affordable meals, shop,
# free network; every 暖心之家 also does party, government and legal services. A adds kitchen, beds, reading, repair.
B_AMENITIES = (
    Amenity.TRUCK_PARKING,
    Amenity.SHOWER,
    Amenity.LAUNDRY,
    Amenity.HOT_WATER,
    Amenity.FOOD_HEATING,
    Amenity.HOT_MEAL,
    Amenity.TOILET,
    Amenity.WIFI,
    Amenity.REST_ROOM,
    Amenity.MEDICAL_KIT,
)
A_EXTRA = (Amenity.KITCHEN, Amenity.BEDS, Amenity.READING_ROOM, Amenity.REPAIR, Amenity.DRYING)
PARTY_AMENITIES = (Amenity.PARTY_ROOM, Amenity.LEGAL_AID)
ROADSIDE_AMENITIES = (Amenity.FUEL_NEARBY, Amenity.CHARGING_NEARBY)

# 区号 of the prefectures, for the stations' service lines (资阳 and 眉山 dial 028 since 2016).
_AREA_CODES = {
    "510100": "028", "510300": "0813", "510400": "0812", "510500": "0830", "510600": "0838", "510700": "0816",
    "510800": "0839", "510900": "0825", "511000": "0832", "511100": "0833", "511300": "0817", "511400": "028",
    "511500": "0831", "511600": "0826", "511700": "0818", "511800": "0835", "511900": "0827", "512000": "028",
    "513200": "0837", "513300": "0836", "513400": "0834",
}  # fmt: skip


# --------------------------------------------------------------------------------------------------------------
# Plans: unsaved rows and what goes with them
# --------------------------------------------------------------------------------------------------------------


@dataclass
class _Report:
    source: str
    is_open: bool | None
    free: int | None
    level: str
    at: dt.datetime


@dataclass
class _FeedbackPlan:
    rating: int
    issues: list[str]
    text: str
    created_at: dt.datetime
    status: str
    reply: str = ""
    replied_at: dt.datetime | None = None
    escalated_at: dt.datetime | None = None


@dataclass
class _Half:
    """One Station row to insert (unsaved until _insert_stations), with its amenities, prices and history."""

    station: Station
    region_code: str
    site: SiteSpec | None
    primary: bool
    amenities: tuple[str, ...]
    prices: dict[str, tuple[int, str]]
    profile: tuple[float, float, float]  # day occupancy, night occupancy, noise
    twin: int | None = None
    reports: list[_Report] = field(default_factory=list)
    checkins: list[tuple[list[str], dt.datetime, str]] = field(default_factory=list)  # services, at, visitor key
    feedback: list[_FeedbackPlan] = field(default_factory=list)


@dataclass(frozen=True)
class StationSeedResult:
    named_sites: int
    named_stations: int
    synthetic_stations: int
    status_reports: int
    checkins: int
    feedback: int
    subsidies: int
    # (username, what it is) for the printed demo logins; the op-<id> operators are not listed.
    logins: tuple[tuple[str, str], ...]
    seconds: float


def _security(code: str) -> dict[str, bool]:
    return {"cctv": "C" in code, "guards": "G" in code, "lighting": "L" in code, "fence": "F" in code}


def _prices(amenities: Sequence[str], *, meal_fen: int, bed_fen: int, drying_fen: int) -> dict[str, tuple[int, str]]:
    """The five basic services free by standard; meals, beds and drying at the site's price; the kitchen free."""
    prices = {a: (0, "次") for a in amenities if a in FREE_BY_STANDARD}
    if Amenity.HOT_MEAL in amenities:
        prices[Amenity.HOT_MEAL] = (meal_fen, "份")
    if Amenity.BEDS in amenities:
        prices[Amenity.BEDS] = (bed_fen, "晚")
    if Amenity.DRYING in amenities:
        prices[Amenity.DRYING] = (drying_fen, "次")
    if Amenity.KITCHEN in amenities:
        prices[Amenity.KITCHEN] = (0, "次")
    return prices


def _phone(rng: random.Random, prefecture_code: str) -> str:
    area = _AREA_CODES.get(prefecture_code, "028")
    digits = 8 if area == "028" else 7
    return f"{area}-{rng.choice('2345678')}{rng.randrange(10 ** (digits - 1)):0{digits - 1}d}"


def _profile(rng: random.Random, night: float | None = None) -> tuple[float, float, float]:
    night_occupancy = night if night is not None else rng.uniform(0.82, 0.97)
    return rng.uniform(0.22, 0.42), night_occupancy, rng.uniform(0.03, 0.06)


def _hours(hours: tuple[dt.time, dt.time] | None) -> dict[str, object]:
    return {
        "open_24h": hours is None,
        "opens_at": hours[0] if hours else None,
        "closes_at": hours[1] if hours else None,
    }


def _plan_named(rng: random.Random, geo: Geography, now: dt.datetime) -> list[_Half]:
    halves: list[_Half] = []
    lines: dict[str, Line] = {}
    for site in NAMED_SITES:
        if site.road not in lines:
            lines[site.road] = site_line(site.road, geo)
        line = lines[site.road]
        km = line.km_of(site.anchor) + site.offset_km
        point, bearing, _segment = line.at(km)
        county = line.nearest_county(km)
        prefecture = geo.by_code[county].parent_code
        place = geo.by_code[prefecture].name + geo.by_code[county].name
        common: dict[str, object] = {
            "kind": site.kind,
            "corridor_ref": site.road,
            "contact_name": person_name(rng, rng.choice(("male", "male", "female")), ethnic_share(county, prefecture)),
            "contact_phone": _phone(rng, prefecture),
            "status": StationStatus.OPEN,
            "verified_at": now - dt.timedelta(days=rng.randint(3, 80), hours=rng.randint(0, 23)),
            "is_demo_synthetic": False,
            **_hours(site.hours),
        }
        drying_fen = rng.choice((200, 300))
        if site.kind != StationKind.EXPRESSWAY:
            amenities = (*B_AMENITIES, *PARTY_AMENITIES, *(A_EXTRA if site.station_class == _A else ()))
            if rng.random() < 0.5:
                amenities = (*amenities, Amenity.FUEL_NEARBY)
            station = Station(
                name=site.name,
                station_class=site.station_class,
                lon=point[0],
                lat=point[1],
                address=f"{place}，{line.name}旁",
                truck_spaces=site.spaces,
                beds=site.beds,
                **_security(site.security),
                **common,
            )
            prices = _prices(amenities, meal_fen=site.meal_fen, bed_fen=site.bed_fen, drying_fen=drying_fen)
            profile = _profile(rng, site.night_occupancy)
            halves.append(_Half(station, county, site, True, amenities, prices, profile))
            continue
        first = len(halves)
        for primary in (True, False):  # the 暖心之家 building stands on the half following the line's order
            heading, (lon, lat) = _half_at(point, bearing, primary)
            station_class = site.station_class if primary else _B
            amenities = (*B_AMENITIES, *PARTY_AMENITIES, *ROADSIDE_AMENITIES, *(A_EXTRA if station_class == _A else ()))
            if station_class == _B and rng.random() < 0.5:
                amenities = (*amenities, Amenity.DRYING)
            side = _side_name(heading)
            station = Station(
                name=f"{site.name}（{side}）",
                station_class=station_class,
                lon=lon,
                lat=lat,
                carriageway=f"往{site.toward[0 if primary else 1]}方向",
                bearing_deg=round(heading, 3),
                halves_linked=site.linked,
                address=f"{place}，{site.road}{line.name}{site.name.removesuffix('暖心之家')}{side}",
                truck_spaces=site.spaces if primary else site.twin_spaces,
                beds=site.beds if primary else 0,
                **_security(site.security if primary else site.security.replace("G", "")),
                **common,
            )
            prices = _prices(amenities, meal_fen=site.meal_fen, bed_fen=site.bed_fen, drying_fen=drying_fen)
            profile = _profile(rng, site.night_occupancy)
            halves.append(_Half(station, county, site, primary, amenities, prices, profile))
        halves[first].twin, halves[first + 1].twin = first + 1, first
    return halves


# --------------------------------------------------------------------------------------------------------------
# Synthetic stations
# --------------------------------------------------------------------------------------------------------------

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


def _plan_synthetic(rng: random.Random, count: int, now: dt.datetime, first_index: int) -> list[_Half]:
    """`count` synthetic stations; region codes are filled in by _synthetic_regions. Twin indices start at
    `first_index` (where these rows will sit in the combined list)."""
    lines = [site_line(ref) for ref in sorted(corridors())]
    weights = [line.length_km for line in lines]
    halves: list[_Half] = []
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
                point = _destination(point, (bearing + rng.choice((90.0, 270.0))) % 360.0, rng.uniform(0.5, 4.0))
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
        prices = _prices(
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
            **_hours(hours),
            "verified_at": now - dt.timedelta(days=rng.randint(1, 200)) if rng.random() < 0.7 else None,
            "is_demo_synthetic": True,
            **_security(security),
        }
        word = f"{_SYNTHETIC_KIND_WORD[kind]}·演示{serial:04d}"
        profile = _profile(rng)
        if bearing is None:
            station = Station(name=word, lon=point[0], lat=point[1], **common)
            halves.append(_Half(station, "", None, True, amenities, prices, profile))
            continue
        first = len(halves)
        for forward in (True, False):
            heading, (lon, lat) = _half_at(point, bearing, forward)
            target = toward[0 if forward else 1]
            station = Station(
                name=f"{word}（{_side_name(heading)}）",
                lon=lon,
                lat=lat,
                bearing_deg=round(heading, 3),
                carriageway=f"往{target}方向" if target else "",
                **common,
            )
            halves.append(_Half(station, "", None, forward, amenities, prices, profile))
        halves[first].twin, halves[first + 1].twin = first_index + first + 1, first_index + first
    return halves


def _synthetic_regions(halves: Sequence[_Half], geo: Geography) -> None:
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


# --------------------------------------------------------------------------------------------------------------
# Live status history
# --------------------------------------------------------------------------------------------------------------


def _occupancy(rng: random.Random, local: dt.datetime, profile: tuple[float, float, float]) -> float:
    """Share of truck spaces taken: full at night (peak 02:30), emptiest mid-afternoon; Saturday night is lighter
    (fewer trucks run at the weekend), Sunday evening a little fuller."""
    day, night, noise = profile
    hour = local.hour + local.minute / 60
    night_weight = (0.5 + 0.5 * math.cos(2 * math.pi * (hour - 2.5) / 24)) ** 1.5
    taken = day + (night - day) * night_weight
    weekday = local.weekday()
    if (weekday == 5 and hour >= 18) or (weekday == 6 and hour < 6):
        taken -= 0.08
    elif weekday == 6 and hour >= 18:
        taken += 0.03
    return min(1.0, max(0.0, taken + rng.gauss(0.0, noise)))


def _count(rng: random.Random, half: _Half, moment: dt.datetime, tz: ZoneInfo) -> int:
    capacity = half.station.truck_spaces
    return capacity - round(capacity * _occupancy(rng, moment.astimezone(tz), half.profile))


def _plan_history(rng: random.Random, half: _Half, now: dt.datetime, lag_minutes: float) -> None:
    """Operator counts every 30–60 min while open, back HISTORY from `now - lag`; a closing report at each
    posted closing time; now and then a driver's one-tap confirmation between two counts."""
    station, tz = half.station, ZoneInfo(settings.TIME_ZONE)
    capacity = station.truck_spaces
    start = now - HISTORY
    moment = now - dt.timedelta(minutes=lag_minutes)
    reports: list[_Report] = []
    while moment > start:
        if selectors.station_is_open_at(station, moment):
            free = _count(rng, half, moment, tz)
            reports.append(_Report(StatusSource.OPERATOR, True, free, services.level_for_count(free, capacity), moment))
            tap = moment + dt.timedelta(minutes=rng.uniform(5, 25))
            if len(reports) > 1 and rng.random() < 0.08 and selectors.station_is_open_at(station, tap):
                seen = _count(rng, half, tap, tz)
                reports.append(_Report(StatusSource.DRIVER, None, None, services.level_for_count(seen, capacity), tap))
        moment -= dt.timedelta(minutes=rng.uniform(30, 60))
    if station.closes_at is not None:
        day = start.astimezone(tz).date()
        while day <= now.astimezone(tz).date():
            closing = dt.datetime.combine(day, station.closes_at, tzinfo=tz) + dt.timedelta(minutes=rng.uniform(0, 8))
            if start < closing <= now:
                reports.append(_Report(StatusSource.OPERATOR, False, None, "", closing))
            day += dt.timedelta(days=1)
    half.reports = sorted(reports, key=lambda r: r.at)


def _plan_snapshot(rng: random.Random, half: _Half, now: dt.datetime) -> None:
    """A synthetic station's one report: fresh for most, hours old for some, none for the rest."""
    roll = rng.random()
    if roll < 0.15:
        return
    age = dt.timedelta(minutes=rng.uniform(2, 55)) if roll < 0.85 else dt.timedelta(hours=rng.uniform(2, 30))
    moment = now - age
    capacity = half.station.truck_spaces
    if selectors.station_is_open_at(half.station, moment):
        free = _count(rng, half, moment, ZoneInfo(settings.TIME_ZONE))
        half.reports = [_Report(StatusSource.OPERATOR, True, free, services.level_for_count(free, capacity), moment)]
    else:
        half.reports = [_Report(StatusSource.OPERATOR, False, None, "", moment)]


def _set_live(half: _Half) -> None:
    """The live fields from the latest operator report, as station_status_set leaves them (the plans never put a
    driver's confirmation last)."""
    station = half.station
    for report in reversed(half.reports):
        if report.source == StatusSource.OPERATOR:
            station.live_open, station.live_free_spaces, station.live_level = report.is_open, report.free, report.level
            station.live_source, station.live_observed_at = report.source, report.at
            return


# --------------------------------------------------------------------------------------------------------------
# Inserting stations, operators and reports
# --------------------------------------------------------------------------------------------------------------


def _committees(geo: Geography) -> dict[str, int]:
    """Region code -> the industry committee running stations there: the county's, else its prefecture's, else the
    province's (the seed always has all three levels; the fallback keeps partial trees working)."""
    rows = (
        Organization.objects.filter(kind=OrgKind.INDUSTRY_COMMITTEE, status=OrgStatus.ACTIVE)
        .order_by("-depth", "-pk")
        .values_list("region__code", "pk")
    )
    own = dict(rows)  # the shallowest, then oldest, committee of a region wins (it is written last)
    province = own.get(geo.province.code)
    if province is None:
        raise RuntimeError("seed_stations needs the organisation tree: no province industry committee")
    result = {}
    for code, division in geo.by_code.items():
        result[code] = own.get(code) or own.get(division.parent_code) or province
    return result


def _insert_stations(halves: Sequence[_Half], geo: Geography) -> None:
    region_pks = dict(Region.objects.values_list("code", "pk"))
    committees = _committees(geo)
    for half in halves:
        station = half.station
        station.region_id = region_pks[half.region_code]
        station.organization_id = committees[half.region_code]
        station.security_grade = services.security_grade_for(
            cctv=station.cctv, guards=station.guards, lighting=station.lighting, fence=station.fence
        )
        _set_live(half)
    Station.objects.bulk_create([h.station for h in halves], batch_size=500)
    paired = []
    for half in halves:
        if half.twin is not None:
            half.station.pair_id = halves[half.twin].station.pk
            paired.append(half.station)
    Station.objects.bulk_update(paired, ["pair"], batch_size=500)
    StationAmenity.objects.bulk_create(
        [StationAmenity(station=h.station, amenity=a) for h in halves for a in h.amenities], batch_size=2000
    )
    StationPrice.objects.bulk_create(
        [
            StationPrice(station=h.station, service=s, price_fen=fen, unit=unit, free_by_standard=s in FREE_BY_STANDARD)
            for h in halves
            for s, (fen, unit) in h.prices.items()
        ],
        batch_size=2000,
    )


def _insert_operators(named: Sequence[_Half], demo_passwords: bool) -> dict[str, User]:
    """One operator per named site (both halves): `zhanzhang` for 金堂, op-<primary station id> for the others.
    A `zhanzhang` that already exists is reused as it is."""
    password = make_password(DEMO_PASSWORD if demo_passwords else None)  # hashed once: the hasher is slow
    primaries = [h for h in named if h.primary and h.site is not None]
    existing = User.objects.filter(username=OPERATOR_USERNAME).first()
    users: dict[str, User] = {}
    new = []
    for half in primaries:
        assert half.site is not None
        if half.site.key == "jintang" and existing is not None:
            users[half.site.key] = existing
            continue
        username = OPERATOR_USERNAME if half.site.key == "jintang" else f"op-{half.station.pk}"
        user = User(username=username, first_name=half.station.contact_name, password=password)
        users[half.site.key] = user
        new.append(user)
    User.objects.bulk_create(new)  # SQLite and PostgreSQL return the keys
    Station.operators.through.objects.bulk_create(
        [
            Station.operators.through(station_id=h.station.pk, user_id=users[h.site.key].pk)
            for h in named
            if h.site is not None
        ]
    )
    return users


def _insert_reports(halves: Sequence[_Half], operators: dict[str, User]) -> int:
    """The status history, some 70,000 rows at any scale. bulk_create would build a model instance and prepare every
    value of each row (about 10 s); plain tuples go in instead, datetimes adapted by the backend."""
    adapt = connection.ops.adapt_datetimefield_value
    rows = []
    for half in halves:
        operator = operators[half.site.key].pk if half.site is not None else None
        for r in half.reports:
            reporter = operator if r.source == StatusSource.OPERATOR else None
            rows.append((half.station.pk, r.source, r.is_open, r.free, r.level, adapt(r.at), reporter))
    fields = ("station", "source", "is_open", "free_spaces", "level", "observed_at", "reporter")
    _insert_rows(StatusReport, fields, rows)
    return len(rows)


def _insert_rows(model: type[models.Model], fields: Sequence[str], rows: Sequence[tuple[Any, ...]]) -> None:
    """Multi-row INSERTs of ready database values, as many rows per statement as the backend takes parameters for.
    executemany, not execute: Django's debug cursor re-quotes every parameter of an `execute` on SQLite."""
    meta = model._meta
    column = {f.name: f.column for f in meta.concrete_fields}
    quote = connection.ops.quote_name
    columns = ", ".join(quote(column[name]) for name in fields)
    head = f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES "  # noqa: S608 - names from _meta, values bound
    one = "(" + ", ".join(["%s"] * len(fields)) + ")"
    per_statement = (connection.features.max_query_params or 7000) // len(fields)
    chunks = [rows[i : i + per_statement] for i in range(0, len(rows), per_statement)]
    with connection.cursor() as cursor:
        for size, group in itertools.groupby(chunks, key=len):  # all full chunks, then the short last one
            statement = head + ", ".join([one] * size)
            cursor.executemany(statement, [[value for row in chunk for value in row] for chunk in group])


# --------------------------------------------------------------------------------------------------------------
# Check-ins and feedback
# --------------------------------------------------------------------------------------------------------------

# Relative arrivals by local hour: evenings and nights for showers and laundry, a morning bump for consultations.
_VISIT_HOURS = (3, 2, 1, 1, 1, 2, 4, 6, 7, 6, 5, 5, 6, 6, 5, 5, 6, 7, 9, 10, 10, 9, 7, 5)
_JINTANG_USES_PER_4_WEEKS = 400


def _visit_time(rng: random.Random, station: Station, now: dt.datetime, tz: ZoneInfo) -> dt.datetime:
    today = now.astimezone(tz).date()
    while True:
        day = today - dt.timedelta(days=rng.randrange(CHECKIN_WEEKS * 7))
        hour = rng.choices(range(24), weights=_VISIT_HOURS)[0]
        moment = dt.datetime.combine(day, dt.time(hour, rng.randrange(60), rng.randrange(60)), tzinfo=tz)
        if moment < now and selectors.station_is_open_at(station, moment):
            return moment


def _plan_checkins(rng: random.Random, site_halves: Sequence[_Half], now: dt.datetime) -> None:
    """A site's visits over CHECKIN_WEEKS, with services in Jintang's first-month proportions (no beds where there
    are none). Each service's uses go to distinct visits, so the proportions hold exactly in the rows."""
    primary = site_halves[0]
    assert primary.site is not None
    key, tz = primary.site.key, ZoneInfo(settings.TIME_ZONE)
    per_4_weeks = _JINTANG_USES_PER_4_WEEKS if key == "jintang" else rng.randint(60, 220)
    uses = round(per_4_weeks * CHECKIN_WEEKS / 4)
    weights = {s: w for s, w in CHECKIN_SERVICE_WEIGHTS.items() if s != CheckInService.BED or primary.station.beds}
    counts = allocate(uses, list(weights.values()))
    chosen: list[list[str]] = [[] for _ in range(max(math.ceil(uses / _USES_PER_VISIT), *counts))]
    for service, n in zip(weights, counts, strict=True):
        for visit in sorted(rng.sample(range(len(chosen)), n)):
            chosen[visit].append(service)
    visits = [services_used for services_used in chosen if services_used]
    spaces = [h.station.truck_spaces for h in site_halves]
    pool = max(1, round(len(visits) * 0.8))  # some drivers come back
    planned = []
    for services_used in visits:
        half = primary
        if len(site_halves) > 1 and CheckInService.BED not in services_used and rng.random() > spaces[0] / sum(spaces):
            half = site_halves[1]
        planned.append((rng.randrange(pool), _visit_time(rng, half.station, now, tz), half, services_used))
    # Two visits by one driver within 10 minutes would be one check-in (services.checkin_record): the later one
    # becomes another driver.
    last_seen: dict[int, dt.datetime] = {}
    next_driver = pool
    for driver, moment, half, services_used in sorted(planned, key=lambda p: (p[0], p[1])):
        if driver in last_seen and moment - last_seen[driver] < dt.timedelta(minutes=services.CHECKIN_DEDUPE_MINUTES):
            driver, next_driver = next_driver, next_driver + 1
        last_seen[driver] = moment
        visitor = services.visitor_key_for(user=None, device_id=f"demo:{key}:{driver}")
        half.checkins.append((services_used, moment, visitor))
    for half in site_halves:
        half.checkins.sort(key=lambda c: c[1])


_ISSUE_WEIGHTS = {
    FeedbackIssue.DIRTY: 30,
    FeedbackIssue.FULL_SHOWN_FREE: 25,
    FeedbackIssue.CLOSED_IN_HOURS: 10,
    FeedbackIssue.STAFF_CONDUCT: 10,
    FeedbackIssue.UNSAFE_PARKING: 10,
    FeedbackIssue.CHARGED_FREE: 8,
    FeedbackIssue.OTHER: 7,
}
_ISSUE_TEXT = {
    FeedbackIssue.DIRTY: ("卫生间有点脏，希望多打扫。", "淋浴间地面有积水，容易滑倒。"),
    FeedbackIssue.FULL_SHOWN_FREE: ("手机上显示还有车位，到了已经停满了。", "显示车位多，实际只剩一两个。"),
    FeedbackIssue.CLOSED_IN_HOURS: ("公示时间内到的，门却关着。", "值班室没人，洗衣房锁着。"),
    FeedbackIssue.STAFF_CONDUCT: ("值班人员态度不太好。", "问路线情况，工作人员不耐烦。"),
    FeedbackIssue.UNSAFE_PARKING: ("停车区晚上灯太暗，担心油被偷。", "货车区没有监控，睡觉不踏实。"),
    FeedbackIssue.CHARGED_FREE: ("洗澡要求先买饭才能用，不是说免费吗？", "洗衣收了五块钱。"),
    FeedbackIssue.OTHER: ("希望增加充电插座。", "WiFi 信号太弱，视频都打不了。", "希望能提供冷藏车插电。"),
}
_PRAISE = (
    "洗澡水很热，洗衣机也好用，点赞！",
    "站长很热情，还帮忙查了前方路况。",
    "饭菜实惠，两荤两素一个汤。",
    "停车有人看着，晚上睡得踏实。",
    "环境干净，跟家里一样。",
    "跑了这么多年车，第一次有这么暖心的地方。",
)
_REPLY_PRAISE = ("感谢您的肯定，欢迎常来歇脚！", "谢谢师傅，一路平安！", "感谢支持，我们会继续做好服务。")
_REPLY_ISSUE = {
    FeedbackIssue.DIRTY: "已安排保洁加密打扫频次，感谢您的监督。",
    FeedbackIssue.FULL_SHOWN_FREE: "已提醒值班人员及时更新空余车位，给您带来不便深表歉意。",
    FeedbackIssue.CLOSED_IN_HOURS: "已核实当班人员脱岗情况并批评教育，今后严格按公示时间开放。",
    FeedbackIssue.STAFF_CONDUCT: "已对相关人员进行批评教育，感谢您的反馈。",
    FeedbackIssue.UNSAFE_PARKING: "已增加夜间照明，并安排保安加强巡逻。",
    FeedbackIssue.CHARGED_FREE: "停车、饭菜加热、热水、洗澡、洗衣均免费，已责令整改并退还费用。",
    FeedbackIssue.OTHER: "建议已收到，我们会尽快改进。",
}


def _rating_and_issues(rng: random.Random) -> tuple[int, list[str], str]:
    rating = rng.choices((5, 4, 3, 2, 1), weights=(50, 30, 12, 5, 3))[0]
    if rating >= 4:
        n = int(rating == 4 and rng.random() < 0.2)
    else:
        n = int(rng.random() < 0.7) if rating == 3 else rng.randint(1, 2)
    issues: list[str] = []
    while len(issues) < n:
        issue = rng.choices(list(_ISSUE_WEIGHTS), weights=list(_ISSUE_WEIGHTS.values()))[0]
        if issue not in issues:
            issues.append(issue)
    if issues:
        text = rng.choice(_ISSUE_TEXT[FeedbackIssue(issues[0])])
    else:
        text = rng.choice(_PRAISE) if rng.random() < 0.6 else ""
    return rating, issues, text


def _reply_to(rng: random.Random, issues: Sequence[str]) -> str:
    return _REPLY_ISSUE[FeedbackIssue(issues[0])] if issues else rng.choice(_REPLY_PRAISE)


def _plan_feedback(rng: random.Random, sites: Sequence[Sequence[_Half]], now: dt.datetime) -> None:
    """Answered within 24 h for almost all; 4 still open (less than a day old), 2 escalated at the deadline, 1
    escalated and then answered late."""
    due = dt.timedelta(hours=services.FEEDBACK_REPLY_HOURS)

    def half_of(site_halves: Sequence[_Half]) -> _Half:
        return site_halves[0] if len(site_halves) == 1 or rng.random() < 0.75 else site_halves[1]

    for site_halves in sites:
        assert site_halves[0].site is not None
        for _ in range(10 if site_halves[0].site.key == "jintang" else rng.randint(3, 9)):
            rating, issues, text = _rating_and_issues(rng)
            created = now - dt.timedelta(hours=rng.uniform(26, CHECKIN_WEEKS * 7 * 24))
            replied = created + dt.timedelta(hours=min(20.0, 0.2 + rng.expovariate(1 / 4)))
            status = FeedbackStatus.CLOSED if issues and rng.random() < 0.5 else FeedbackStatus.ANSWERED
            plan = _FeedbackPlan(rating, issues, text, created, status, _reply_to(rng, issues), replied)
            half_of(site_halves).feedback.append(plan)
    order = rng.sample(range(len(sites)), 7)
    for i in order[:4]:
        rating, issues, text = _rating_and_issues(rng)
        created = now - dt.timedelta(hours=rng.uniform(1, 20))
        half_of(sites[i]).feedback.append(_FeedbackPlan(rating, issues, text, created, FeedbackStatus.OPEN))
    for i, issue in zip(order[4:6], (FeedbackIssue.CHARGED_FREE, FeedbackIssue.UNSAFE_PARKING), strict=True):
        created = now - dt.timedelta(hours=rng.uniform(30, 60))
        escalated = created + due + dt.timedelta(minutes=rng.uniform(0, 5))  # the 5-minute escalation job
        text = rng.choice(_ISSUE_TEXT[issue])
        plan = _FeedbackPlan(
            rng.randint(1, 2), [issue], text, created, FeedbackStatus.ESCALATED, escalated_at=escalated
        )
        half_of(sites[i]).feedback.append(plan)
    rating, issues, text = 2, [FeedbackIssue.DIRTY], rng.choice(_ISSUE_TEXT[FeedbackIssue.DIRTY])
    created = now - dt.timedelta(days=rng.uniform(4, 12))
    escalated = created + due + dt.timedelta(minutes=rng.uniform(0, 5))
    replied = escalated + dt.timedelta(hours=rng.uniform(2, 20))
    late = _FeedbackPlan(
        rating, issues, text, created, FeedbackStatus.ANSWERED, _reply_to(rng, issues), replied, escalated
    )
    half_of(sites[order[6]]).feedback.append(late)


def _insert_checkins_and_feedback(named: Sequence[_Half], operators: dict[str, User]) -> tuple[int, int]:
    checkins = [
        CheckIn(station=h.station, visitor_key=visitor, services=used, created_at=at)
        for h in named
        for used, at, visitor in h.checkins
    ]
    CheckIn.objects.bulk_create(checkins, batch_size=2000)
    feedback = []
    for half in named:
        assert half.site is not None
        for f in half.feedback:
            feedback.append(
                Feedback(
                    station=half.station,
                    rating=f.rating,
                    issues=f.issues,
                    text=f.text,
                    status=f.status,
                    created_at=f.created_at,
                    reply_due_at=f.created_at + dt.timedelta(hours=services.FEEDBACK_REPLY_HOURS),
                    reply=f.reply,
                    replied_at=f.replied_at,
                    replied_by=operators[half.site.key] if f.replied_at else None,
                    escalated_at=f.escalated_at,
                )
            )
    Feedback.objects.bulk_create(feedback, batch_size=1000)
    return len(checkins), len(feedback)


# --------------------------------------------------------------------------------------------------------------
# Funding
# --------------------------------------------------------------------------------------------------------------

_COST_SHARES = {
    CostCategory.STAFF: 0.55,
    CostCategory.UTILITIES: 0.16,
    CostCategory.CONSUMABLES: 0.13,
    CostCategory.MAINTENANCE: 0.10,
    CostCategory.OTHER: 0.06,
}
# "财政出一点、党费出一点、工会出一点", plus the road operator's service fee: rough shares, varied per site.
_SOURCE_SHARES = {
    FundingSource.FINANCE: (0.30, 0.45),
    FundingSource.PARTY_FEES: (0.08, 0.15),
    FundingSource.UNION: (0.15, 0.25),
    FundingSource.ROAD_FEE: (0.20, 0.35),
}


def _months_before(now: dt.datetime, count: int) -> list[dt.date]:
    """The `count` complete months before the month of `now` (local time), oldest first."""
    month = now.astimezone(ZoneInfo(settings.TIME_ZONE)).date().replace(day=1)
    months = []
    for _ in range(count):
        month = (month - dt.timedelta(days=1)).replace(day=1)
        months.append(month)
    return months[::-1]


def _insert_funding(rng: random.Random, named: Sequence[_Half], now: dt.datetime) -> int:
    """Monthly costs and subsidies, booked on each site's primary half. 2–4 sites (never 金堂) stay below the
    50 % subsidy target over the period; the others are well above it, month after month."""
    primaries = [h for h in named if h.primary]
    keys = [h.site.key for h in primaries if h.site is not None and h.site.key != "jintang"]
    below = set(rng.sample(keys, rng.randint(2, 4)))
    months = _months_before(now, COST_MONTHS)
    costs: list[CostReport] = []
    subsidies: list[SubsidyContribution] = []
    for half in primaries:
        assert half.site is not None
        station = half.station
        monthly_yuan = (16_000 + 220 * station.truck_spaces) * (1.3 if station.station_class == _A else 1.0)
        shares = {c: share * rng.uniform(0.85, 1.15) for c, share in _COST_SHARES.items()}
        ratio = rng.uniform(0.28, 0.42) if half.site.key in below else rng.uniform(0.58, 0.92)
        source_weights = [rng.uniform(*bounds) for bounds in _SOURCE_SHARES.values()]
        for month in months:
            level = monthly_yuan * rng.uniform(0.95, 1.05)
            amounts = {c: round(level * share) * 100 for c, share in shares.items()}
            costs.extend(
                CostReport(station=station, month=month, category=c, amount_fen=fen) for c, fen in amounts.items()
            )
            subsidy_yuan = round(sum(amounts.values()) / 100 * ratio * rng.uniform(0.93, 1.07))
            for source, yuan in zip(_SOURCE_SHARES, allocate(subsidy_yuan, source_weights), strict=True):
                subsidies.append(_post_subsidy(station, half.site.key, month, source, yuan * 100))
    CostReport.objects.bulk_create(costs, batch_size=1000)
    SubsidyContribution.objects.bulk_create(subsidies, batch_size=1000)
    return len(subsidies)


def _post_subsidy(station: Station, site_key: str, month: dt.date, source: str, amount_fen: int) -> SubsidyContribution:
    """One subsidy as services.subsidy_record books it (a balanced ledger transaction funding:<source> ->
    station:<id>, key subsidy:<...>), without its permission check: the seed is not a user. The row is returned
    unsaved, for one bulk insert."""
    txn = ledger_post(
        idempotency_key=f"subsidy:demo:{site_key}:{month:%Y-%m}:{source}",
        kind="station_subsidy",
        occurred_on=month,
        memo=f"{station.name} {month:%Y-%m} {FundingSource(source).label}",
        entries=[(f"funding:{source}", -amount_fen), (f"station:{station.pk}", amount_fen)],
    )
    return SubsidyContribution(station=station, month=month, source=source, amount_fen=amount_fen, transaction=txn)


# --------------------------------------------------------------------------------------------------------------
# The whole step
# --------------------------------------------------------------------------------------------------------------


def _sites(named: Sequence[_Half]) -> list[list[_Half]]:
    """The named halves grouped by site, primary first."""
    grouped: dict[str, list[_Half]] = {}
    for half in named:
        assert half.site is not None
        grouped.setdefault(half.site.key, []).append(half)
    return [sorted(group, key=lambda h: not h.primary) for group in grouped.values()]


def seed_stations(
    *,
    rng: random.Random,
    scale: str,
    now: dt.datetime,
    demo_passwords: bool | None = None,
    log: Callable[[str], None] = lambda message: None,
) -> StationSeedResult:
    """Create the demo stations (see the module docstring) on a database with the organisation tree and no stations,
    in one transaction with audit logging off.

    `rng` is drawn from once (one 64-bit seed for this step's own generators), so the step does not shift what the
    rest of seed_demo draws after it. `scale` is tiny / small / full (synthetic stations only); `now` is the demo's
    present, timezone-aware. `demo_passwords` (default settings.DEBUG) gives the operators the demo password. Raises
    ValueError for a bad scale or a naive `now`, RuntimeError when stations already exist or the organisation tree is
    missing.
    """
    if scale not in SYNTHETIC_COUNTS:
        raise ValueError(f"scale must be one of {', '.join(SYNTHETIC_COUNTS)}, not {scale!r}")
    if timezone.is_naive(now):
        raise ValueError("now must be timezone-aware")
    if Station.objects.exists():
        raise RuntimeError("seed_stations runs once, on a database without stations")
    started = time.perf_counter()
    passwords = settings.DEBUG if demo_passwords is None else demo_passwords
    seed = rng.getrandbits(64)

    def part(name: str) -> random.Random:
        return random.Random(f"stations:{seed}:{name}")

    geo = _geography()
    with disable_auditlog(), transaction.atomic():
        named = _plan_named(part("named"), geo, now)
        synthetic = _plan_synthetic(part("synthetic"), SYNTHETIC_COUNTS[scale], now, len(named))
        _synthetic_regions(synthetic, geo)
        history = part("history")
        eligible = [
            i
            for i, h in enumerate(named)
            if h.site is not None and h.site.key not in (SCENARIO_SITE, "jintang") and h.station.open_24h
        ]
        stale = set(history.sample(eligible, STALE_HALVES))
        for i, half in enumerate(named):
            _plan_history(history, half, now, history.uniform(70, 240) if i in stale else history.uniform(5, 20))
        snapshots = part("snapshots")
        for half in synthetic:
            _plan_snapshot(snapshots, half, now)
        sites = _sites(named)
        visits = part("checkins")
        for site_halves in sites:
            _plan_checkins(visits, site_halves, now)
        _plan_feedback(part("feedback"), sites, now)
        # Everything above runs before _insert_stations sets the live fields, so station_is_open_at reads the posted
        # hours only (a station's current "closed" report must not close it in the past).
        _insert_stations([*named, *synthetic], geo)
        operators = _insert_operators(named, passwords)
        reports = _insert_reports([*named, *synthetic], operators)
        checkins, feedback = _insert_checkins_and_feedback(named, operators)
        subsidies = _insert_funding(part("funding"), named, now)
    selectors.search_catalog.clear()
    result = StationSeedResult(
        named_sites=len(sites),
        named_stations=len(named),
        synthetic_stations=len(synthetic),
        status_reports=reports,
        checkins=checkins,
        feedback=feedback,
        subsidies=subsidies,
        logins=((OPERATOR_USERNAME, "金堂服务区暖心之家站长（两侧半幅）"),),
        seconds=time.perf_counter() - started,
    )
    log(
        f"暖心之家：{result.named_sites} 个站点（{result.named_stations} 条站点记录，服务区按两侧半幅计）、"
        f"演示用合成站点 {result.synthetic_stations:,} 个；状态上报 {result.status_reports:,} 条、签到 "
        f"{result.checkins:,} 次、评价 {result.feedback} 条、补贴 {result.subsidies} 笔，用时 {result.seconds:.1f} 秒"
    )
    for username, description in result.logins:
        log(f"演示站长：{username}，{description}" + (f"，密码 {DEMO_PASSWORD}" if passwords else "（未设密码）"))
    return result
