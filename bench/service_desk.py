"""Benchmark: the service desk (急难愁盼) at a million appeals — a county admin's queue page and the province's
statistics, fast path vs the unoptimised queries, in the same run.

Run from the repo root:  .venv/bin/python bench/service_desk.py [--quick]

It needs no setup: a fresh temporary CHELUN_VAR_DIR holds a scratch SQLite database (any DATABASE_URL is ignored
unless --database-url is given, e.g. a scratch PostgreSQL database), migrated and seeded with the demo tree and a
small set of drivers, then APPEALS (1,000,000; --quick: 50,000) appeals spread over the 183 county committees and a
year, with a realistic mix of statuses. Deterministic (fixed seed).

- Queue: the first page (30 rows) of a county admin's queue exactly as the page reads it — chelun.appeals.selectors
  .appeal_queue_page (scope as a path range the (owner_path, submitted_at) index seeks on; the page's ids from the
  index, then those 30 rows with their joins; no COUNT) plus the rows' deadline and reporter text — for 20 county
  admins. Baseline: the same page the unoptimised
  way: the scope as the bare prefix match (LIKE, no index), a counted paginator, and each row's category, owner,
  region and driver loaded one by one (N+1).
- Statistics: chelun.appeals.selectors.appeal_statistics for the province admin, by category, read from the
  monthly roll-ups (chelun.appeals.stats; their rebuild is timed apart, it runs in the periodic task). Baseline:
  one COUNT/AVG/SUM query per measure and category over the appeals, as a first version would write it. The table
  also shows the single live aggregate over the appeals.
Both paths must give the same answers. Prints a table, then one JSON line.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import os
import random
import statistics as stats
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

SEED = 20261204
APPEALS = 1_000_000
QUICK_APPEALS = 50_000
QUEUE_ADMINS = 20
TARGET_QUEUE_MS = 100.0
TARGET_STATS_MS = 500.0


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def configure(var_dir: Path, database_url: str | None) -> None:
    os.environ["DEBUG"] = "1"
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ["CHELUN_VAR_DIR"] = str(var_dir)
    for name in ("DATABASE_URL", "MEDIA_ROOT", "REDIS_URL", "SECRET_KEY", "ALLOWED_HOSTS"):
        os.environ.pop(name, None)
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    (var_dir / "staticfiles").mkdir(exist_ok=True)
    import django

    django.setup()
    from django.conf import settings

    settings.DEBUG = False  # no query log
    if not database_url:
        database = Path(settings.DATABASES["default"]["NAME"]).resolve()
        if not database.is_relative_to(var_dir.resolve()):
            raise SystemExit(f"refusing to run against {database}")


def build(total: int) -> tuple[list[Any], Any]:
    """Migrate, seed the tree and drivers, insert `total` appeals; returns (county admins, province admin)."""
    from auditlog.context import disable_auditlog
    from django.core.management import call_command
    from django.db import transaction

    from chelun.accounts.models import User
    from chelun.appeals import sla
    from chelun.appeals.choices import AppealStatus as S
    from chelun.appeals.models import Appeal, Category
    from chelun.appeals.stats import appeal_stats_refresh
    from chelun.demo.people import PeopleCounts
    from chelun.demo.seed import seed_demo
    from chelun.members.models import Person
    from chelun.orgs.choices import OrgKind, Role
    from chelun.orgs.models import Organization, RoleGrant

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    seed_demo(counts=PeopleCounts(drivers=2000, party_member_drivers=60, shippers=50, station_operators=20), seed=SEED)
    log(f"migrated and seeded the tree and 2,000 drivers in {time.perf_counter() - started:.1f} s")
    committees = list(Organization.objects.filter(kind=OrgKind.INDUSTRY_COMMITTEE).order_by("depth", "id"))
    province = committees[0]
    counties = [o for o in committees if o.depth == 2]
    owners = counties + [o for o in committees if o.depth == 1]
    weights = [10] * len(counties) + [3] * (len(owners) - len(counties))
    categories = list(Category.objects.exclude(code="station_complaint"))
    drivers = list(Person.objects.values_list("pk", "region_id")[:2000])
    rng = random.Random(SEED)
    now = dt.datetime(2026, 12, 1, 12, 0, tzinfo=sla.BEIJING)
    statuses = [S.CLOSED] * 70 + [S.CONFIRMED] * 10 + [S.RESOLVED] * 6 + [S.IN_PROGRESS] * 6 + [S.SUBMITTED] * 4
    statuses += [S.ACCEPTED] * 2 + [S.REOPENED] * 2
    # Deadlines: the calendar is only consulted for each distinct (day, days) pair.
    due_cache: dict[tuple[dt.date, int], dt.datetime] = {}

    def due(moment: dt.datetime, days: int) -> dt.datetime:
        key = (moment.astimezone(sla.BEIJING).date(), days)
        if key not in due_cache:
            due_cache[key] = sla.due_at(moment, days)
        return due_cache[key]

    started = time.perf_counter()
    Appeal.objects.all().delete()  # the demo's own year; the bench builds its own
    from django.db import connection

    columns = [f.column for f in Appeal._meta.concrete_fields]
    adapt = connection.ops.adapt_datetimefield_value
    template = {f.column: f.get_default() for f in Appeal._meta.concrete_fields}
    template.update(description="运费拖欠", place_text="", contact="phone", rating_comment="", resolution="")
    template.update(supervised=False, supervision_overdue=False, version=1, updated_at=adapt(now))
    sql = (
        f"INSERT INTO {connection.ops.quote_name(Appeal._meta.db_table)} "
        f"({', '.join(connection.ops.quote_name(c) for c in columns)}) VALUES ({', '.join(['%s'] * len(columns))})"
    )
    cum_weights = list(itertools.accumulate(weights))
    next_pk = 1
    with disable_auditlog():
        while next_pk <= total:
            batch = []
            for _ in range(min(20_000, total - next_pk + 1)):
                owner = rng.choices(owners, cum_weights=cum_weights)[0]
                category = rng.choice(categories)
                driver_id, home = rng.choice(drivers)
                # Most appeals are about the owner's own county; a few name another place.
                region_id = owner.region_id if rng.random() < 0.9 else home
                submitted = now - dt.timedelta(minutes=rng.randrange(365 * 24 * 60))
                status = rng.choice(statuses)
                ack_due, resolve_due = due(submitted, category.ack_days), due(submitted, category.resolve_days)
                accepted = None if status == S.SUBMITTED else submitted + dt.timedelta(hours=rng.uniform(0.5, 40))
                done = status in (S.RESOLVED, S.CONFIRMED, S.CLOSED)
                resolved = submitted + dt.timedelta(days=rng.uniform(1, 15)) if done else None
                rated = status in (S.CONFIRMED, S.CLOSED)
                row = dict(template)
                row.update(
                    id=next_pk, driver_id=driver_id, category_id=category.pk, region_id=region_id, owner_id=owner.pk,
                    owner_path=owner.path, submitted_at=adapt(submitted), status=status, ack_due_at=adapt(ack_due),
                    resolve_due_at=adapt(resolve_due), accepted_at=adapt(accepted), resolved_at=adapt(resolved),
                    rating=rng.choice([5, 5, 5, 4, 4, 3, 2, 1]) if rated else None,
                    reopen_count=1 if rng.random() < 0.04 else 0,
                    money_recovered_fen=rng.randrange(0, 3_000_000) if done and rng.random() < 0.3 else 0,
                    escalation_level=1 if rng.random() < 0.05 else 0,
                )  # fmt: skip
                batch.append([row[c] for c in columns])
                next_pk += 1
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.executemany(sql, batch)
    log(f"inserted {total:,} appeals in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    appeal_stats_refresh(months=None, at=now)
    log(f"monthly roll-ups rebuilt in {time.perf_counter() - started:.1f} s")
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    admins = []
    for index, county in enumerate(rng.sample(counties, QUEUE_ADMINS)):
        user = User.objects.create(username=f"bench-county-{index}", password="!")
        RoleGrant.objects.create(user=user, organization=county, role=Role.ADMIN)
        admins.append(user)
    province_admin = User.objects.create(username="bench-province", password="!")
    RoleGrant.objects.create(user=province_admin, organization=province, role=Role.ADMIN)
    return admins, province_admin


def fresh(user: Any) -> Any:
    """The same user with an empty per-request scope cache, as each request starts."""
    user.__dict__.pop("_chelun_scope_cache", None)
    return user


def queue_fast(user: Any) -> list[tuple[Any, ...]]:
    from chelun.appeals import selectors
    from chelun.appeals.views.wording import deadline_text

    page, _has_next = selectors.appeal_queue_page(actor=fresh(user), number=1, per_page=30)
    return [
        (a.pk, a.category.name, a.owner.name, selectors.list_reporter_label(a), bool(deadline_text(a))) for a in page
    ]


def queue_baseline(user: Any) -> list[tuple[Any, ...]]:
    from django.core.paginator import Paginator

    from chelun.appeals import selectors
    from chelun.appeals.models import Appeal
    from chelun.appeals.views.wording import deadline_text
    from chelun.orgs.access import path_scope_q

    qs = Appeal.objects.filter(path_scope_q(fresh(user), "appeal.view", "owner_path")).order_by("-submitted_at", "-id")
    page = Paginator(qs, 30).get_page(1)
    rows = []
    for a in page.object_list:
        rows.append((a.pk, a.category.name, a.owner.name, selectors.list_reporter_label(a), bool(deadline_text(a))))
    return rows


def stats_fast(user: Any) -> list[tuple[Any, ...]]:
    from chelun.appeals import selectors

    rows = selectors.appeal_statistics(actor=fresh(user), group="category")
    return [
        (r.label, r.total, r.ack_on_time, r.resolve_on_time, r.rated, r.rating_avg, r.reopened, r.money_fen)
        for r in rows
    ]


def stats_live(user: Any) -> list[tuple[Any, ...]]:
    """The single aggregate over the appeals themselves (what the roll-ups replace), for the table."""
    from chelun.appeals import selectors

    rows = selectors.appeal_statistics(actor=fresh(user), group="category", live=True)
    return [
        (r.label, r.total, r.ack_on_time, r.resolve_on_time, r.rated, r.rating_avg, r.reopened, r.money_fen)
        for r in rows
    ]


def stats_baseline(user: Any) -> list[tuple[Any, ...]]:
    from django.db.models import Avg, F, Sum

    from chelun.appeals.choices import AppealStatus
    from chelun.appeals.models import Appeal, Category
    from chelun.orgs.access import path_scope_q

    scoped = Appeal.objects.filter(path_scope_q(fresh(user), "appeal.view", "owner_path")).exclude(
        status=AppealStatus.MERGED
    )
    rows = []
    for category in Category.objects.order_by("name"):
        qs = scoped.filter(category=category)
        total = qs.count()
        if not total:
            continue
        avg = qs.aggregate(v=Avg("rating"))["v"]
        rows.append(
            (
                category.name,
                total,
                qs.filter(accepted_at__lte=F("ack_due_at")).count(),
                qs.filter(resolved_at__lte=F("resolve_due_at")).count(),
                qs.filter(rating__isnull=False).count(),
                round(float(avg), 2) if avg is not None else None,
                qs.filter(reopen_count__gt=0).count(),
                int(qs.aggregate(v=Sum("money_recovered_fen"))["v"] or 0),
            )
        )
    return rows


def timed(fn: Callable[[Any], Any], users: list[Any], rounds: int) -> tuple[list[float], list[Any]]:
    """Per-user median over `rounds` passes (a burst from another job skews one pass, not a user), in ms."""
    samples: dict[int, list[float]] = {i: [] for i in range(len(users))}
    answers: list[Any] = []
    for round_no in range(rounds):
        for i, user in enumerate(users):
            started = time.perf_counter()
            answer = fn(user)
            samples[i].append((time.perf_counter() - started) * 1000)
            if round_no == 0:
                answers.append(answer)
    return [stats.median(v) for v in samples.values()], answers


def p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_APPEALS:,} appeals instead of {APPEALS:,}")
    parser.add_argument("--database-url", help="a scratch database to use instead of SQLite (it is overwritten)")
    args = parser.parse_args()
    total = QUICK_APPEALS if args.quick else APPEALS
    with tempfile.TemporaryDirectory(prefix="chelun-bench-desk-") as tmp:
        configure(Path(tmp), args.database_url)
        from django.db import connection

        admins, province_admin = build(total)
        rounds = 5
        queue_ms, queue_answers = timed(queue_fast, admins, rounds)
        base_ms, base_answers = timed(queue_baseline, admins, rounds)
        stat_ms, stat_answers = timed(stats_fast, [province_admin], rounds)
        stat_base_ms, stat_base_answers = timed(stats_baseline, [province_admin], 3)
        live_ms, live_answers = timed(stats_live, [province_admin], 3)
        same = queue_answers == base_answers
        same = same and sorted(stat_answers[0]) == sorted(stat_base_answers[0]) == sorted(live_answers[0])
        vendor = connection.vendor
    result = {
        "appeals": total,
        "database": vendor,
        "queue_p50_ms": round(p(queue_ms, 0.5), 2),
        "queue_p95_ms": round(p(queue_ms, 0.95), 2),
        "queue_baseline_p95_ms": round(p(base_ms, 0.95), 2),
        "queue_speedup": round(p(base_ms, 0.95) / p(queue_ms, 0.95), 1),
        "stats_ms": round(stat_ms[0], 1),
        "stats_baseline_ms": round(stat_base_ms[0], 1),
        "stats_speedup": round(stat_base_ms[0] / stat_ms[0], 1),
        "stats_live_ms": round(live_ms[0], 1),
        "same_results": same,
    }
    print(f"\n急难愁盼 service desk, {total:,} appeals on {vendor}")
    print(f"{'':28}{'fast':>12}{'baseline':>12}{'target':>10}")
    for name, fast, base, target in [
        ("county queue page p95 (ms)", result["queue_p95_ms"], result["queue_baseline_p95_ms"], TARGET_QUEUE_MS),
        ("province statistics (ms)", result["stats_ms"], result["stats_baseline_ms"], TARGET_STATS_MS),
        ("  one live aggregate (ms)", result["stats_live_ms"], "", ""),
    ]:
        print(f"{name:28}{fast:>12}{base:>12}{target:>10}")
    print(f"same results: {same}\n")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
