"""The Station rows into the database: their committee, security grade, live fields, twins, amenities and prices,
and one operator login per named site."""

from __future__ import annotations

from collections.abc import Sequence

from django.contrib.auth.hashers import make_password

from chelun.accounts.models import User
from chelun.core.models import Region
from chelun.demo.accounts import DEMO_PASSWORD
from chelun.demo.geography import Geography
from chelun.demo.stations.plans import Half
from chelun.demo.stations.status import set_live
from chelun.orgs.choices import OrgKind, OrgStatus
from chelun.orgs.models import Organization
from chelun.stations import services
from chelun.stations.choices import FREE_BY_STANDARD
from chelun.stations.models import Station, StationAmenity, StationPrice

__all__ = ["OPERATOR_USERNAME", "insert_operators", "insert_stations"]

OPERATOR_USERNAME = "zhanzhang"


def _committees(geo: Geography) -> dict[str, int]:
    """Region code -> the industry committee running stations there: the county's, else its prefecture's, else the
    province's (the seed always has all three levels; the fallback keeps partial trees working)."""
    rows = (
        Organization.objects.filter(kind=OrgKind.INDUSTRY_COMMITTEE, status=OrgStatus.ACTIVE)
        .order_by("-depth", "-pk")
        .values_list("region__code", "pk")
    )
    own = dict(rows)  # the shallowest, then oldest, committee of a region wins (it is written last)
    province = own.get(geo.province.code)
    if province is None:
        raise RuntimeError("seed_stations needs the organisation tree: no province industry committee")
    result = {}
    for code, division in geo.by_code.items():
        result[code] = own.get(code) or own.get(division.parent_code) or province
    return result


def insert_stations(halves: Sequence[Half], geo: Geography) -> None:
    region_pks = dict(Region.objects.values_list("code", "pk"))
    committees = _committees(geo)
    for half in halves:
        station = half.station
        station.region_id = region_pks[half.region_code]
        station.organization_id = committees[half.region_code]
        station.security_grade = services.security_grade_for(
            cctv=station.cctv, guards=station.guards, lighting=station.lighting, fence=station.fence
        )
        set_live(half)
    Station.objects.bulk_create([h.station for h in halves], batch_size=500)
    paired = []
    for half in halves:
        if half.twin is not None:
            half.station.pair_id = halves[half.twin].station.pk
            paired.append(half.station)
    Station.objects.bulk_update(paired, ["pair"], batch_size=500)
    StationAmenity.objects.bulk_create(
        [StationAmenity(station=h.station, amenity=a) for h in halves for a in h.amenities], batch_size=2000
    )
    StationPrice.objects.bulk_create(
        [
            StationPrice(station=h.station, service=s, price_fen=fen, unit=unit, free_by_standard=s in FREE_BY_STANDARD)
            for h in halves
            for s, (fen, unit) in h.prices.items()
        ],
        batch_size=2000,
    )


def insert_operators(named: Sequence[Half], demo_passwords: bool) -> dict[str, User]:
    """One operator per named site (both halves): `zhanzhang` for 金堂, op-<primary station id> for the others.
    A `zhanzhang` that already exists is reused as it is."""
    password = make_password(DEMO_PASSWORD if demo_passwords else None)  # hashed once: the hasher is slow
    primaries = [h for h in named if h.primary and h.site is not None]
    existing = User.objects.filter(username=OPERATOR_USERNAME).first()
    users: dict[str, User] = {}
    new = []
    for half in primaries:
        assert half.site is not None
        if half.site.key == "jintang" and existing is not None:
            users[half.site.key] = existing
            continue
        username = OPERATOR_USERNAME if half.site.key == "jintang" else f"op-{half.station.pk}"
        user = User(username=username, first_name=half.station.contact_name, password=password)
        users[half.site.key] = user
        new.append(user)
    User.objects.bulk_create(new)  # SQLite and PostgreSQL return the keys
    Station.operators.through.objects.bulk_create(
        [
            Station.operators.through(station_id=h.station.pk, user_id=users[h.site.key].pk)
            for h in named
            if h.site is not None
        ]
    )
    return users
