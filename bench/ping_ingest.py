"""Benchmark: ping batches through the real API into SQLite, vs row-by-row ORM saves of the same pings.

Run from the repo root:  .venv/bin/python bench/ping_ingest.py [--quick]

Needs no setup: a temporary CHELUN_VAR_DIR (DATABASE_URL is ignored, var/ is never touched) with a migrated
scratch SQLite database, one grid branch covering a corridor stretch, and drivers who consented. Each request is
`POST /api/v1/grid/pings` with 1,000 pings (client ids fresh, 30 s apart along G5 near Chengdu) through
django.test.Client: middleware, bearer-less session auth, schema parsing, the checks, the engine, the bulk insert
and the position update. The baseline saves the same kind of pings one `LocationPing.save()` at a time (cell and
branch from the engine, so only the write path differs). Prints a table, then one JSON line.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    batches = 5 if args.quick else 30
    baseline_rows = 1_000 if args.quick else 5_000

    var = tempfile.mkdtemp(prefix="chelun-bench-grid-")
    os.environ["CHELUN_VAR_DIR"] = var
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("HUEY_IMMEDIATE", "0")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.DEBUG = False
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    call_command("migrate", verbosity=0)
    from django.test import Client
    from django.utils import timezone

    from chelun.accounts.models import User
    from chelun.core.regions import regions_load
    from chelun.grid import services
    from chelun.grid.corridors import corridor_cells
    from chelun.grid.index import grid_engine
    from chelun.grid.models import LocationPing
    from chelun.members.tests.factories import make_driver
    from chelun.orgs.choices import OrgKind, OrgSector
    from chelun.orgs.tests.factories import make_org

    regions_load()
    root = make_org(parent=None, name="四川省交通运输行业党委", region_code="510000", kind=OrgKind.INDUSTRY_COMMITTEE)
    branch = make_org(
        parent=root, name="网格支部", region_code="510107", kind=OrgKind.GRID_BRANCH, sector=OrgSector.GRID
    )
    services.coverage_set(branch=branch, cells=corridor_cells([(104.07, 30.67), (103.8, 30.0)], ring=2), actor=None)
    grid_engine.warm()
    now = timezone.now()

    def driver(k: int) -> User:
        person = make_driver(org=branch, name=f"司机{k}")
        services.consent_set(person=person, given=True)
        return User.objects.create_user(username=f"bench-{k}", password="x-Pass-123", person=person)

    def batch(k: int, n: int = 1_000) -> list[dict[str, object]]:
        start = now - dt.timedelta(days=20) + dt.timedelta(seconds=30 * n * k)

        # 30 s apart, ~0.5 km: ~64 km/h back and forth along the line south-west of Chengdu
        def step(m: int) -> int:
            return m if m < 140 else 280 - m

        return [
            {
                "client_id": f"{k}-{i}",
                "at": (start + dt.timedelta(seconds=30 * i)).isoformat(),
                "lat": 30.67 - 0.0045 * step((k * n + i) % 280),
                "lng": 104.07 - 0.0018 * step((k * n + i) % 280),
            }
            for i in range(n)
        ]

    user = driver(1)
    client = Client()
    client.force_login(user)
    bodies = [json.dumps({"pings": batch(k)}) for k in range(batches)]
    # One driver per batch, as a fleet sends them (and each driver's track stays continuous).
    clients = []
    for k in range(batches):
        c = Client()
        c.force_login(driver(100 + k))
        clients.append(c)
    # Warm-up outside the timing: the first request imports the URL conf and every router.
    warm = Client()
    warm.force_login(driver(99))
    warm.post("/api/v1/grid/pings", json.dumps({"pings": batch(0, 10)}), content_type="application/json")
    warmed = LocationPing.objects.count()
    failed = 0
    if os.environ.get("BENCH_PROFILE"):
        import cProfile

        cProfile.runctx(
            "clients[0].post('/api/v1/grid/pings', bodies[0], content_type='application/json')",
            globals(),
            locals(),
            sort="cumtime",
        )
        return
    t0 = time.perf_counter()
    for c, body in zip(clients, bodies, strict=True):
        r = c.post("/api/v1/grid/pings", body, content_type="application/json")
        if r.status_code != 200:
            failed += 1
            print("refused:", r.json()["message"], r.json().get("extra", {}).get("items", [])[:2])
    api_s = time.perf_counter() - t0
    api_rows = LocationPing.objects.count() - warmed
    api_rate = api_rows / api_s

    person = user.person
    items = batch(9_999, baseline_rows)
    import numpy as np

    cells, owners = grid_engine.get().assign(
        np.array([p["lat"] for p in items], dtype=float), np.array([p["lng"] for p in items], dtype=float)
    )
    t0 = time.perf_counter()
    for p, c_, b in zip(items, cells.tolist(), owners.tolist(), strict=True):
        LocationPing(
            person=person,
            client_id=str(p["client_id"]),
            at=dt.datetime.fromisoformat(str(p["at"])),
            lat=float(p["lat"]),  # type: ignore[arg-type]
            lng=float(p["lng"]),  # type: ignore[arg-type]
            cell=int(c_),
            branch_id=None if b < 0 else int(b),
            received_at=now,
        ).save()
    base_s = time.perf_counter() - t0
    base_rate = baseline_rows / base_s

    print(f"database sqlite ({var}); {batches} batches of 1,000 through the API, {baseline_rows:,} single saves")
    print(f"{'path':<22}{'pings/s':>12}")
    print(f"{'API batches':<22}{api_rate:>12,.0f}   target >= 20,000")
    print(f"{'row-by-row ORM saves':<22}{base_rate:>12,.0f}")
    print(f"speedup {api_rate / base_rate:.1f}x (target >= 10x); failed requests {failed}")
    print(
        json.dumps(
            {
                "ingest_pings_per_s": round(api_rate),
                "baseline_pings_per_s": round(base_rate),
                "speedup": round(api_rate / base_rate, 1),
                "pings": api_rows,
                "database": "sqlite",
                "failed_requests": failed,
            }
        )
    )


if __name__ == "__main__":
    main()
