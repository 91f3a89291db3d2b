"""A seeded demo database survives manage.py backup -> a fresh database -> manage.py restore with every table's rows
equal, audit history included and nothing added to it (loaddata once wrote 15,549 actor-less entries).

Transactional: a restore replaces the whole database outside any transaction. Runs on SQLite and on PostgreSQL
(DATABASE_URL), where pg_dump / pg_restore do the work.
"""

from __future__ import annotations

import datetime as dt
import io
import random
from zoneinfo import ZoneInfo

import pytest
from auditlog.context import set_actor
from auditlog.models import LogEntry
from django.core.management import call_command
from django.db import connection

from chelun.accounts.models import User
from chelun.core.backup import database_is_empty
from chelun.demo.people import PeopleCounts
from chelun.demo.seed import seed_demo
from chelun.demo.stations import seed_stations
from chelun.stations.models import Feedback, Station

pytestmark = pytest.mark.django_db(transaction=True)

NOW = dt.datetime(2026, 11, 23, 10, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
COUNTS = PeopleCounts(drivers=300, party_member_drivers=40, shippers=6, station_operators=6)


def _every_row() -> dict[str, list[str]]:
    """Each table's rows, as text, in a stable order (the order a database returns them in is not part of it)."""
    quote = connection.ops.quote_name
    rows = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names()):
            cursor.execute(f"SELECT * FROM {quote(table)}")  # noqa: S608 - names from the catalogue
            rows[table] = sorted(repr(row) for row in cursor.fetchall())
    return rows


def _drop_everything() -> None:
    """Make the database as fresh as a new one: no tables at all, not even the migration record."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("DROP SCHEMA public CASCADE")
            cursor.execute("CREATE SCHEMA public")
        else:
            cursor.execute("PRAGMA foreign_keys = OFF")
            for table in connection.introspection.table_names():
                cursor.execute(f"DROP TABLE {connection.ops.quote_name(table)}")
            cursor.execute("PRAGMA foreign_keys = ON")
    assert connection.introspection.table_names() == []


def test_a_seeded_database_round_trips_with_every_row_and_its_audit_history(tmp_path):
    # Given: the demo (organisations, rules, people with encrypted PII, logins, stations and their history), and
    # two audited changes made by a user, so the audit log holds entries with an actor.
    seed_demo(counts=COUNTS, seed=7)
    seed_stations(rng=random.Random(7), scale="tiny", now=NOW, demo_passwords=True)
    editor = User.objects.get(username="zhanzhang")
    seeded_entries = LogEntry.objects.count()  # the demo's year of audit history (chelun.demo.audit)
    assert seeded_entries > 0
    with set_actor(editor):
        station = Station.objects.filter(is_demo_synthetic=False).order_by("pk").first()
        assert station is not None
        station.truck_spaces += 1
        station.save()
        feedback = Feedback.objects.filter(station__operators=editor).order_by("pk").first()
        assert feedback is not None
        feedback.reply = "已处理，谢谢。"
        feedback.save()
    audit = list(LogEntry.objects.order_by("pk").values_list("pk", "actor__username", "object_repr", "changes"))
    assert len(audit) == seeded_entries + 2
    assert [(actor, len(changes)) for _pk, actor, _repr, changes in audit[-2:]] == [("zhanzhang", 1), ("zhanzhang", 1)]
    before = _every_row()
    assert before["stations_statusreport"], "the seed made no status history"
    archive = tmp_path / "demo.tar"
    call_command("backup", str(archive), stdout=io.StringIO())

    # When: a brand-new database (no tables) gets the archive.
    _drop_everything()
    assert database_is_empty()
    call_command("restore", str(archive), stdout=io.StringIO())

    # Then: every table holds exactly the rows it held, and the audit log is the same entries (the
    # seeded year and the two edits), not one more.
    after = _every_row()
    assert sorted(after) == sorted(before)
    assert {t: len(r) for t, r in after.items()} == {t: len(r) for t, r in before.items()}
    assert [t for t in before if after[t] != before[t]] == []
    assert list(LogEntry.objects.order_by("pk").values_list("pk", "actor__username", "object_repr", "changes")) == audit
    assert Station.objects.get(pk=station.pk).truck_spaces == station.truck_spaces
