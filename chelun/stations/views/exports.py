"""The province console's Excel exports: the station list, the corridor gaps and the funding workbook (money in
元 as exact decimals, from core.money)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.utils import timezone

from chelun.core.exports import build_workbook
from chelun.core.money import yuan_decimal
from chelun.stations import selectors
from chelun.stations.choices import FundingSource
from chelun.stations.models import Station
from chelun.stations.selectors import CorridorGap, FundingRow
from chelun.stations.views.wording import status_text

SOURCE_LABELS = dict(FundingSource.choices)

CONSOLE_EXPORT_HEADERS = (
    "名称",
    "类型",
    "等级",
    "线路",
    "服务方向",
    "所在地区",
    "运营组织",
    "状态",
    "实时状态",
    "货车车位",
    "床位",
    "安全等级",
    "最近核验",
)


def console_row(station: Station, now: dt.datetime) -> tuple[Any, ...]:
    live = selectors.station_live_status(station, now=now)
    return (
        station.name,
        station.get_kind_display(),
        station.get_station_class_display(),
        station.corridor_ref,
        station.carriageway,
        station.region.name,
        station.organization.name,
        station.get_status_display(),
        status_text(live),
        station.truck_spaces,
        station.beds,
        station.get_security_grade_display(),
        timezone.localtime(station.verified_at).strftime("%Y-%m-%d") if station.verified_at else "",
    )


GAP_EXPORT_HEADERS = (
    "线路",
    "名称",
    "四川境内里程（公里）",
    "最长无站路段（公里）",
    "起点（公里）",
    "终点（公里）",
    "沿线站点数",
)


def gap_rows(found: Iterable[CorridorGap]) -> Iterable[Sequence[Any]]:
    return ((g.corridor, g.name, g.length_km, g.gap_km, g.from_km, g.to_km, g.stations) for g in found)


def _ratio(row: FundingRow) -> float | None:
    return round(row.ratio, 4) if row.ratio is not None else None


def funding_workbook(report: selectors.FundingReport) -> bytes:
    """A summary sheet (every station, every city, the total: cost, the four sources, subsidy, ratio, flag) and one
    sheet per source (that source's money and its share of cost), money in 元 as exact decimals. As on the page,
    stations with no cost and no subsidy in the period are left out (they still count in their city and the total).
    """
    levels = [
        *[("站点", row) for row in report.stations if not row.is_empty],
        *[("市州", row) for row in report.cities],
        ("合计", report.total),
    ]
    headers = [
        "层级",
        "名称",
        "运营成本（元）",
        *[f"{label}（元）" for label in SOURCE_LABELS.values()],
        "补贴合计（元）",
        "补贴比例",
        "低于50%",
    ]
    summary = [
        [
            level,
            row.name,
            yuan_decimal(row.cost_fen),
            *[yuan_decimal(row.by_source[s]) for s in FundingSource.values],
            yuan_decimal(row.subsidy_fen),
            _ratio(row),
            "是" if row.below_target else "",
        ]
        for level, row in levels
    ]
    sheets: list[tuple[str, list[str], list[list[Any]]]] = [("汇总", headers, summary)]
    for source, label in SOURCE_LABELS.items():
        rows = [
            [
                level,
                row.name,
                yuan_decimal(row.cost_fen),
                yuan_decimal(row.by_source[source]),
                round(row.by_source[source] / row.cost_fen, 4) if row.cost_fen else None,
            ]
            for level, row in levels
        ]
        sheets.append((label, ["层级", "名称", "运营成本（元）", f"{label}（元）", "占成本比例"], rows))
    return build_workbook(sheets)
