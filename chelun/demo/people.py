"""Demo people: drivers (some of them party members), a few shippers and station operators.

:func:`generate_people` is pure and deterministic (one random.Random, no clock, no uuid): it yields
:class:`PersonSpec` rows in a fixed order. :func:`insert_people` encrypts the ID numbers and phones with the platform's
cipher and inserts people and profiles in batches, without the per-person services (which would validate,
full_clean and audit each row: right for one person, far too slow for 630,000).
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from chelun.demo import figures
from chelun.demo.draws import date_peaked, pick
from chelun.demo.geography import Geography
from chelun.demo.identifiers import (
    DEMO_DRIVER_PHONE,
    IdNumberAllocator,
    PhoneAllocator,
    PlateAllocator,
    credit_code,
)
from chelun.demo.names import company_trade_name, ethnic_share, person_name
from chelun.demo.plans import OrgPlan, OrgSpec
from chelun.members.choices import Gender, LicenceClass, PartyStatus, VehicleType
from chelun.orgs.choices import OrgKind, OrgSector

__all__ = [
    "DEMO_DRIVER_NAME",
    "DEMO_DRIVER_REGION",
    "MAX_BRANCH_MEMBERS",
    "DriverSpec",
    "InsertedPeople",
    "PartySpec",
    "PeopleCounts",
    "PersonSpec",
    "generate_people",
    "insert_people",
]

# The demo driver (a party member in 成都 武侯区) who logs in with a one-time code sent to DEMO_DRIVER_PHONE.
DEMO_DRIVER_NAME = "张建国"
DEMO_DRIVER_REGION = "510107"

# party-work.md §2.3: a branch has generally no more than 50 members; members overflow to the next branch near home.
MAX_BRANCH_MEMBERS = 50

_BIRTH_FIRST = dt.date(1965, 1, 1)
_BIRTH_LAST = dt.date(2000, 12, 31)


@dataclass(frozen=True)
class PeopleCounts:
    drivers: int
    party_member_drivers: int
    shippers: int
    station_operators: int


@dataclass(frozen=True)
class DriverSpec:
    licence_class: str
    vehicle_type: str
    plates: str
    employer: int | None  # org key
    employer_name: str


@dataclass(frozen=True)
class PartySpec:
    joined_on: dt.date
    status: str
    branch: int  # org key


@dataclass(frozen=True)
class PersonSpec:
    name: str
    gender: str
    birth_date: dt.date
    id_number: str
    phone: str
    region_code: str
    org: int  # org key: the organisation responsible for the record
    driver: DriverSpec | None = None
    party: PartySpec | None = None
    shipper: tuple[str, str] | None = None  # (company name, unified social credit code)
    station_name: str = ""  # station operators


# (licence class, weight, ((vehicle type, weight), ...)): what a licence lets a truck driver drive.
_LICENCES: tuple[tuple[str, float, tuple[tuple[str, float], ...]], ...] = (
    (LicenceClass.A2, 46, ((VehicleType.TRACTOR, 85), (VehicleType.TANKER, 10), (VehicleType.HEAVY_BOX, 5))),
    (
        LicenceClass.B2,
        36,
        (
            (VehicleType.HEAVY_BOX, 30),
            (VehicleType.HEAVY_FLATBED, 20),
            (VehicleType.DUMP, 20),
            (VehicleType.MEDIUM, 15),
            (VehicleType.REEFER, 10),
            (VehicleType.TANKER, 5),
        ),
    ),
    (LicenceClass.C1, 15, ((VehicleType.LIGHT, 100),)),
    (LicenceClass.A1, 2, ((VehicleType.HEAVY_BOX, 40), (VehicleType.HEAVY_FLATBED, 30), (VehicleType.DUMP, 30))),
    (LicenceClass.B1, 1, ((VehicleType.LIGHT, 100),)),
)
_LICENCE_VALUES = [lc for lc, _, _ in _LICENCES]
_LICENCE_WEIGHTS = list(itertools.accumulate(w for _, w, _ in _LICENCES))
_VEHICLES = {lc: ([v for v, _ in vs], list(itertools.accumulate(w for _, w in vs))) for lc, _, vs in _LICENCES}

_STATION_PLACES = ("服务区", "物流园", "公路港", "货运枢纽", "综合服务站")

_MEMBER_BRANCH_KINDS = (OrgKind.BRANCH, OrgKind.JOINT_BRANCH, OrgKind.GRID_BRANCH)


class _Places:
    """Lookups from the org plan: committees, member branches and employers per county, nearest first."""

    def __init__(self, geo: Geography, plan: OrgPlan) -> None:
        self.geo, self.plan = geo, plan
        self.grid: dict[str, list[int]] = {c.code: [] for c in geo.counties}
        self.company_branches: dict[str, list[int]] = {c.code: [] for c in geo.counties}
        # (org key, employer name) per county: every single-company branch, and each unit of a joint branch.
        self.employers: dict[str, list[tuple[int, str]]] = {c.code: [] for c in geo.counties}
        for org in plan.orgs:
            if org.region_code not in self.grid or org.status != "active" or org.kind not in _MEMBER_BRANCH_KINDS:
                continue
            if org.kind == OrgKind.GRID_BRANCH:
                self.grid[org.region_code].append(org.key)
                continue
            if org.sector == OrgSector.PARK and org.company:  # the park operator's own branch: staff, not drivers
                continue
            self.company_branches[org.region_code].append(org.key)
            units = org.units or ((org.company,) if org.company else ())
            self.employers[org.region_code].extend((org.key, unit) for unit in units)
        self._nearest: dict[str, list[str]] = {}
        self.members: dict[int, int] = {}

    def nearest(self, code: str) -> list[str]:
        if code not in self._nearest:
            self._nearest[code] = self.geo.nearest_counties(code)
        return self._nearest[code]

    def branch_near(self, rng: random.Random, code: str, by_county: dict[str, list[int]]) -> int | None:
        """A branch with room, in `code` if it has one, else in the nearest county that does."""
        for county in self.nearest(code):
            open_ = [k for k in by_county[county] if self.members.get(k, 0) < MAX_BRANCH_MEMBERS]
            if open_:
                key = rng.choice(open_)
                self.members[key] = self.members.get(key, 0) + 1
                return key
        return None


def _vehicle(rng: random.Random, plates: PlateAllocator, prefecture: str) -> tuple[str, str, str]:
    licence = pick(rng, _LICENCE_VALUES, _LICENCE_WEIGHTS)
    vehicles, cum = _VEHICLES[licence]
    vehicle = pick(rng, vehicles, cum)
    roll = rng.random()
    if roll < 0.08:  # between vehicles, or drives someone else's truck
        return licence, vehicle, ""
    numbers = [plates.next(rng, prefecture)]
    if vehicle == VehicleType.TRACTOR:
        numbers.append(plates.next(rng, prefecture, trailer=True))
    if roll > 0.9:  # a second truck
        numbers.append(plates.next(rng, prefecture))
    return licence, vehicle, ",".join(numbers)


def generate_people(geo: Geography, plan: OrgPlan, counts: PeopleCounts, rng: random.Random) -> Iterator[PersonSpec]:
    """Drivers first (the demo driver is the very first, a party member), then shippers, then station operators."""
    if counts.party_member_drivers < 1 or counts.party_member_drivers > counts.drivers:
        raise ValueError("need at least one party-member driver and no more than there are drivers")
    places = _Places(geo, plan)
    ids, phones, plates = IdNumberAllocator(), PhoneAllocator(), PlateAllocator()
    counties = [c.code for c in geo.counties]
    county_cum = list(itertools.accumulate(geo.freight_weight[c] for c in counties))
    party = set(rng.sample(range(1, counts.drivers), counts.party_member_drivers - 1)) | {0}

    def person(code: str, gender: str, birth: dt.date, phone: str, name: str = "") -> dict[str, Any]:
        prefecture = geo.by_code[code].parent_code
        return {
            "name": name or person_name(rng, gender, ethnic_share(code, prefecture)),
            "gender": gender,
            "birth_date": birth,
            "id_number": ids.next(rng, code, birth, gender),
            "phone": phone,
            "region_code": code,
        }

    for index in range(counts.drivers):
        demo = index == 0
        code = DEMO_DRIVER_REGION if demo else pick(rng, counties, county_cum)
        prefecture = geo.by_code[code].parent_code
        gender = Gender.MALE if demo or rng.random() < 0.965 else Gender.FEMALE
        birth = dt.date(1978, 5, 16) if demo else date_peaked(rng, _BIRTH_FIRST, _BIRTH_LAST, 0.45)
        if demo:
            fields = person(code, gender, birth, DEMO_DRIVER_PHONE, DEMO_DRIVER_NAME)
        else:
            fields = person(code, gender, birth, phones.next(rng))
        org = plan.county_committee[code]
        employer: tuple[int, str] | None = None
        party_spec = None
        if index in party:
            # Company drivers belong to their company's branch; owner-drivers (most) to a grid branch near home.
            branch = None
            if not demo and rng.random() < 0.3:
                branch = places.branch_near(rng, code, places.company_branches)
            if branch is None:
                branch = places.branch_near(rng, code, places.grid)
            if branch is None:  # every branch is full: cannot happen at the published ratio of members to branches
                raise ValueError("no branch with room for another member")
            spec: OrgSpec = plan.orgs[branch]
            if spec.kind != OrgKind.GRID_BRANCH:
                employer = (branch, rng.choice(spec.units) if spec.units else spec.company)
            org = branch
            probationary = not demo and rng.random() < 0.03
            if probationary:
                joined = figures.DEMO_TODAY - dt.timedelta(days=rng.randint(10, 360))
            else:
                earliest = dt.date(birth.year + 20, birth.month, min(birth.day, 28))
                latest = min(dt.date(birth.year + 45, 12, 31), figures.DEMO_TODAY - dt.timedelta(days=400))
                joined = date_peaked(rng, earliest, max(earliest, latest), 0.35)
            status = PartyStatus.PROBATIONARY if probationary else PartyStatus.FULL
            party_spec = PartySpec(joined_on=joined, status=status, branch=branch)
        elif rng.random() < 0.22:
            candidates = places.employers[code]
            if candidates:
                employer = rng.choice(candidates)
                org = employer[0]
        licence, vehicle, plate_numbers = _vehicle(rng, plates, prefecture)
        yield PersonSpec(
            **fields,
            org=org,
            driver=DriverSpec(
                licence_class=licence,
                vehicle_type=vehicle,
                plates=plate_numbers,
                employer=employer[0] if employer else None,
                employer_name=employer[1] if employer else "",
            ),
            party=party_spec,
        )

    shipper_trades: set[str] = set()
    for _ in range(counts.shippers):
        code = pick(rng, counties, county_cum)
        gender = Gender.MALE if rng.random() < 0.7 else Gender.FEMALE
        fields = person(code, gender, date_peaked(rng, dt.date(1962, 1, 1), dt.date(1996, 12, 31)), phones.next(rng))
        city = geo.by_code[geo.by_code[code].parent_code].short_name
        trade = company_trade_name(rng, shipper_trades)
        company = f"{city}{trade}{rng.choice(('商贸', '建材', '农产品', '食品', '化工', '机械'))}有限公司"
        yield PersonSpec(**fields, org=plan.county_committee[code], shipper=(company, credit_code(rng, code)))

    station_counties = _station_counties(geo, rng, counts.station_operators)
    for n, code in enumerate(station_counties):
        gender = Gender.MALE if rng.random() < 0.75 else Gender.FEMALE
        fields = person(code, gender, date_peaked(rng, dt.date(1968, 1, 1), dt.date(1992, 12, 31)), phones.next(rng))
        routes = geo.routes_by_county[code]
        label = geo.labels[code]
        place = _STATION_PLACES[n % len(_STATION_PLACES)] if not routes or n % 3 == 2 else "服务区"
        station = f"{routes[0].name if routes and place == '服务区' else ''}{label}{place}暖心之家"
        yield PersonSpec(**fields, org=plan.county_committee[code], station_name=station)


def _station_counties(geo: Geography, rng: random.Random, k: int) -> list[str]:
    """k distinct counties for 暖心之家, drawn along the corridors (grid weights)."""
    pool = {c.code: geo.grid_weight[c.code] for c in geo.counties}
    chosen: list[str] = []
    for _ in range(min(k, len(pool))):
        codes = list(pool)
        code = rng.choices(codes, weights=[pool[c] for c in codes])[0]
        chosen.append(code)
        del pool[code]
    return chosen


def _batched(items: Iterable[PersonSpec], size: int) -> Iterator[list[PersonSpec]]:
    iterator = iter(items)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


@dataclass
class InsertedPeople:
    people: int = 0
    drivers: int = 0
    party_members: int = 0
    shippers: int = 0
    station_operators: int = 0
    # branch org key -> (joined_on, person pk) of its longest-standing full member: the demo secretary.
    senior_member: dict[int, tuple[dt.date, int]] = field(default_factory=dict)


def _next_pk(model: Any) -> int:
    from django.db.models import Max

    return (model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1


def _insert_rows(model: Any, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]) -> None:
    """INSERT the rows (values already in database form, in `columns` order) with one executemany."""
    from django.db import connection

    if not rows:
        return
    quote = connection.ops.quote_name
    names = ", ".join(quote(model._meta.get_field(c).column) for c in columns)
    placeholders = ", ".join(["%s"] * len(columns))
    # Table and column names come from the model's metadata, quoted; every value is a parameter.
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({names}) VALUES ({placeholders})"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def insert_people(
    specs: Iterable[PersonSpec],
    org_pks: Sequence[int],
    region_pks: dict[str, int],
    *,
    batch_size: int = 5000,
    progress: Callable[[InsertedPeople], None] | None = None,
) -> InsertedPeople:
    """Encrypt and insert people and their profiles, `batch_size` people at a time.

    Rows go in with plain executemany, not bulk_create: bulk_create prepares every value of every row through the
    field API (about 100 µs a row here), several times the cost of storing it, and for 630,000 people and their
    profiles that was most of the run. The values are simple (text, integers, dates, one timestamp), adapted here
    with the backend's own adapters; primary keys are allocated up front so profiles can point at their person
    without RETURNING, and the sequences are reset afterwards (PostgreSQL; SQLite's AUTOINCREMENT follows by itself).
    """
    from django.core.management.color import no_style
    from django.db import connection
    from django.utils import timezone

    from chelun.core.crypto import pii_cipher
    from chelun.core.pii import mask_id_number, mask_phone
    from chelun.members.models import (
        DriverProfile,
        PartyMemberProfile,
        Person,
        ShipperProfile,
        StationOperatorProfile,
    )

    cipher = pii_cipher()
    encrypt, lookup_hash = cipher.encrypt, cipher.lookup_hash
    adapt_date = connection.ops.adapt_datefield_value
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    models = (Person, DriverProfile, PartyMemberProfile, ShipperProfile, StationOperatorProfile)
    next_pk = {model: _next_pk(model) for model in models}

    def allocate(model: Any) -> int:
        pk = next_pk[model]
        next_pk[model] = pk + 1
        return pk

    done = InsertedPeople()
    for batch in _batched(specs, batch_size):
        people, drivers, members, shippers, operators = [], [], [], [], []
        for s in batch:
            pk = allocate(Person)
            people.append(
                (
                    pk,
                    s.name,
                    s.gender,
                    adapt_date(s.birth_date),
                    encrypt(s.id_number),
                    lookup_hash(s.id_number),
                    mask_id_number(s.id_number),
                    encrypt(s.phone),
                    lookup_hash(s.phone),
                    mask_phone(s.phone),
                    org_pks[s.org],
                    region_pks[s.region_code],
                    1,
                    now,
                    now,
                )
            )
            if s.driver:
                d = s.driver
                employer = org_pks[d.employer] if d.employer is not None else None
                drivers.append(
                    (
                        allocate(DriverProfile),
                        pk,
                        now,
                        d.licence_class,
                        d.plates,
                        d.vehicle_type,
                        employer,
                        d.employer_name,
                    )
                )
            if s.party:
                p = s.party
                members.append(
                    (allocate(PartyMemberProfile), pk, now, adapt_date(p.joined_on), p.status, org_pks[p.branch])
                )
                senior = done.senior_member.get(p.branch)
                if p.status == PartyStatus.FULL and (senior is None or p.joined_on < senior[0]):
                    done.senior_member[p.branch] = (p.joined_on, pk)
            if s.shipper:
                shippers.append((allocate(ShipperProfile), pk, now, *s.shipper))
            if s.station_name:
                operators.append((allocate(StationOperatorProfile), pk, now, s.station_name))
        _insert_rows(
            Person,
            (
                "id",
                "name",
                "gender",
                "birth_date",
                "id_number_cipher",
                "id_number_hash",
                "id_number_masked",
                "phone_cipher",
                "phone_hash",
                "phone_masked",
                "org",
                "region",
                "version",
                "created_at",
                "updated_at",
            ),
            people,
        )
        profile = ("id", "person", "created_at")
        _insert_rows(
            DriverProfile, (*profile, "licence_class", "plates", "vehicle_type", "employer", "employer_name"), drivers
        )
        _insert_rows(PartyMemberProfile, (*profile, "joined_on", "status", "branch"), members)
        _insert_rows(ShipperProfile, (*profile, "company_name", "credit_code"), shippers)
        _insert_rows(StationOperatorProfile, (*profile, "station_name"), operators)
        done.people += len(people)
        done.drivers += len(drivers)
        done.party_members += len(members)
        done.shippers += len(shippers)
        done.station_operators += len(operators)
        if progress is not None:
            progress(done)
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(sql)
    return done
