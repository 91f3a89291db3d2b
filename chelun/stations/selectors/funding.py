"""Funding: cost and subsidies by source against the 50 % target, per station, city and province, and one
station's cost months and subsidy entries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from chelun.core.money import MAX_ENTRY_FEN
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
    # A row's stations counted two ways: service-area sites (the two halves of one count once) and sides (each half,
    # each stand-alone station). The demo's "20 暖心之家" are 20 sites on 37 sides.
    sites: int = 0
    sides: int = 0

    @property
    def subsidy_fen(self) -> int:
        return sum(self.by_source.values())

    @property
    def ratio(self) -> float | None:
        return self.subsidy_fen / self.cost_fen if self.cost_fen else None

    @property
    def below_target(self) -> bool:
        return self.ratio is not None and self.ratio < SUBSIDY_TARGET

    @property
    def is_empty(self) -> bool:
        """No cost and no subsidy in the period (a site's second half, where the demo books nothing)."""
        return self.cost_fen == 0 and self.subsidy_fen == 0


@dataclass
class FundingReport:
    start: dt.date
    end: dt.date
    stations: list[FundingRow]
    cities: list[FundingRow]
    total: FundingRow


# One entry below core.money.MAX_ENTRY_FEN keeps any SQL sum of them far from 2^63 (it would take ~900 million
# rows), so those are summed by the database. Rows at or above it are old typing slips kept from before the bound
# (one was 2^63 - 1 fen, which made SQLite's SUM overflow): added one by one in Python, whose integers do not.
_BOUNDED = Q(amount_fen__lt=MAX_ENTRY_FEN)


def _safe_sums(rows: QuerySet[Any], keys: tuple[str, ...]) -> Iterator[tuple[tuple[Any, ...], int]]:
    """(key values, sum of amount_fen) per group: the bounded rows summed by the database, with a count of the
    unbounded ones; only when there are any (rows stored before entries were bounded) are those read one by one."""
    grouped = rows.values(*keys).annotate(
        t=Sum("amount_fen", filter=_BOUNDED, default=0), big=Count("pk", filter=~_BOUNDED)
    )
    sums: dict[tuple[Any, ...], int] = {}
    big = False
    for group in grouped:
        sums[tuple(group[k] for k in keys)] = int(group["t"])
        big = big or group["big"] > 0
    if big:
        for *key, amount in rows.exclude(_BOUNDED).values_list(*keys, "amount_fen"):
            sums[tuple(key)] += amount
    return iter(sums.items())


def _site_keys(pairs: list[tuple[int, int | None]]) -> dict[int, int]:
    """Station id -> its site (the smaller id of a linked pair, else its own), whether one half or both name the
    twin."""
    site: dict[int, int] = {}
    for pk, pair_id in pairs:
        if pair_id is not None:
            site[pk] = site[pair_id] = min(pk, pair_id)
    return {pk: site.get(pk, pk) for pk, _pair in pairs}


def funding_report(*, actor: Any, start: dt.date, end: dt.date, include_synthetic: bool = False) -> FundingReport:
    """Cost and subsidies by source in months [start, end], per station, per city and in total (within scope).
    Money stays integer fen; ratios are computed from the sums. Synthetic benchmark stations follow the access rule:
    left out of every row, city and total unless asked for.

    Reads tuples, not model instances (a province report covers thousands of stations): the stations with their
    city, and the sums per station done by the database; only the city and total sums are added up here."""
    stations = Station.objects.filter(station_funding_q(actor), station_synthetic_q(asked=include_synthetic))
    station_rows = list(
        stations.values_list(
            "pk",
            "name",
            "pair_id",
            "region__level",
            "region__code",
            "region__name",
            "region__parent__code",
            "region__parent__name",
        )
    )
    in_scope = stations.values("pk")
    months = {"month__gte": start.replace(day=1), "month__lte": end}
    costs = CostReport.objects.filter(station_id__in=in_scope, **months)
    subsidies = SubsidyContribution.objects.filter(station_id__in=in_scope, **months)
    rows = {pk: FundingRow(str(pk), name, sites=1, sides=1) for pk, name, *_rest in station_rows}
    for (pk,), fen in _safe_sums(costs, ("station",)):
        rows[pk].cost_fen += fen
    for (pk, source), fen in _safe_sums(subsidies, ("station", "source")):
        rows[pk].by_source[source] += fen
    site_of = _site_keys([(pk, pair_id) for pk, _name, pair_id, *_rest in station_rows])
    cities: dict[str, FundingRow] = {}
    city_sites: dict[str, set[int]] = {}
    total = FundingRow("total", "全省合计")
    for pk, _name, _pair, level, code, name, parent_code, parent_name in station_rows:
        if level == "county" and parent_code is not None:
            code, name = parent_code, parent_name
        city_row = cities.setdefault(code, FundingRow(code, name))
        city_sites.setdefault(code, set()).add(site_of[pk])
        row = rows[pk]
        for target in (city_row, total):
            target.cost_fen += row.cost_fen
            target.sides += 1
            for source, amount in row.by_source.items():
                target.by_source[source] += amount
    for code, city_row in cities.items():
        city_row.sites = len(city_sites[code])
    total.sites = len(set(site_of.values()))
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
