"""Benchmark: the province funding report (经费保障), tuples and SQL sums vs the model-object baseline.

Run from the repo root on a seeded demo database (the one DATABASE_URL names, else var/chelun.sqlite3):

    DEBUG=1 DATABASE_URL=sqlite:///var/full.sqlite3 .venv/bin/python manage.py migrate
    DEBUG=1 DATABASE_URL=sqlite:///var/full.sqlite3 .venv/bin/python manage.py seed_demo --scale full
    DEBUG=1 DATABASE_URL=sqlite:///var/full.sqlite3 .venv/bin/python bench/funding_page.py [--quick]

It reads the database and writes nothing. As the province admin (`sichuan`), over the seed's whole funding period,
it times `selectors.funding_report` directly and the three requests that call it, in-process through
django.test.Client: the funding page, GET /api/v1/stations/console/funding and the page's Excel export. The
baseline is the same calls with `funding_report` swapped for `funding_report_baseline` below, the computation the
selector had before: every station in scope loaded as a model instance with its region and the region's parent
(three objects per station), the sums added up per object. Each runs twice: as a product deployment shows it (the
demo's 37 named station sides) and as a benchmark deployment does (STATIONS_SHOW_SYNTHETIC: ~2,400 more), which is
where the baseline's ~7,000 objects per view came from. Page, API and export answers must be byte-identical between
the two, and the reports equal row by row. Latencies are per-call medians over rounds (a burst from another job skews
one round, not the figure). Prints a table, then one JSON line.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import io
import json
import os
import re
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def funding_report_baseline(*, actor: Any, start: dt.date, end: dt.date, include_synthetic: bool = False) -> Any:
    """The report as the selector computed it before (kept verbatim but for the imports): model instances."""
    from django.db.models import Sum

    from chelun.stations.access import station_funding_q, station_synthetic_q
    from chelun.stations.models import CostReport, Station, SubsidyContribution
    from chelun.stations.selectors import FundingReport, FundingRow

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


def report_figures(report: Any) -> list[tuple[Any, ...]]:
    """What both computations must agree on: every row's key, name, cost and sources, in order."""
    rows = [*report.stations, *report.cities, report.total]
    return [(r.key, r.name, r.cost_fen, dict(r.by_source)) for r in rows]


@contextmanager
def baseline_swapped() -> Iterator[None]:
    """The page reads selectors.funding (funding_report_for_console), the API the package's re-export."""
    with (
        mock.patch("chelun.stations.selectors.funding.funding_report", funding_report_baseline),
        mock.patch("chelun.stations.selectors.funding_report", funding_report_baseline),
    ):
        yield


# The page also counts sites and sides, which the baseline does not: left out of the comparison.
_COUNTS = re.compile(
    r'<span class="muted small">\d+ 处 · \d+ 侧</span>'
    r"|<div class=\"figure\"><b>\d+</b><span>(暖心之家（处）|服务侧（个）)</span></div>"
    r"|\d+ 处暖心之家共 \d+ 个服务侧"
    # The CSRF token is masked afresh on every response.
    r'|(X-CSRFToken": "|name="csrfmiddlewaretoken" value=")\w+'
)


def comparable(name: str, content: bytes) -> Any:
    """A response as both computations must give it: the workbook's cell values (its file carries a timestamp),
    the page without its site and side counts and CSRF tokens, the API's bytes."""
    if name == "export":
        import openpyxl

        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
        return [[list(row) for row in sheet.iter_rows(values_only=True)] for sheet in book.worksheets]
    if name == "page":
        return _COUNTS.sub("", content.decode())
    return content


def median_ms(call: Callable[[], Any], rounds: int) -> tuple[float, float, Any]:
    times, answer = [], None
    for _ in range(rounds):
        started = time.perf_counter()
        answer = call()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return statistics.median(times), p95, answer


def get_content(client: Any, path: str) -> bytes:
    return bytes(client.get(path).content)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds")
    args = parser.parse_args()
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection, reset_queries
    from django.test import Client

    from chelun.stations import selectors
    from chelun.stations.models import CostReport, Station

    settings.DEBUG = False  # no query log while timing
    settings.ALLOWED_HOSTS = ["*"]
    if not Station.objects.exists():
        sys.exit("No stations: seed the demo first (see this script's docstring).")
    months = sorted(set(CostReport.objects.values_list("month", flat=True)))
    start, end = months[0], months[-1]
    actor = get_user_model().objects.get(username="sichuan")
    client = Client()
    client.force_login(actor)
    rounds = 5 if args.quick else 25
    paths = {
        "page": f"/stations/console/funding/?start={start:%Y-%m}&end={end:%Y-%m}",
        "api": f"/api/v1/stations/console/funding?start={start}&end={end}",
        "export": f"/stations/console/funding/?start={start:%Y-%m}&end={end:%Y-%m}&export=xlsx",
    }
    figures: dict[str, Any] = {}
    same = True
    print(f"funding report {start:%Y-%m}..{end:%Y-%m}, {rounds} rounds, median / p95 ms")
    print(f"{'deployment':<10} {'call':<8} {'fast':>16} {'baseline':>16} {'speedup':>8}")
    for deployment, show in (("product", False), ("benchmark", True)):
        settings.STATIONS_SHOW_SYNTHETIC = show
        calls: dict[str, Callable[[], Any]] = {
            "selector": lambda: selectors.funding_report(actor=actor, start=start, end=end),
            **{name: functools.partial(get_content, client, path) for name, path in paths.items()},
        }
        for name, call in calls.items():
            call()  # warm: the first request of a process loads templates and code
            fast_p50, fast_p95, fast_answer = median_ms(call, rounds)
            with baseline_swapped():
                base_p50, base_p95, base_answer = median_ms(call, rounds)
            if name == "selector":
                agree = report_figures(fast_answer) == report_figures(base_answer)
                figures[f"{deployment}_rows"] = len(fast_answer.stations)
            else:
                agree = comparable(name, fast_answer) == comparable(name, base_answer)
            same = same and agree
            speedup = base_p95 / fast_p95 if fast_p95 else float("inf")
            print(
                f"{deployment:<10} {name:<8} {fast_p50:7.1f} / {fast_p95:6.1f} {base_p50:7.1f} / {base_p95:6.1f}"
                f" {speedup:7.1f}x{'' if agree else '  DIFFERENT'}"
            )
            figures[f"{deployment}_{name}_p95_ms"] = round(fast_p95, 1)
            figures[f"{deployment}_{name}_baseline_p95_ms"] = round(base_p95, 1)
            figures[f"{deployment}_{name}_speedup"] = round(speedup, 1)
    settings.DEBUG = True
    settings.STATIONS_SHOW_SYNTHETIC = True
    for label, swap in (("fast", False), ("baseline", True)):
        reset_queries()
        with baseline_swapped() if swap else nullcontext():
            selectors.funding_report(actor=actor, start=start, end=end)
        figures[f"{label}_queries"] = len(connection.queries)
    figures["same_results"] = same
    print(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    main()
