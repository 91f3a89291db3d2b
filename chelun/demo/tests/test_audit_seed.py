"""The demo's year of audit history (chelun.demo.audit), seeded with the small demo."""

from __future__ import annotations

import datetime as dt

import pytest
from auditlog.models import LogEntry
from django.db import transaction
from django.utils import timezone

from chelun.accounts.models import User
from chelun.core.audit import audit_entry_list
from chelun.demo.audit import ENTRIES_PER_DRIVER
from chelun.demo.seed import DEFAULT_SEED, SCALES, seed_demo
from chelun.members.models import Person
from chelun.orgs.models import Organization, RoleGrant

SMALL = SCALES["small"]


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        started = timezone.now()
        result = seed_demo(counts=SMALL, seed=DEFAULT_SEED)
        yield started, result
        transaction.set_rollback(True)


pytestmark = [pytest.mark.django_db]


def test_a_year_of_entries_sized_to_the_scale_by_demo_logins_within_their_scope(seeded):
    started, _result = seeded
    assert LogEntry.objects.count() == round(SMALL.drivers * ENTRIES_PER_DRIVER) == 5_985
    grants = dict(RoleGrant.objects.values_list("user__username", "organization__path"))
    root = Organization.objects.get(parent=None).path
    for username, path in LogEntry.objects.values_list("actor__username", "additional_data__org_path").distinct():
        assert path.startswith(grants.get(username, root)), (username, path)
    actors = set(LogEntry.objects.values_list("actor__username", flat=True).distinct())
    assert actors == {"admin", "sichuan", "chengdu", "wuhou", "jinjiang", "auditor"}
    first, last = LogEntry.objects.order_by("timestamp").values_list("timestamp", flat=True)[::5_984]
    assert started - dt.timedelta(days=366) <= first < last <= started + dt.timedelta(days=1)


def test_entries_are_logins_reveals_and_edits_of_real_rows(seeded):
    kinds = {
        (app, model, action)
        for app, model, action in LogEntry.objects.values_list(
            "content_type__app_label", "content_type__model", "action"
        ).distinct()
    }
    assert kinds == {
        ("accounts", "user", LogEntry.Action.UPDATE),
        ("members", "person", LogEntry.Action.ACCESS),
        ("members", "person", LogEntry.Action.UPDATE),
        ("members", "person", LogEntry.Action.CREATE),
        ("orgs", "organization", LogEntry.Action.UPDATE),
    }  # no station exists yet when the seed writes the log: their share goes to organisation edits
    reveal = LogEntry.objects.filter(action=LogEntry.Action.ACCESS).order_by("id").first()
    person = Person.objects.select_related("org").get(pk=reveal.object_id)
    assert reveal.additional_data == {"org_path": person.org.path, "revealed_field": reveal.changes["revealed"][0]}
    assert reveal.additional_data["revealed_field"] in ("id_number", "phone")
    login = LogEntry.objects.filter(content_type__model="user").order_by("id").first()
    assert login.changes["last_login"][0] == "None"
    assert login.additional_data["event"] == "login"
    assert User.objects.get(pk=login.object_id).username == login.object_repr


def test_the_county_admin_sees_only_their_countys_entries(seeded):
    wuhou = User.objects.get(username="wuhou")
    path = RoleGrant.objects.get(user=wuhou).organization.path
    shown = list(audit_entry_list(actor=wuhou)[:50])
    assert len(shown) == 50
    assert all(e.additional_data["org_path"].startswith(path) for e in shown)
    assert [e.timestamp for e in shown] == sorted((e.timestamp for e in shown), reverse=True)
