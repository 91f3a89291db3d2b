"""Named expressway corridors from the shared reference data (../shared/data/sichuan/expressways.json).

The geometry is schematic (straight lines between the county towns a road passes), which is what the data has; a
driver with no polyline picks a corridor and two towns, and we search along that schematic line.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings

from chelun.core.errors import ValidationFailed


@dataclass(frozen=True)
class CorridorTown:
    code: str
    name: str
    lon: float
    lat: float


@dataclass(frozen=True)
class Corridor:
    ref: str
    name: str
    order: str
    towns: tuple[CorridorTown, ...]  # Sichuan towns in the data's order, open segments first


@lru_cache(maxsize=1)
def corridors() -> dict[str, Corridor]:
    data = json.loads((settings.SHARED_DATA_DIR / "expressways.json").read_text(encoding="utf-8"))
    result: dict[str, Corridor] = {}
    for route in data["routes"]:
        towns: list[CorridorTown] = []
        seen: set[str] = set()
        for segment in route["segments"]:
            if not str(segment.get("status", "")).startswith("open"):
                continue
            for town in segment["towns"]:
                if not town.get("code") or town["code"] in seen:
                    continue
                seen.add(town["code"])
                towns.append(CorridorTown(town["code"], town["name"], float(town["lon"]), float(town["lat"])))
        if len(towns) >= 2:
            result[route["ref"]] = Corridor(route["ref"], route["name"], route.get("order", ""), tuple(towns))
    return result


def corridor_points(ref: str, from_code: str = "", to_code: str = "") -> list[tuple[float, float]]:
    """The corridor's line from one of its towns to another (either direction); whole corridor by default."""
    corridor = corridors().get(ref)
    if corridor is None:
        raise ValidationFailed(f"未知线路：{ref}", "unknown_corridor", {"fields": {"corridor": [f"未知线路：{ref}"]}})
    codes = [t.code for t in corridor.towns]
    for code in (from_code, to_code):
        if code and code not in codes:
            message = f"{ref} 不经过该地"
            raise ValidationFailed(message, "town_not_on_corridor", {"fields": {"corridor": [message]}})
    start = codes.index(from_code) if from_code else 0
    end = codes.index(to_code) if to_code else len(codes) - 1
    if start == end:
        raise ValidationFailed("起点和终点不能相同", "same_towns", {"fields": {"corridor": ["起点和终点不能相同"]}})
    towns = corridor.towns[start : end + 1] if start < end else corridor.towns[end : start + 1][::-1]
    return [(t.lon, t.lat) for t in towns]
