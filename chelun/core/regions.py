"""Loading Sichuan's divisions from the shipped reference data (../shared/data/sichuan)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from django.conf import settings
from django.db import transaction

from chelun.core.errors import ApplicationError
from chelun.core.models import Region, RegionBoundary, RegionLevel

_BOUNDARY_FILES = {
    RegionLevel.PROVINCE: "sichuan_outline.geojson",
    RegionLevel.PREFECTURE: "prefectures.geojson",
    RegionLevel.COUNTY: "counties.geojson",
}


def _read_boundaries(data_dir: Path) -> dict[str, dict]:
    boundaries: dict[str, dict] = {}
    for filename in _BOUNDARY_FILES.values():
        path = data_dir / filename
        if not path.exists():
            continue
        for feature in json.loads(path.read_text(encoding="utf-8"))["features"]:
            code = str(feature.get("id") or feature["properties"]["code"])
            boundaries[code] = feature["geometry"]
    return boundaries


@transaction.atomic
def regions_load(*, data_dir: Path | None = None) -> dict[str, int]:
    """Create or update every division in divisions.csv, parents first, with boundaries where shipped.
    Idempotent. Returns counts by level."""
    data_dir = data_dir or settings.SHARED_DATA_DIR
    csv_path = data_dir / "divisions.csv"
    if not csv_path.exists():
        raise ApplicationError(f"找不到区划数据文件：{csv_path}", "reference_data_missing")
    with csv_path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    boundaries = _read_boundaries(data_dir)
    order = {RegionLevel.PROVINCE: 0, RegionLevel.PREFECTURE: 1, RegionLevel.COUNTY: 2}
    by_code: dict[str, Region] = {}
    counts = {level.value: 0 for level in RegionLevel}
    for row in sorted(rows, key=lambda r: (order[RegionLevel(r["level"])], r["code"])):
        region, _ = Region.objects.update_or_create(
            code=row["code"],
            defaults={
                "name": row["name"],
                "short_name": row["short_name"],
                "level": row["level"],
                "kind": row["kind"],
                "parent": by_code.get(row["parent_code"]) if row["parent_code"] else None,
                "lon": float(row["lon"]),
                "lat": float(row["lat"]),
                "area_km2": int(float(row["area_km2"])) if row["area_km2"] else None,
            },
        )
        outline = boundaries.get(row["code"])
        if outline is None:
            RegionBoundary.objects.filter(region=region).delete()
        else:
            RegionBoundary.objects.update_or_create(region=region, defaults={"geometry": outline})
        by_code[row["code"]] = region
        counts[row["level"]] += 1
    return counts
