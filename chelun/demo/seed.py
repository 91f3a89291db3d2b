"""One seed run: regions, organisation tree, rules, people, secretaries and demo logins, in one transaction."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from auditlog.context import disable_auditlog
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from chelun.demo import figures
from chelun.demo.accounts import create_demo_logins
from chelun.demo.appeals import seed_appeals
from chelun.demo.audit import seed_audit_year
from chelun.demo.geography import Geography, load_divisions
from chelun.demo.grid import seed_grid
from chelun.demo.orgs import insert_organisations, plan_organisations
from chelun.demo.people import InsertedPeople, PeopleCounts, generate_people, insert_people
from chelun.demo.plans import OrgPlan
from chelun.demo.rules import insert_rules, plan_rules

__all__ = ["DEFAULT_SEED", "SCALES", "SeedResult", "database_has_data", "demo_generators", "row_figures", "seed_demo"]

DEFAULT_SEED = 20241012

# `small` is 1/100 of the published numbers of drivers and party-member drivers (17,570 / 100 rounds to 176); the
# organisation tree is always full size.
SCALES: dict[str, PeopleCounts] = {
    "full": PeopleCounts(
        drivers=figures.DRIVERS,
        party_member_drivers=figures.PARTY_MEMBER_DRIVERS,
        shippers=figures.SHIPPERS,
        station_operators=figures.STATIONS_OCT_2024,
    ),
    "small": PeopleCounts(
        drivers=figures.DRIVERS // 100,
        party_member_drivers=round(figures.PARTY_MEMBER_DRIVERS / 100),
        shippers=figures.SHIPPERS,
        station_operators=figures.STATIONS_OCT_2024,
    ),
}


@dataclass(frozen=True)
class SeedResult:
    figures: dict[str, int]  # counted from the rows, see row_figures
    people: InsertedPeople
    seconds: float


def row_figures() -> dict[str, int]:
    """The published figures as the seeded rows give them (Chinese label -> count)."""
    from django.db.models import Q

    from chelun.core.models import RegionLevel
    from chelun.orgs.choices import INDUSTRY_BUILT_KINDS, OrgKind
    from chelun.orgs.models import Organization, Rule

    committees = Organization.objects.filter(kind=OrgKind.INDUSTRY_COMMITTEE)
    all_three = Q(has_staffing_standard=True, has_personnel_standard=True, has_funding_standard=True)
    return {
        "组织": Organization.objects.count(),
        "市（州）行业党委": committees.filter(region__level=RegionLevel.PREFECTURE).count(),
        "县（市、区）行业党委": committees.filter(region__level=RegionLevel.COUNTY).count(),
        "三项保障落实的市（州）": committees.filter(all_three, region__level=RegionLevel.PREFECTURE).count(),
        "三项保障落实的县（市、区）": committees.filter(all_three, region__level=RegionLevel.COUNTY).count(),
        "行业内建立党组织": Organization.objects.filter(kind__in=INDUSTRY_BUILT_KINDS).count(),
        "网格化流动党员党支部": Organization.objects.filter(kind=OrgKind.GRID_BRANCH).count(),
        "临时党支部": Organization.objects.filter(kind=OrgKind.TEMPORARY_BRANCH).count(),
        "制度": Rule.objects.count(),
    }


def database_has_data() -> bool:
    from chelun.members.models import Person
    from chelun.orgs.models import Organization

    return Organization.objects.exists() or Person.objects.exists()


def _ensure_regions() -> None:
    from chelun.core.models import Region
    from chelun.core.regions import regions_load

    if Region.objects.filter(level="county").count() != figures.COUNTY_COMMITTEES:
        regions_load()


def demo_generators(seed: int, counts: PeopleCounts) -> tuple[Geography, OrgPlan, random.Random]:
    """The geography, the organisation plan (tree and rules) and the rng the people are then drawn from, for `seed`.
    Needs the Region rows. Separate random streams per part, so a change in how people are drawn leaves the tree
    alone; the rules draw from the tree's stream after it (the order the demo has always drawn them in)."""
    geo = load_divisions(settings.SHARED_DATA_DIR / "expressways.json")
    orgs_rng = random.Random(f"{seed}:orgs")
    plan = plan_organisations(geo, orgs_rng)
    plan_rules(plan, orgs_rng)
    return geo, plan, random.Random(f"{seed}:people:{counts.drivers}")


@contextmanager
def _bulk_load_session() -> Iterator[None]:
    """Settings for one big load on this connection, restored afterwards.

    - No query log: with DEBUG on, Django records every statement, and on SQLite quotes its parameters with an extra
      query each time; for a million rows that is a third of the run.
    - On SQLite, a 256 MB page cache: the hash indexes on people take random keys, and with the default 2 MB cache
      every insert into a large table goes back to disk for its index pages.
    """
    old_debug = settings.DEBUG
    settings.DEBUG = False
    old_cache = None
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            old_cache = cursor.execute("PRAGMA cache_size").fetchone()[0]
            cursor.execute("PRAGMA cache_size = -262144")
    try:
        yield
    finally:
        settings.DEBUG = old_debug
        if old_cache is not None:
            with connection.cursor() as cursor:
                cursor.execute(f"PRAGMA cache_size = {int(old_cache)}")


def seed_demo(
    *, counts: PeopleCounts, seed: int = DEFAULT_SEED, log: Callable[[str], None] = lambda message: None
) -> SeedResult:
    """Fill an empty database with the demo Sichuan. All or nothing: one transaction, audit logging off (nothing
    here is a user's action). The caller checks that the database is empty and that demo passwords are allowed."""
    from chelun.core.models import Region
    from chelun.members.models import OrganizationSecretary

    started = time.perf_counter()
    with disable_auditlog(), _bulk_load_session(), transaction.atomic():
        _ensure_regions()
        region_pks = dict(Region.objects.values_list("code", "pk"))
        geo, plan, people_rng = demo_generators(seed, counts)
        org_pks = insert_organisations(plan, region_pks)
        insert_rules(plan, org_pks)
        log(f"组织 {len(plan.orgs)} 个、制度 {len(plan.rules)} 项，用时 {time.perf_counter() - started:.1f} 秒")

        total = counts.drivers + counts.shippers + counts.station_operators
        reported = [0]

        def progress(done: InsertedPeople) -> None:
            tenth = done.people * 10 // total
            if tenth > reported[0]:
                reported[0] = tenth
                log(f"  人员 {done.people:,} / {total:,}，用时 {time.perf_counter() - started:.1f} 秒")

        people = insert_people(generate_people(geo, plan, counts, people_rng), org_pks, region_pks, progress=progress)
        OrganizationSecretary.objects.bulk_create(
            [
                OrganizationSecretary(organization_id=org_pks[key], person_id=person_pk)
                for key, (_joined, person_pk) in sorted(people.senior_member.items())
            ],
            batch_size=500,
        )
        committees = {geo.province.code: plan.province, **plan.prefecture_committee, **plan.county_committee}
        create_demo_logins({code: org_pks[key] for code, key in committees.items()})
        seed_audit_year(rng=random.Random(f"{seed}:audit"), drivers=counts.drivers, now=timezone.now(), log=log)
        seed_appeals(rng=random.Random(f"{seed}:appeals"), drivers=counts.drivers)
        log(f"网格：{seed_grid(seed=seed)}")
        result = SeedResult(figures=row_figures(), people=people, seconds=time.perf_counter() - started)
    return result
