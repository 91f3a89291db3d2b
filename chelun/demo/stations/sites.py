"""The 20 named 暖心之家 sites: their specs, the amenities and prices a class brings, and the planned Station rows.

Each named site sits on its schematic line (chelun.demo.stations.lines) at a fixed distance from one of its towns,
so along-corridor search finds it within the 300 m expressway corridor; each half is 40 m to the right of its
carriageway and faces the line's bearing there (the twin +180°). The region is the county whose town is nearest
along the line.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence

from chelun.demo.geography import Geography
from chelun.demo.names import ethnic_share, person_name
from chelun.demo.stations.lines import Line, half_at, side_name, site_line
from chelun.demo.stations.plans import Half, SiteSpec
from chelun.stations.choices import FREE_BY_STANDARD, Amenity, StationClass, StationKind, StationStatus
from chelun.stations.models import Station

__all__ = [
    "A_EXTRA",
    "B_AMENITIES",
    "NAMED_SITES",
    "PARTY_AMENITIES",
    "ROADSIDE_AMENITIES",
    "SCENARIO_SITE",
    "SiteSpec",
    "hours_fields",
    "occupancy_profile",
    "plan_named",
    "prices_for",
    "security_flags",
]

# The browser scenario: a shower 3–4 h (210–280 km at 70 km/h on the schematic line) south of 成都 on G5.
SCENARIO_SITE = "shimian"

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


def security_flags(code: str) -> dict[str, bool]:
    return {"cctv": "C" in code, "guards": "G" in code, "lighting": "L" in code, "fence": "F" in code}


def prices_for(amenities: Sequence[str], *, meal_fen: int, bed_fen: int, drying_fen: int) -> dict[str, tuple[int, str]]:
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


def occupancy_profile(rng: random.Random, night: float | None = None) -> tuple[float, float, float]:
    night_occupancy = night if night is not None else rng.uniform(0.82, 0.97)
    return rng.uniform(0.22, 0.42), night_occupancy, rng.uniform(0.03, 0.06)


def hours_fields(hours: tuple[dt.time, dt.time] | None) -> dict[str, object]:
    return {
        "open_24h": hours is None,
        "opens_at": hours[0] if hours else None,
        "closes_at": hours[1] if hours else None,
    }


def plan_named(rng: random.Random, geo: Geography, now: dt.datetime) -> list[Half]:
    halves: list[Half] = []
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
            **hours_fields(site.hours),
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
                **security_flags(site.security),
                **common,
            )
            prices = prices_for(amenities, meal_fen=site.meal_fen, bed_fen=site.bed_fen, drying_fen=drying_fen)
            profile = occupancy_profile(rng, site.night_occupancy)
            halves.append(Half(station, county, site, True, amenities, prices, profile))
            continue
        first = len(halves)
        for primary in (True, False):  # the 暖心之家 building stands on the half following the line's order
            heading, (lon, lat) = half_at(point, bearing, primary)
            station_class = site.station_class if primary else _B
            amenities = (*B_AMENITIES, *PARTY_AMENITIES, *ROADSIDE_AMENITIES, *(A_EXTRA if station_class == _A else ()))
            if station_class == _B and rng.random() < 0.5:
                amenities = (*amenities, Amenity.DRYING)
            side = side_name(heading)
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
                **security_flags(site.security if primary else site.security.replace("G", "")),
                **common,
            )
            prices = prices_for(amenities, meal_fen=site.meal_fen, bed_fen=site.bed_fen, drying_fen=drying_fen)
            profile = occupancy_profile(rng, site.night_occupancy)
            halves.append(Half(station, county, site, primary, amenities, prices, profile))
        halves[first].twin, halves[first + 1].twin = first + 1, first
    return halves
