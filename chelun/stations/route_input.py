"""A route pasted by a driver, in whatever form their map app gave it: which format it is, its points, and in
Chinese what is wrong with the parts that cannot be read. Pure Python (no Django): the route page's form and any
other caller use the same rules.

Formats, detected in this order:
- GeoJSON: a LineString, MultiLineString, or a Feature / FeatureCollection holding them (lines joined in order);
- GPX: track points (<trkpt>), else route points (<rtept>), by their lat/lon attributes;
- a list of "lng,lat" points separated by newlines or semicolons (Amap's polyline text, "104.06,30.66;104.1,30.7");
- a Google encoded polyline (precision 5), as Baidu/Amap web APIs and many tools export.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET  # entity declarations are refused before parsing (_parse_gpx)
from dataclasses import dataclass
from typing import Any

from chelun.core.geo import GeoInputError, decode_polyline, parse_geojson_linestring

Point = tuple[float, float]

FORMAT_LABELS = {
    "geojson": "GeoJSON",
    "gpx": "GPX",
    "lnglat": "“经度,纬度”列表",
    "polyline": "编码折线",
}
# How many unreadable points are named one by one before the message just counts the rest.
ERRORS_NAMED = 3
# China's extent, to tell a swapped "lat,lng" from a "lng,lat" (the range core.geo's validation uses, rounded out).
_CHINA_LON = (73.0, 136.0)
_CHINA_LAT = (3.0, 54.0)
_NUMBER = r"[-+]?\d+(?:\.\d+)?"
_PAIR = re.compile(rf"^\s*({_NUMBER})\s*[,，]\s*({_NUMBER})\s*$")
_POLYLINE_CHAR = re.compile(r"[\x3f-\x7e]")


class RouteInputError(ValueError):
    """The pasted text is not a route we can read; `message` says why, in Chinese, for the page."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True)
class ParsedRoute:
    format: str  # a key of FORMAT_LABELS
    points: list[Point]

    @property
    def format_label(self) -> str:
        return FORMAT_LABELS[self.format]


def detect_format(text: str) -> str | None:
    """The format the text is written in (a key of FORMAT_LABELS), or None when it looks like none of them."""
    text = text.strip()
    if not text:
        return None
    if text[0] in "{[":
        return "geojson"
    if text[0] == "<":
        return "gpx"
    # An encoded polyline uses only the characters "?" to "~": a comma means a list of points.
    if "," in text or "，" in text:
        return "lnglat"
    # Mostly polyline characters: a polyline with a typo, which the decoder then names by position.
    compact = re.sub(r"\s+", "", text)
    if sum(1 for ch in compact if _POLYLINE_CHAR.match(ch)) >= 0.9 * len(compact):
        return "polyline"
    return None


def parse_route_text(text: str) -> ParsedRoute:
    """The route's points (lng, lat) in the order driven. Raises RouteInputError naming what is wrong."""
    text = (text or "").strip()
    if not text:
        raise RouteInputError("请粘贴路线数据", "route_empty")
    kind = detect_format(text)
    if kind is None:
        raise RouteInputError(
            "无法识别路线格式。请粘贴“经度,纬度”列表（每行一个点，或用分号隔开）、GeoJSON、GPX 或编码折线",
            "route_format_unknown",
        )
    parse = {"geojson": _parse_geojson, "gpx": _parse_gpx, "lnglat": _parse_lnglat, "polyline": _parse_polyline}
    points = parse[kind](text)
    if len(set(points)) < 2:
        raise RouteInputError(
            f"路线至少需要两个不同的点（这段{FORMAT_LABELS[kind]}中有 {len(set(points))} 个）", "route_too_few_points"
        )
    return ParsedRoute(format=kind, points=points)


# --- the formats ----------------------------------------------------------------------------------------------


def _split_items(text: str) -> list[str]:
    return [item.strip() for item in re.split(r"[;；\n\r]+", text) if item.strip()]


def _pair_problem(item: str) -> str | None:
    """Why one "lng,lat" item cannot be a point, or None when it can."""
    match = _PAIR.match(item)
    if match is None:
        return f"“{_short(item)}”不是“经度,纬度”"
    lon, lat = float(match.group(1)), float(match.group(2))
    if _inside(lat, _CHINA_LON) and _inside(lon, _CHINA_LAT):
        return f"“{_short(item)}”像是“纬度,经度”，请把经度写在前面"
    if not -180 <= lon <= 180 or not -90 <= lat <= 90:
        return f"“{_short(item)}”超出经纬度范围（经度 −180～180，纬度 −90～90）"
    return None


def _parse_lnglat(text: str) -> list[Point]:
    items = _split_items(text)
    problems = [(n, problem) for n, item in enumerate(items, 1) if (problem := _pair_problem(item)) is not None]
    if problems:
        named = "；".join(f"第 {n} 个点{problem}" for n, problem in problems[:ERRORS_NAMED])
        rest = len(problems) - ERRORS_NAMED
        more = f"；另有 {rest} 个点有误" if rest > 0 else ""
        raise RouteInputError(
            f"{len(items)} 个点中有 {len(problems)} 个无法读取：{named}{more}。"
            "每个点写作“经度,纬度”，点与点之间换行或用分号隔开",
            "lnglat_invalid",
        )
    return [(float(m.group(1)), float(m.group(2))) for m in (_PAIR.match(item) for item in items) if m]


def _parse_geojson(text: str) -> list[Point]:
    try:
        obj = json.loads(text)
    except ValueError as exc:
        raise RouteInputError(
            f"GeoJSON 格式有误，无法解析（第 {getattr(exc, 'lineno', 1)} 行附近）", "geojson_invalid"
        ) from exc
    lines = _geojson_lines(obj)
    if not lines:
        raise RouteInputError("GeoJSON 中没有线路（LineString 或 MultiLineString）", "geojson_type")
    points: list[Point] = []
    try:
        for line in lines:
            points.extend(parse_geojson_linestring(line))
    except GeoInputError as exc:
        raise RouteInputError(f"GeoJSON：{exc.message}", exc.code) from exc
    return points


def _geojson_lines(obj: Any) -> list[dict[str, Any]]:
    """The LineStrings in a GeoJSON object, in order (a MultiLineString's parts, a collection's features)."""
    if not isinstance(obj, dict):
        return []
    kind = obj.get("type")
    if kind == "LineString":
        return [obj]
    if kind == "MultiLineString" and isinstance(obj.get("coordinates"), list):
        return [{"type": "LineString", "coordinates": part} for part in obj["coordinates"]]
    if kind == "Feature":
        return _geojson_lines(obj.get("geometry"))
    if kind == "FeatureCollection" and isinstance(obj.get("features"), list):
        return [line for feature in obj["features"] for line in _geojson_lines(feature)]
    if kind == "GeometryCollection" and isinstance(obj.get("geometries"), list):
        return [line for geometry in obj["geometries"] for line in _geojson_lines(geometry)]
    return []


def _parse_gpx(text: str) -> list[Point]:
    # Entity declarations are how XML bombs work; a GPX file never needs one.
    if re.search(r"<!(DOCTYPE|ENTITY)", text, re.IGNORECASE):
        raise RouteInputError("GPX 文件不能含有 DOCTYPE 或实体声明", "gpx_invalid")
    try:
        root = ET.fromstring(text)  # noqa: S314 (no DOCTYPE or ENTITY can reach here; checked above)
    except ET.ParseError as exc:
        line = exc.position[0] if exc.position else 1
        raise RouteInputError(f"GPX 格式有误，无法解析（第 {line} 行附近）", "gpx_invalid") from exc
    elements = [el for el in root.iter() if _local(el.tag) == "trkpt"] or [
        el for el in root.iter() if _local(el.tag) == "rtept"
    ]
    if not elements:
        raise RouteInputError("GPX 中没有轨迹点（trkpt）或路线点（rtept）", "gpx_no_points")
    points: list[Point] = []
    problems: list[int] = []
    for n, el in enumerate(elements, 1):
        try:
            lon, lat = float(el.attrib["lon"]), float(el.attrib["lat"])
        except (KeyError, ValueError):
            problems.append(n)
            continue
        if not -180 <= lon <= 180 or not -90 <= lat <= 90:
            problems.append(n)
            continue
        points.append((lon, lat))
    if problems:
        named = "、".join(str(n) for n in problems[:ERRORS_NAMED]) + ("等" if len(problems) > ERRORS_NAMED else "")
        raise RouteInputError(
            f"GPX 的 {len(elements)} 个点中有 {len(problems)} 个缺少或写错 lat/lon 属性（第 {named} 个）",
            "gpx_point_invalid",
        )
    return points


def _parse_polyline(text: str) -> list[Point]:
    try:
        return [(float(lon), float(lat)) for lon, lat in decode_polyline(re.sub(r"\s+", "", text))]
    except GeoInputError as exc:
        raise RouteInputError(f"编码折线：{exc.message}", exc.code) from exc


def _local(tag: str) -> str:
    """An XML tag without its namespace ("{http://www.topografix.com/GPX/1/1}trkpt" -> "trkpt")."""
    return tag.rsplit("}", 1)[-1]


def _inside(value: float, bounds: tuple[float, float]) -> bool:
    return bounds[0] <= value <= bounds[1]


def _short(item: str) -> str:
    return item if len(item) <= 24 else item[:24] + "…"
