"""Funding: cost and subsidies by source against the 50 % target, per station, city and province, and one
station's cost months and subsidy entries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Sum

from chelun.stations.access import station_funding_q, station_synthetic_q
from chelun.stations.choices import FundingSource
from chelun.stations.models import CostReport, Station, SubsidyContribution

SUBSIDY_TARGET = 0.5


@dataclass
class FundingRow:
    key: str
    name: str
    cost_fen: int = 0
    by_source: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FundingSource.values, 0))

    @property
    def subsidy_fen(self) -> int:
        return sum(self.by_source.values())

    @property
    def ratio(self) -> float | None:
        return self.subsidy_fen / self.cost_fen if self.cost_fen else None

    @property
    def below_target(self) -> bool:
        return self.ratio is not None and self.ratio < SUBSIDY_TARGET


@dataclass
class FundingReport:
    start: dt.date
    end: dt.date
    stations: list[FundingRow]
    cities: list[FundingRow]
    total: FundingRow


def funding_report(*, actor: Any, start: dt.date, end: dt.date, include_synthetic: bool = False) -> FundingReport:
    """Cost and subsidies by source in months [start, end], per station, per city and in total (within scope).
    Money stays integer fen; ratios are computed from the sums. Synthetic benchmark stations follow the access rule:
    left out of every row, city and total unless asked for."""
    stations = Station.objects.filter(station_funding_q(actor), station_synthetic_q(asked=include_synthetic))
    stations = stations.select_related("region", "region__parent")
    station_map = {s.pk: s for s in stations}
    costs = CostReport.objects.filter(station_id__in=station_map, month__gte=start.replace(day=1), month__lte=end)
    subsidies = SubsidyContribution.objects.filter(
        station_id__in=station_map, month__gte=start.replace(day=1), month__lte=end
    )
    rows = {pk: FundingRow(str(pk), s.name) for pk, s in station_map.items()}
    for pk, total in costs.values("station").annotate(t=Sum("amount_fen")).values_list("station", "t"):
        rows[pk].cost_fen = int(total)
    for pk, source, total in (
        subsidies.values("station", "source").annotate(t=Sum("amount_fen")).values_list("station", "source", "t")
    ):
        rows[pk].by_source[source] = int(total)
    cities: dict[str, FundingRow] = {}
    total = FundingRow("total", "全省合计")
    for pk, row in rows.items():
        region = station_map[pk].region
        city = region.parent if region.level == "county" and region.parent is not None else region
        city_row = cities.setdefault(city.code, FundingRow(city.code, city.name))
        for target in (city_row, total):
            target.cost_fen += row.cost_fen
            for source, amount in row.by_source.items():
                target.by_source[source] += amount
    return FundingReport(
        start=start,
        end=end,
        stations=sorted(rows.values(), key=lambda r: (r.name, r.key)),
        cities=sorted(cities.values(), key=lambda r: r.key),
        total=total,
    )


def funding_report_for_console(
    *, actor: Any, start: dt.date, end: dt.date, include_synthetic: bool = False
) -> FundingReport:
    """funding_report with the console page's ?synthetic= answer."""
    return funding_report(actor=actor, start=start, end=end, include_synthetic=include_synthetic)


@dataclass
class CostMonth:
    month: dt.date
    amounts_fen: dict[str, int]

    @property
    def total_fen(self) -> int:
        return sum(self.amounts_fen.values())


def station_cost_months(*, station: Station, months: int = 12) -> list[CostMonth]:
    """A station's reported costs for its latest `months` reported months, latest first, by category."""
    rows = CostReport.objects.filter(station=station).order_by("-month", "category")
    by_month: dict[dt.date, dict[str, int]] = {}
    for month, category, amount in rows.values_list("month", "category", "amount_fen"):
        if month not in by_month and len(by_month) >= months:
            break
        by_month.setdefault(month, {})[category] = amount
    return [CostMonth(month, amounts) for month, amounts in by_month.items()]


def station_subsidy_list(*, station: Station, limit: int = 24) -> list[SubsidyContribution]:
    """A station's latest recorded subsidies, latest month (then latest entry) first."""
    return list(SubsidyContribution.objects.filter(station=station).order_by("-month", "-id")[:limit])


def station_month_costs(*, station: Station, month: dt.date) -> dict[str, int]:
    """One month's reported costs of a station, by category (fen)."""
    rows = CostReport.objects.filter(station=station, month=month.replace(day=1))
    return dict(rows.values_list("category", "amount_fen"))
