"""A year of audit history for the demo (审计日志): who logged in, whose ID number or phone they revealed, which
people, organisations and stations they edited, each entry carrying the organisation path the audit page scopes by.

The actors are the seeded demo logins (province, city and county admins, the auditor, the superuser), each acting
within the subtree of their role, on working days and in office hours, the county admins doing most of the work.
Size: ENTRIES_PER_DRIVER; bench/audit_page.py fills a database further (to ten million) to measure the audit page.
Deterministic for a seed and `now`.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# About one entry a year per driver on the books: 600,000 at full scale (630,000 drivers), 6,000 at small.
ENTRIES_PER_DRIVER = 0.95
BATCH = 5_000

# Shares of the year's entries by kind (stations' share goes to organisation edits where no station exists yet).
KIND_WEIGHTS = {"login": 18, "reveal": 12, "person_update": 40, "person_create": 10, "org_update": 14, "station": 6}
SENSITIVE = ("id_number", "phone")


@dataclass(frozen=True)
class Actor:
    user_id: int
    username: str
    path: str  # the committee whose subtree they work in
    weight: int


# How much of the year's work each demo login does: the county admins most, the auditor mostly reads.
ACTOR_WEIGHTS = {"admin": 1, "sichuan": 3, "chengdu": 3, "wuhou": 4, "jinjiang": 4, "auditor": 1}


def _demo_actors() -> list[Actor]:
    """The demo logins (chelun.demo.accounts), each working in the subtree of their role (the superuser: the
    province's)."""
    from chelun.accounts.models import User
    from chelun.orgs.models import Organization, RoleGrant

    root = Organization.objects.filter(parent=None).values_list("path", flat=True).first() or "/"
    grants = dict(RoleGrant.objects.values_list("user__username", "organization__path"))
    actors = []
    for user_id, username, superuser in User.objects.filter(username__in=ACTOR_WEIGHTS).values_list(
        "pk", "username", "is_superuser"
    ):
        path = root if superuser else grants.get(username)
        if path:
            actors.append(Actor(user_id, username, path, ACTOR_WEIGHTS[username]))
    return sorted(actors, key=lambda a: a.username)


def _by_subtree(rows: list[tuple[Any, ...]], committee_paths: list[str]) -> dict[str, list[tuple[Any, ...]]]:
    """Rows (…, org_path as the last field) under each committee path, a row listed under every committee above it."""
    known = set(committee_paths)
    grouped: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
    for row in rows:
        path = row[-1]
        parts = path.strip("/").split("/")
        for depth in range(1, len(parts) + 1):
            prefix = "/" + "/".join(parts[:depth]) + "/"
            if prefix in known:
                grouped[prefix].append(row)
    return grouped


def _working_moment(rng: random.Random, start: dt.datetime, days: int) -> dt.datetime:
    """A moment in office hours on a working day (a few at weekends and in the evening)."""
    while True:
        day = start + dt.timedelta(days=rng.randrange(days))
        if day.weekday() < 5 or rng.random() < 0.08:
            break
    hour = rng.choice((8, 9, 9, 10, 10, 10, 11, 11, 14, 14, 15, 15, 15, 16, 16, 17, 19, 21))
    return day.replace(hour=hour, minute=rng.randrange(60), second=rng.randrange(60), microsecond=rng.randrange(10**6))


def seed_audit_year(
    *, rng: random.Random, drivers: int, now: dt.datetime, log: Callable[[str], None] = lambda message: None
) -> int:
    """Write a year of audit entries ending at `now` (ENTRIES_PER_DRIVER per driver); returns how many."""
    from auditlog.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    from chelun.accounts.models import User
    from chelun.members.models import Person
    from chelun.orgs.models import Organization
    from chelun.stations.models import Station

    total = round(drivers * ENTRIES_PER_DRIVER)
    actors = _demo_actors()
    if not actors:
        return 0
    paths = sorted({a.path for a in actors})
    people = _by_subtree(list(Person.objects.values_list("pk", "name", "phone_masked", "org__path")), paths)
    orgs = _by_subtree(list(Organization.objects.values_list("pk", "name", "path")), paths)
    stations = _by_subtree(list(Station.objects.values_list("pk", "name", "organization__path")), paths)
    types = {
        name: ContentType.objects.get_for_model(model).pk
        for name, model in (("user", User), ("person", Person), ("org", Organization), ("station", Station))
    }
    kinds = list(KIND_WEIGHTS)
    kind_weights = [KIND_WEIGHTS[k] for k in kinds]
    actor_weights = [a.weight for a in actors]
    start = (now - dt.timedelta(days=365)).replace(hour=0, minute=0, second=0, microsecond=0)
    last_login: dict[int, str] = {}
    batch: list[LogEntry] = []
    written = 0

    def entry(actor: Actor, kind: str, at: dt.datetime) -> LogEntry | None:
        address = f"10.51.{rng.randrange(256)}.{rng.randrange(1, 255)}"
        common = {"actor_id": actor.user_id, "timestamp": at, "remote_addr": address}
        if kind == "login":
            previous = last_login.get(actor.user_id)
            last_login[actor.user_id] = at.isoformat()
            return LogEntry(
                content_type_id=types["user"],
                object_pk=str(actor.user_id),
                object_id=actor.user_id,
                object_repr=actor.username,
                action=LogEntry.Action.UPDATE,
                changes={"last_login": [previous or "None", at.isoformat()]},
                additional_data={"org_path": actor.path, "event": "login"},
                **common,
            )
        if kind in ("reveal", "person_update", "person_create"):
            candidates = people.get(actor.path)
            if not candidates:
                return None
            pk, name, phone, path = rng.choice(candidates)
            base = {"content_type_id": types["person"], "object_pk": str(pk), "object_id": pk, "object_repr": name}
            if kind == "reveal":
                field = rng.choice(SENSITIVE)
                return LogEntry(
                    action=LogEntry.Action.ACCESS,
                    changes={"revealed": [field, ""]},
                    additional_data={"org_path": path, "revealed_field": field},
                    **base,
                    **common,
                )
            if kind == "person_create":
                changes = {"name": ["None", name], "phone_masked": ["None", phone or ""]}
                return LogEntry(
                    action=LogEntry.Action.CREATE, changes=changes, additional_data={"org_path": path}, **base, **common
                )
            new_phone = f"1{rng.choice('3589')}{rng.randrange(10)}****{rng.randrange(10000):04d}"
            return LogEntry(
                action=LogEntry.Action.UPDATE,
                changes={"phone_masked": [phone or "", new_phone]},
                additional_data={"org_path": path},
                **base,
                **common,
            )
        pool, model = (stations, "station") if kind == "station" and stations.get(actor.path) else (orgs, "org")
        candidates = pool.get(actor.path)
        if not candidates:
            return None
        pk, name, path = rng.choice(candidates)
        if model == "station":
            changes = {"opening_hours": ["08:00-22:00", rng.choice(("00:00-24:00", "07:00-23:00", "08:00-20:00"))]}
        else:
            flag = rng.choice(("has_staffing_standard", "has_personnel_standard", "has_funding_standard"))
            changes = {flag: ["False", "True"]} if rng.random() < 0.5 else {"unit_name": [name, f"{name}（更名）"]}
        return LogEntry(
            content_type_id=types[model],
            object_pk=str(pk),
            object_id=pk,
            object_repr=name,
            action=LogEntry.Action.UPDATE,
            changes=changes,
            additional_data={"org_path": path},
            **common,
        )

    while written < total:
        actor = rng.choices(actors, actor_weights)[0]
        made = entry(actor, rng.choices(kinds, kind_weights)[0], _working_moment(rng, start, 365))
        if made is None:
            continue
        batch.append(made)
        written += 1
        if len(batch) >= BATCH:
            LogEntry.objects.bulk_create(batch)
            batch = []
    LogEntry.objects.bulk_create(batch)
    log(f"审计日志：{written:,} 条（一年，{start:%Y-%m-%d} 起）")
    return written
