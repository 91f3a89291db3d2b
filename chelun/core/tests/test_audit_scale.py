"""The audit query at ten-million scale (core.audit): the scope as a range on the indexed org path, two plans chosen by
the scope's size that list the same entries as the plain prefix match, dates as local-day timestamp ranges, and a page
read in two steps."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.utils import timezone

from chelun.core import audit
from chelun.core.audit import AuditFilter, audit_entry_list, subtree_range
from chelun.orgs.models import Organization
from chelun.orgs.tests.factories import make_user, superuser

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


@pytest.mark.parametrize(
    ("path", "inside", "outside"),
    [
        ("/1/7/", ["/1/7/", "/1/7/42/", "/1/7/0/"], ["/1/70/", "/1/8/", "/1/", "/1/6/99/", "/1/7", "/1/70/7/"]),
        ("/12/", ["/12/3/"], ["/1/", "/120/", "/13/", "/11/9/"]),
    ],
)
def test_subtree_range_holds_exactly_the_paths_below(path, inside, outside):
    low, high = subtree_range(path)
    assert all(low <= p < high for p in inside)
    assert not any(low <= p < high for p in outside)
    assert all(p.startswith(path) for p in inside) and not any(p.startswith(path) for p in outside)


@pytest.fixture
def entries(tree):
    """Entries at every level of the tree, with two actions, two types, two actors, over three days."""
    orgs = [tree.province, tree.chengdu, tree.wuhou, tree.wuhou_branch, tree.jinjiang, tree.jinjiang_branch]
    org_type = ContentType.objects.get_for_model(Organization)
    user_type = ContentType.objects.get_for_model(type(tree.wuhou_admin))
    start = dt.datetime(2026, 11, 20, 8, 0, tzinfo=SHANGHAI)
    rows = []
    for n, (org, action, ct, actor) in enumerate(
        itertools.product(
            orgs,
            (LogEntry.Action.UPDATE, LogEntry.Action.ACCESS),
            (org_type, user_type),
            (tree.wuhou_admin, tree.jinjiang_admin),
        )
    ):
        for copy in range(3):
            rows.append(
                LogEntry(
                    content_type=ct,
                    object_pk=str(org.pk),
                    object_id=org.pk,
                    object_repr=org.name,
                    action=action,
                    actor=actor,
                    timestamp=start + dt.timedelta(hours=7 * (n * 3 + copy)),
                    additional_data={"org_path": org.path},
                )
            )
    LogEntry.objects.all().delete()
    LogEntry.objects.bulk_create(rows)
    return rows


def old_list(actor, f: AuditFilter):
    """The query before: prefix match on the JSON path, joins for type and actor, per-row date casts."""
    qs = LogEntry.objects.filter(audit.audit_scope_q(actor))
    if f.action is not None:
        qs = qs.filter(action=f.action)
    if f.model:
        app_label, model = f.model.split(".", 1)
        qs = qs.filter(content_type__app_label=app_label, content_type__model=model)
    if f.actor_username:
        qs = qs.filter(actor__username=f.actor_username)
    if f.since:
        qs = qs.filter(timestamp__date__gte=f.since)
    if f.until:
        qs = qs.filter(timestamp__date__lte=f.until)
    return list(qs.order_by("-timestamp", "-id").values_list("pk", flat=True))


FILTERS = [
    AuditFilter(),
    AuditFilter(action=LogEntry.Action.ACCESS),
    AuditFilter(model="orgs.organization"),
    AuditFilter(model="nosuch.model"),
    AuditFilter(actor_username="jinjiang-admin"),
    AuditFilter(actor_username="nobody"),
    AuditFilter(since=dt.date(2026, 11, 22), until=dt.date(2026, 11, 23)),
    AuditFilter(action=LogEntry.Action.UPDATE, model="accounts.user", since=dt.date(2026, 11, 21)),
]


# 100: the superuser's and the province's 144 entries take the timestamp plan, each actor's 72 the actor index.
@pytest.mark.parametrize("index_scope_below", [1, 100, 10**9], ids=["timestamp plan", "mixed", "org path plan"])
@pytest.mark.parametrize("f", FILTERS, ids=lambda f: repr(f)[11:60])
def test_both_plans_list_the_same_entries_as_the_prefix_match(entries, tree, f, index_scope_below, monkeypatch):
    monkeypatch.setattr(audit, "AUDIT_INDEX_SCOPE_BELOW", index_scope_below)
    chengdu_auditor = make_user("chengdu-auditor", org=tree.chengdu, role="auditor")
    for actor in (tree.wuhou_admin, tree.jinjiang_admin, tree.province_admin, chengdu_auditor, superuser()):
        fast = list(audit_entry_list(actor=actor, filters=f).values_list("pk", flat=True))
        assert fast == old_list(actor, f), (actor.username, f)
    assert len(old_list(tree.wuhou_admin, AuditFilter())) == 2 * 2 * 2 * 3 * 2  # 武侯 and its branch


def test_a_page_is_read_in_two_steps_with_its_relations_loaded(entries, tree, django_assert_num_queries):
    qs = audit_entry_list(actor=tree.wuhou_admin)
    ordered = list(qs.values_list("pk", flat=True))
    # the page's ids, then their rows with actor and type (none per row)
    with django_assert_num_queries(2):
        page = qs[5:15]
        shown = {(e.actor.username, e.content_type.model) for e in page}
    assert [e.pk for e in page] == ordered[5:15]
    assert shown <= {(a, m) for a in ("wuhou-admin", "jinjiang-admin") for m in ("organization", "user")}
    assert qs[0].pk == ordered[0]


def test_dates_are_local_days(tree):
    LogEntry.objects.all().delete()
    ct = ContentType.objects.get_for_model(Organization)
    path = tree.wuhou.path
    late = dt.datetime(2026, 11, 23, 23, 30, tzinfo=SHANGHAI)  # 15:30 UTC the same day
    early = dt.datetime(2026, 11, 24, 0, 10, tzinfo=SHANGHAI)  # 16:10 UTC on the 23rd
    for at in (late, early):
        LogEntry.objects.create(
            content_type=ct,
            object_pk="1",
            object_repr=str(at),
            action=1,
            timestamp=at,
            additional_data={"org_path": path},
        )
    until_23 = audit_entry_list(actor=tree.wuhou_admin, filters=AuditFilter(until=dt.date(2026, 11, 23)))
    since_24 = audit_entry_list(actor=tree.wuhou_admin, filters=AuditFilter(since=dt.date(2026, 11, 24)))
    assert [e.timestamp for e in until_23] == [late]
    assert [e.timestamp for e in since_24] == [early]
    assert timezone.get_current_timezone_name() == "Asia/Shanghai"


def test_a_small_scope_reads_the_org_path_index(entries, tree):
    if connection.vendor != "sqlite":
        pytest.skip("the plan text is SQLite's")
    sql, params = audit_entry_list(actor=tree.wuhou_admin).values_list("pk")[:50].query.sql_with_params()
    with connection.cursor() as cursor:
        plan = " ".join(str(row) for row in cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params).fetchall())
    assert "USING INDEX auditlog_entry_org_path_ts (<expr>>? AND <expr><?)" in plan


def test_a_large_scope_reads_the_timestamp_index(entries, tree, monkeypatch):
    if connection.vendor != "sqlite":
        pytest.skip("the plan text is SQLite's")
    monkeypatch.setattr(audit, "AUDIT_INDEX_SCOPE_BELOW", 1)
    qs = audit_entry_list(actor=tree.wuhou_admin, filters=AuditFilter(action=LogEntry.Action.ACCESS))
    sql, params = qs.values_list("pk")[:50].query.sql_with_params()
    with connection.cursor() as cursor:
        plan = " ".join(str(row) for row in cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params).fetchall())
    assert "+json_extract(" in sql and '("auditlog_logentry"."action" + 0)' in sql
    assert "USING INDEX auditlog_logentry_timestamp" in plan and "TEMP B-TREE" not in plan
