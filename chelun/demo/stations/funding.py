"""Funding: monthly operating costs and the subsidies from the four sources, each a balanced ledger transaction."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from django.conf import settings

from chelun.core.ledger import ledger_post
from chelun.demo.geography import allocate
from chelun.demo.stations.plans import Half
from chelun.stations.choices import CostCategory, FundingSource, StationClass
from chelun.stations.models import CostReport, Station, SubsidyContribution

__all__ = ["COST_MONTHS", "insert_funding"]

COST_MONTHS = 6
_A = StationClass.A

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


def insert_funding(rng: random.Random, named: Sequence[Half], now: dt.datetime) -> int:
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
