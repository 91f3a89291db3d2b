"""Benchmark: the people list filtered by region, and the API's list pages, at province scale.

Run from the repo root:  .venv/bin/python bench/people_list.py [--quick] [--database var/full.sqlite3]

See demo_db.py for the database (a fresh full demo, 630,000 people, unless --quick or --database). As the province
committee's admin (`sichuan`), through django.test.Client in-process (middleware, scope, query, template/JSON), it
times:
- the people page `/people/?region=<id>` for a county (武侯区), a large prefecture (成都市) and the smallest
  prefecture (甘孜州): the page's rows, no count;
- the API's `/api/v1/members/people` with no filter, and by the same regions: the page's rows and its count.
The baseline is the same requests with the old region filter (region OR region.parent OR region.parent.parent, three
joins) and the old exact COUNT(*) of every matching row. Answers must agree: the same rows in the same order, and the
same count wherever it is under the cap (above it the new answer says 10,000 with count_exact false).
Prints a table, then one JSON line.
"""

from __future__ import annotations

import argparse
import functools
import json
import re
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from demo_db import add_database_arguments, log, p50, p95, prepare, time_ms

TARGET_MS = 200.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_database_arguments(parser)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    prepare(args)

    from unittest import mock

    from django.db.models import Q
    from django.test import Client

    from chelun.accounts.models import User
    from chelun.core import schemas
    from chelun.core.models import Region
    from chelun.members import selectors
    from chelun.members.models import Person

    def old_region_filter(qs: Any, region: Region) -> Any:
        return qs.filter(Q(region=region) | Q(region__parent=region) | Q(region__parent__parent=region))

    def old_count(queryset: Any, cap: int | None = None) -> tuple[int, bool]:
        return queryset.count(), True

    client = Client(HTTP_HOST="localhost")
    client.force_login(User.objects.get(username="sichuan"))
    by_prefecture = {
        code: Person.objects.filter(Q(region__code=code) | Q(region__parent__code=code)).count()
        for code in Region.objects.filter(level="prefecture").values_list("code", flat=True)
    }
    smallest = min(by_prefecture, key=lambda code: by_prefecture[code])
    regions = [Region.objects.get(code=code) for code in ("510107", "510100", smallest)]
    cases: list[tuple[str, str]] = [("API 全部人员", "/api/v1/members/people")]
    for region in regions:
        cases.append((f"页面 {region.name}", f"/people/?region={region.pk}"))
        cases.append((f"API {region.name}", f"/api/v1/members/people?region={region.code}"))

    def answer(url: str) -> Any:
        response = client.get(url, HTTP_HX_REQUEST="true")
        assert response.status_code == 200, (url, response.status_code)
        if url.startswith("/api/"):
            body = response.json()
            return [item["id"] for item in body["items"]], body["count"], body["count_exact"]
        return re.findall(r'href="/people/(\d+)/"', response.content.decode())

    rows = []
    same = True
    for label, url in cases:
        fast, fast_answer = time_ms(functools.partial(answer, url), args.rounds)
        with (
            mock.patch.object(selectors, "_filter_region", old_region_filter),
            mock.patch.object(schemas, "capped_count", old_count),
        ):
            base, base_answer = time_ms(functools.partial(answer, url), max(2, args.rounds // 2))
        if url.startswith("/api/"):
            ids, count, exact = fast_answer
            base_ids, base_count, _ = base_answer
            agrees = ids == base_ids and (count == base_count if exact else base_count > count)
        else:
            agrees = fast_answer == base_answer
        same = same and agrees
        rows.append((label, p50(fast), p95(fast), p50(base), p95(base), agrees))
        log(f"{label}: {p95(fast):.0f} ms (baseline {p95(base):.0f} ms)")

    print(f"{'case':<22}{'p50 ms':>9}{'p95 ms':>9}{'base p50':>10}{'base p95':>10}{'speedup':>9}  same")
    for label, f50, f95, b50, b95, agrees in rows:
        print(f"{label:<22}{f50:>9.1f}{f95:>9.1f}{b50:>10.1f}{b95:>10.1f}{b95 / f95:>9.1f}  {agrees}")
    print(f"target: every case under {TARGET_MS:.0f} ms at p95")
    worst = max(r[2] for r in rows)
    worst_base = max(r[4] for r in rows)
    figures = {
        "people": Person.objects.count(),
        "cases": {
            label: {"p95_ms": round(f95, 1), "baseline_p95_ms": round(b95, 1)} for label, _, f95, _, b95, _ in rows
        },
        "p95_ms": round(worst, 1),
        "baseline_p95_ms": round(worst_base, 1),
        "speedup": round(worst_base / worst, 1),
        "same_results": same,
    }
    print(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    main()
