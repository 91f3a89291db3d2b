"""Test builders for people, with synthetic but valid ID numbers and phones."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from chelun.core.idcard import make_synthetic_id
from chelun.members import services
from chelun.members.choices import LicenceClass, VehicleType
from chelun.members.models import Person
from chelun.orgs.models import Organization
from chelun.orgs.tests.factories import superuser

_sequence = itertools.count(1)


def make_person(
    *, org: Organization, name: str = "张三", phone: str | None = None, birth: dt.date = dt.date(1985, 6, 15), **kw: Any
) -> Person:
    n = next(_sequence)
    gender = kw.pop("gender", "male")
    # An ID number's sequence runs 1..499 per county and birth date: past 499 people the birth date moves on a day,
    # so a long test session never runs out of distinct, valid numbers.
    spill, sequence = divmod(n - 1, 499)
    id_birth = birth + dt.timedelta(days=spill)
    id_number = kw.pop("id_number", None) or make_synthetic_id(org.region.code, id_birth, sequence + 1, gender)
    return services.person_create(
        actor=superuser(),
        name=name,
        id_number=id_number,
        phone=phone if phone is not None else f"139{n:08d}",
        org=org,
        region=kw.pop("region", org.region),
        **kw,
    )


def make_driver(*, org: Organization, **kw: Any) -> Person:
    person = make_person(org=org, **kw)
    services.driver_profile_set(
        actor=superuser(),
        person=person,
        licence_class=LicenceClass.A2,
        vehicle_type=VehicleType.TRACTOR,
        plates="川A12345",
    )
    return person
