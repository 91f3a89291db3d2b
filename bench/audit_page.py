"""Benchmark: the audit page (审计日志) on ten million entries, fast query vs the old one.

Run from the repo root:  .venv/bin/python bench/audit_page.py [--quick] [--database var/full.sqlite3] [--entries N]

See demo_db.py for the database. The demo seeds a year of audit history (chelun.demo.audit: logins, reveals, people,
organisation and station edits by the demo logins); this script fills the log further to `--entries` (default ten
million; --quick: 200,000) by copying the year's entries with their timestamps moved back by up to a month, in SQL.
Then, through django.test.Client in-process, it times GET /audit/ for the superuser, the province auditor, the city
(成都) and county (武侯) admins and the admin of one company branch (created here, a small scope), with no filter and
with the page's filters (reveals only; people only; the last week; one actor), and a deep page. The baseline is the
same requests with the old query (scope as a prefix match on the JSON path, dates cast per row, filters through
joins); the pages must list the same entries. Prints a table, then one JSON line.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import json
import re
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from demo_db import add_database_arguments, log, p50, p95, prepare, time_ms

TARGET_MS = 200.0


def fill(target: int) -> int:
    """Copy the log's entries (timestamps moved back by up to 30 days) until it holds `target`; returns the count."""
    from auditlog.models import LogEntry
    from django.db import connection, transaction

    count = LogEntry.objects.count()
    if count == 0:
        import random

        from django.utils import timezone

        from chelun.demo.audit import seed_audit_year
        from chelun.members.models import DriverProfile

        with transaction.atomic():
            seed_audit_year(rng=random.Random("bench:audit"), drivers=DriverProfile.objects.count(), now=timezone.now())
        count = LogEntry.objects.count()
    columns = (
        "object_pk, object_id, object_repr, serialized_data, action, changes_text, changes, remote_addr, remote_port, "
        "additional_data, actor_email, content_type_id, actor_id, cid"
    )
    started = time.perf_counter()
    while count < target:
        batch = min(count, target - count)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO auditlog_logentry ({columns}, timestamp) SELECT {columns}, "
                "datetime(timestamp, '-' || (abs(random()) % 2592000) || ' seconds') "
                f"FROM auditlog_logentry ORDER BY id LIMIT {batch}"
            )
        count += batch
        log(f"audit log: {count:,} entries ({time.perf_counter() - started:.0f} s)")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE auditlog_logentry")
    return count


def old_audit_entry_list(*, actor: Any, filters: Any = None) -> Any:
    """The audit query before issue 9 (chelun.core.audit at 04def86), for the baseline."""
    from auditlog.models import LogEntry

    from chelun.core.audit import AuditFilter, audit_scope_q

    f = filters or AuditFilter()
    qs = LogEntry.objects.filter(audit_scope_q(actor)).select_related("actor", "content_type")
    if f.action is not None:
        qs = qs.filter(action=f.action)
    if f.model and "." in f.model:
        app_label, model = f.model.split(".", 1)
        qs = qs.filter(content_type__app_label=app_label, content_type__model=model)
    if f.actor_username:
        qs = qs.filter(actor__username=f.actor_username)
    if f.since:
        qs = qs.filter(timestamp__date__gte=f.since)
    if f.until:
        qs = qs.filter(timestamp__date__lte=f.until)
    return qs.order_by("-timestamp", "-id")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_database_arguments(parser)
    parser.add_argument("--entries", type=int, help="fill the log to this many entries (default 10,000,000)")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    prepare(args)

    from unittest import mock

    from auditlog.models import LogEntry
    from django.test import Client
    from django.utils import timezone

    from chelun.accounts.models import User
    from chelun.core import views
    from chelun.orgs.choices import OrgKind, Role
    from chelun.orgs.models import Organization, RoleGrant

    entries = fill(args.entries or (200_000 if args.quick else 10_000_000))
    wuhou = Organization.objects.get(kind=OrgKind.INDUSTRY_COMMITTEE, region__code="510107")
    branch = Organization.objects.filter(path__startswith=wuhou.path, depth__gt=wuhou.depth).order_by("id").first()
    assert branch is not None
    branch_admin, created = User.objects.get_or_create(username="bench-branch-admin")
    if created:
        RoleGrant.objects.create(user=branch_admin, organization=branch, role=Role.ADMIN)
    today = timezone.localdate()
    week = f"since={today - dt.timedelta(days=7)}&until={today}"
    cases: list[tuple[str, str, str]] = [
        ("超级用户 全部", "admin", ""),
        ("省审计员 全部", "auditor", ""),
        ("省审计员 查看明文", "auditor", f"action={LogEntry.Action.ACCESS}"),
        ("省审计员 人员", "auditor", "model=members.person"),
        ("省审计员 近一周", "auditor", week),
        ("省审计员 操作人", "auditor", "actor=wuhou"),
        ("省审计员 第 20 页", "auditor", "page=20"),
        ("成都 全部", "chengdu", ""),
        ("成都 查看明文", "chengdu", f"action={LogEntry.Action.ACCESS}"),
        ("武侯 全部", "wuhou", ""),
        ("武侯 近一周", "wuhou", week),
        ("武侯 人员", "wuhou", "model=members.person"),
        ("支部 全部", branch_admin.username, ""),
        ("支部 查看明文", branch_admin.username, f"action={LogEntry.Action.ACCESS}"),
    ]
    clients: dict[str, Client] = {}

    def answer(username: str, query: str) -> list[str]:
        client = clients.get(username)
        if client is None:
            client = clients[username] = Client(HTTP_HOST="localhost")
            client.force_login(User.objects.get(username=username))
        response = client.get(f"/audit/?{query}", HTTP_HX_REQUEST="true")
        assert response.status_code == 200, (username, query, response.status_code)
        return re.findall(r'data-entry="(\d+)"', response.content.decode())

    rows = []
    same = True
    for label, username, query in cases:
        fast, fast_ids = time_ms(functools.partial(answer, username, query), args.rounds)
        with mock.patch.object(views, "audit_entry_list", old_audit_entry_list):
            base, base_ids = time_ms(functools.partial(answer, username, query), max(1, args.rounds // 2))
        agrees = fast_ids == base_ids
        same = same and agrees
        rows.append((label, len(fast_ids), p50(fast), p95(fast), p50(base), p95(base), agrees))
        log(f"{label}: {p95(fast):.0f} ms (baseline {p95(base):.0f} ms), {len(fast_ids)} rows, same={agrees}")

    print(f"audit entries: {entries:,}")
    print(f"{'case':<20}{'rows':>6}{'p50 ms':>9}{'p95 ms':>9}{'base p50':>10}{'base p95':>10}{'speedup':>9}  same")
    for label, n, f50, f95, b50, b95, agrees in rows:
        print(f"{label:<20}{n:>6}{f50:>9.1f}{f95:>9.1f}{b50:>10.1f}{b95:>10.1f}{b95 / f95:>9.1f}  {agrees}")
    print(f"target: every case under {TARGET_MS:.0f} ms at p95")
    worst = max(r[3] for r in rows)
    worst_base = max(r[5] for r in rows)
    figures = {
        "entries": entries,
        "cases": {r[0]: {"p95_ms": round(r[3], 1), "baseline_p95_ms": round(r[5], 1)} for r in rows},
        "p95_ms": round(worst, 1),
        "baseline_p95_ms": round(worst_base, 1),
        "speedup": round(worst_base / worst, 1),
        "same_results": same,
    }
    print(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    main()
