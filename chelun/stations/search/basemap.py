"""The map's offline base layer (Sichuan's prefectures and outline) as GeoJSON, and its bytes cached per process."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Hashable
from typing import Any

from django.db.models import Count, Max

from chelun.core.models import RegionBoundary, RegionLevel
from chelun.core.process_cache import VersionedCache


def basemap_geojson(*, precision: int = 4) -> dict[str, Any]:
    """Sichuan's offline base layer as one GeoJSON FeatureCollection: the prefecture polygons, then the province
    outline, from RegionBoundary (WGS-84). Coordinates are rounded to `precision` decimals (4: ~10 m,
    plenty for a province map, and a smaller download)."""

    def rounded(value: Any) -> Any:
        if isinstance(value, list):
            return [rounded(v) for v in value]
        return round(value, precision) if isinstance(value, float) else value

    rows = (
        RegionBoundary.objects.filter(region__level__in=(RegionLevel.PREFECTURE, RegionLevel.PROVINCE))
        .order_by("region__level", "region__code")  # "prefecture" < "province": the outline comes last, on top
        .values_list("region__code", "region__name", "region__level", "geometry")
    )
    features = [
        {
            "type": "Feature",
            "id": code,
            "properties": {"code": code, "name": name, "level": level},
            "geometry": {"type": boundary["type"], "coordinates": rounded(boundary["coordinates"])},
        }
        for code, name, level, boundary in rows
        if isinstance(boundary, dict) and "coordinates" in boundary
    ]
    return {"type": "FeatureCollection", "features": features}


class BasemapCache(VersionedCache[tuple[bytes, str]]):
    """The base layer's bytes and ETag. Boundaries change only when the reference data is loaded again, so the
    version (count and last id of the boundaries) is asked at most once an hour; an empty layer (regions not loaded
    yet) is never held."""

    def recheck_seconds(self) -> float:
        return 3600.0

    def version(self) -> Hashable:
        return tuple(RegionBoundary.objects.aggregate(n=Count("pk"), last=Max("pk")).values())

    def build(self) -> tuple[bytes, str]:
        payload = json.dumps(basemap_geojson(), ensure_ascii=False, separators=(",", ":")).encode()
        return payload, '"' + hashlib.sha256(payload).hexdigest()[:32] + '"'

    def keep(self, value: tuple[bytes, str]) -> bool:
        return bool(json.loads(value[0])["features"])


basemap_cache = BasemapCache()
