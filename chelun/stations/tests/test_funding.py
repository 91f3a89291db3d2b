"""The province funding report: tuples and SQL sums equal to the model-object computation it replaced, safe sums,
sites and sides, and the bounds on what may be entered."""

from __future__ import annotations

import datetime as dt
import importlib.util
import random
from pathlib import Path
from types import ModuleType
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from chelun.core.errors import ApplicationError
from chelun.core.models import LedgerTransaction, Region
from chelun.core.money import MAX_ENTRY_FEN
from chelun.stations import selectors, services
from chelun.stations.choices import CostCategory, FundingSource
from chelun.stations.models import CostReport, Station, SubsidyContribution
from chelun.stations.tests.factories import make_station

pytestmark = pytest.mark.django_db


@pytest.fixture
def wuhou_station(tree):
    return make_station(org=tree.wuhou_branch, name="武侯暖心之家")


def _bench() -> ModuleType:
    """bench/funding_page.py, which keeps the old computation as its baseline (one copy of it)."""
    path = Path(__file__).resolve().parents[3] / "bench" / "funding_page.py"
    spec = importlib.util.spec_from_file_location("funding_page_bench", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _seeded_set(tree, seed: int = 20261204) -> list[Station]:
    """Deterministic stations over counties of 成都 and 绵阳 (and one on a city itself), some in linked pairs, some
    synthetic, with random costs and subsidies over Jan–Jun 2026."""
    rng = random.Random(seed)
    counties = {
        tree.wuhou_branch: ["510107", "510104", "510112"],
        tree.fucheng_branch: ["510703", "510704", "510700"],
        tree.jinjiang_branch: ["510104"],
    }
    stations: list[Station] = []
    for n in range(14):
        org = rng.choice(list(counties))
        region = Region.objects.get(code=rng.choice(counties[org]))
        stations.append(make_station(org=org, name=f"站{n:02d}", region=region, lon=104.0, lat=30.6))
    for a, b in ((0, 1), (4, 5), (8, 9)):
        Station.objects.filter(pk=stations[a].pk).update(pair=stations[b])
        Station.objects.filter(pk=stations[b].pk).update(pair=stations[a])
    Station.objects.filter(pk__in=[stations[12].pk, stations[13].pk]).update(is_demo_synthetic=True)
    months = [dt.date(2026, m, 1) for m in range(1, 7)]
    costs = []
    for station in stations[::2] + stations[3:4]:  # leaves second halves and a few others without figures
        for month in months:
            for category in rng.sample(CostCategory.values, 3):
                amount = rng.randint(0, 9**9)
                costs.append(CostReport(station=station, month=month, category=category, amount_fen=amount))
            for i, source in enumerate(rng.sample(FundingSource.values, 2)):
                services.subsidy_record(
                    actor=tree.province_admin,
                    station=station,
                    month=month,
                    source=source,
                    amount_fen=rng.randint(1, 5 * 10**8),
                    idempotency_key=f"seeded-{station.pk}-{month:%Y%m}-{i}",
                )
    CostReport.objects.bulk_create(costs)
    return stations


@pytest.mark.parametrize("include_synthetic", [False, True])
@pytest.mark.parametrize("who", ["province_admin", "wuhou_admin", "jinjiang_admin"])
def test_report_equals_the_model_object_computation(tree, include_synthetic, who):
    _seeded_set(tree)
    bench = _bench()
    actor = getattr(tree, who)
    for start, end in ((dt.date(2026, 1, 1), dt.date(2026, 6, 1)), (dt.date(2026, 3, 1), dt.date(2026, 4, 1))):
        fast = selectors.funding_report(actor=actor, start=start, end=end, include_synthetic=include_synthetic)
        slow = bench.funding_report_baseline(actor=actor, start=start, end=end, include_synthetic=include_synthetic)

        assert bench.report_figures(fast) == bench.report_figures(slow)
        assert [r.cost_fen for r in fast.stations] == [r.cost_fen for r in slow.stations]


def test_report_reads_no_station_or_region_instances(tree, django_assert_max_num_queries):
    _seeded_set(tree)
    loaded = mock.Mock(side_effect=AssertionError("model instance loaded"))

    with (
        mock.patch.object(Station, "from_db", loaded),
        mock.patch.object(Region, "from_db", loaded),
        mock.patch.object(CostReport, "from_db", loaded),
        django_assert_max_num_queries(4),  # the actor's scope, stations, cost sums, subsidy sums
    ):
        report = selectors.funding_report(actor=tree.province_admin, start=dt.date(2026, 1, 1), end=dt.date(2026, 6, 1))

    assert len(report.stations) == 12
    assert loaded.call_count == 0


def test_sites_count_a_linked_pair_once_and_sides_count_each_half(tree):
    stations = _seeded_set(tree)

    report = selectors.funding_report(actor=tree.province_admin, start=dt.date(2026, 1, 1), end=dt.date(2026, 6, 1))
    with_synthetic = selectors.funding_report(
        actor=tree.province_admin, start=dt.date(2026, 1, 1), end=dt.date(2026, 6, 1), include_synthetic=True
    )

    assert (report.total.sides, report.total.sites) == (12, 9)  # 12 halves and stations; 3 pairs fold
    assert (with_synthetic.total.sides, with_synthetic.total.sites) == (14, 11)
    assert sum(c.sides for c in report.cities) == 12
    by_pk = {int(r.key): r for r in report.stations}
    assert (by_pk[stations[0].pk].sites, by_pk[stations[0].pk].sides) == (1, 1)


def test_sums_are_exact_past_what_sqlite_can_add(tree, wuhou_station):
    """A cost stored before entries were bounded (2^63 - 1 fen, the largest SQLite integer) beside an ordinary one:
    the report adds them exactly instead of failing with an integer overflow."""
    month = dt.date(2026, 1, 1)
    CostReport.objects.create(station=wuhou_station, month=month, category="staff", amount_fen=2**63 - 1)
    CostReport.objects.create(station=wuhou_station, month=month, category="utilities", amount_fen=500)
    other = make_station(org=tree.wuhou_branch, name="另一站")
    CostReport.objects.create(station=other, month=month, category="staff", amount_fen=2**63 - 1)

    report = selectors.funding_report(actor=tree.province_admin, start=month, end=month)

    assert report.total.cost_fen == 2 * (2**63 - 1) + 500
    assert {r.name: r.cost_fen for r in report.stations} == {"武侯暖心之家": 2**63 - 1 + 500, "另一站": 2**63 - 1}


def test_page_api_and_export_answer_with_an_oversized_stored_cost(client, tree, wuhou_station):
    month = dt.date(2026, 1, 1)
    CostReport.objects.create(station=wuhou_station, month=month, category="staff", amount_fen=2**63 - 1)
    CostReport.objects.create(station=wuhou_station, month=month, category="other", amount_fen=1)
    client.force_login(tree.province_admin)
    params = {"start": "2026-01", "end": "2026-01"}

    page = client.get(reverse("stations:funding"), params)
    export = client.get(reverse("stations:funding"), {**params, "export": "xlsx"})
    api = client.get("/api/v1/stations/console/funding", {"start": "2026-01-01", "end": "2026-01-31"})

    assert (page.status_code, export.status_code, api.status_code) == (200, 200, 200)
    assert page.context["total"]["cost"] == "92,233,720,368,547,758.08"
    assert api.json()["total"]["cost_fen"] == 2**63


# ---------------------------------------------------------------------------------------------------------------
# The page: only rows with figures, thousands separators, flagged cities, sites and sides
# ---------------------------------------------------------------------------------------------------------------


def test_page_lists_rows_with_figures_and_counts_the_rest(client, tree):
    _seeded_set(tree)
    client.force_login(tree.province_admin)

    response = client.get(reverse("stations:funding"), {"start": "2026-01", "end": "2026-06"})

    report = selectors.funding_report(actor=tree.province_admin, start=dt.date(2026, 1, 1), end=dt.date(2026, 6, 1))
    funded = [r.name for r in report.stations if not r.is_empty]
    assert len(funded) == 7
    assert [r["name"] for r in response.context["stations"]] == funded
    empty = [r.name for r in report.stations if r.is_empty]
    empty_links = [
        (r.name, reverse("stations:funding_station", args=[int(r.key)])) for r in report.stations if r.is_empty
    ]
    assert response.context["stations_without_figures"] == empty_links and len(empty) == 5
    assert all(f'<a href="{url}">{name}</a>' in response.text for name, url in empty_links)
    assert "另有 5 个服务侧本期无经费记录，列在表下" in response.text
    assert response.text.count('data-row="') == 7 + len(response.context["cities"])
    assert "9 处暖心之家共 12 个服务侧" in response.text


def test_page_groups_thousands_and_flags_cities_under_half(client, tree, wuhou_station):
    fucheng = make_station(org=tree.fucheng_branch, name="涪城暖心之家")
    month = dt.date(2026, 1, 1)
    admin = tree.province_admin
    services.cost_report_set(actor=admin, station=wuhou_station, month=month, amounts_fen={"staff": 123_456_789})
    services.cost_report_set(actor=admin, station=fucheng, month=month, amounts_fen={"staff": 1_000_000})
    for key, station, fen in (("c", wuhou_station, 12_345_678), ("m", fucheng, 600_000)):
        services.subsidy_record(
            actor=admin, station=station, month=month, source="finance", amount_fen=fen, idempotency_key=key
        )
    client.force_login(admin)

    response = client.get(reverse("stations:funding"), {"start": "2026-01", "end": "2026-01"})

    cities = {c["name"]: (c["cost"], c["subsidy"], c["below"], c["sites"]) for c in response.context["cities"]}
    assert cities == {"成都市": ("1,234,567.89", "123,456.78", True, 1), "绵阳市": ("10,000.00", "6,000.00", False, 1)}
    assert response.context["cities_below"] == ["成都市"]
    assert '<span class="badge flag">1 个市州低于50%</span> 成都市</p>' in response.text
    assert '<tr class="below" data-row="成都市">' in response.text
    assert '<tr data-row="绵阳市">' in response.text


# ---------------------------------------------------------------------------------------------------------------
# What may be entered: months from 2015 to this one, amounts under 1 亿元
# ---------------------------------------------------------------------------------------------------------------


def _next_month(today: dt.date) -> dt.date:
    return (today.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def test_a_subsidy_for_a_future_month_is_refused_on_the_page_and_recorded_nowhere(client, tree, wuhou_station):
    client.force_login(tree.province_admin)
    ahead = _next_month(timezone.localdate())

    response = client.post(
        reverse("stations:funding_subsidy", args=[wuhou_station.pk]),
        {"month": f"{ahead:%Y-%m}", "source": "finance", "amount": "100", "idempotency_key": "future-month-1"},
    )

    assert response.status_code == 422
    this_month = timezone.localdate()
    assert f"不能填报未来月份（最晚为 {this_month.year} 年 {this_month.month} 月）" in response.text
    assert SubsidyContribution.objects.count() == 0 and LedgerTransaction.objects.count() == 0


@pytest.mark.parametrize("month", [dt.date(2015, 1, 1), "this month"])
def test_months_from_2015_to_this_one_are_accepted(tree, wuhou_station, month):
    month = timezone.localdate().replace(day=1) if month == "this month" else month

    services.cost_report_set(actor=tree.province_admin, station=wuhou_station, month=month, amounts_fen={"staff": 1})
    services.subsidy_record(
        actor=tree.province_admin,
        station=wuhou_station,
        month=month,
        source="finance",
        amount_fen=MAX_ENTRY_FEN - 1,
        idempotency_key="edge-month",
    )

    assert list(CostReport.objects.values_list("month", "amount_fen")) == [(month, 1)]
    assert list(SubsidyContribution.objects.values_list("month", "amount_fen")) == [(month, MAX_ENTRY_FEN - 1)]


@pytest.mark.parametrize(
    ("month", "amount", "code"),
    [
        (dt.date(2014, 12, 1), 1, "month_too_early"),
        ("next month", 1, "month_in_future"),
        (dt.date(2026, 1, 1), MAX_ENTRY_FEN, "amount_too_large"),
        (dt.date(2026, 1, 1), 2**63 - 1, "amount_too_large"),
    ],
)
def test_the_services_refuse_out_of_range_months_and_amounts(tree, wuhou_station, month, amount, code):
    month = _next_month(timezone.localdate()) if month == "next month" else month
    admin = tree.province_admin

    with pytest.raises(ApplicationError) as cost_refused:
        services.cost_report_set(actor=admin, station=wuhou_station, month=month, amounts_fen={"staff": amount})
    with pytest.raises(ApplicationError) as subsidy_refused:
        services.subsidy_record(
            actor=admin, station=wuhou_station, month=month, source="finance", amount_fen=amount, idempotency_key="x1"
        )

    assert (cost_refused.value.code, subsidy_refused.value.code) == (code, code)
    assert CostReport.objects.count() == 0 and SubsidyContribution.objects.count() == 0
