"""Scope matrix of the people pages and API (chelun.core.testing.scope_matrix): the object is a driver registered
by 武侯's company branch; he signs in himself as the driver-self actor and sees his own record, nothing more."""

from __future__ import annotations

import datetime as dt

from auditlog.models import LogEntry

from chelun.core.idcard import make_synthetic_id
from chelun.core.models import ExportJob, Region
from chelun.core.testing.scope_matrix import (
    DETAIL,
    DRIVER_SELF,
    EXPORT,
    LIST,
    NO_ROLE,
    SEEING,
    SIBLING,
    WRITE,
    WRONG_ROLE,
    Endpoint,
    Target,
    World,
    cases,
    check,
)
from chelun.members.models import DriverProfile, OrganizationSecretary, PartyMemberProfile, Person
from chelun.members.tests.factories import make_driver
from chelun.orgs.tests.factories import make_user
from chelun.orgs.tests.scope_world import scope_world

DRIVER = "武侯王师傅"
WITH_SELF = SEEING | {DRIVER_SELF}
NAMED_IN_BODY = {SIBLING: 422, NO_ROLE: 422}


def _driver(world: World) -> tuple[Person, object]:
    person = make_driver(org=world.tree.wuhou_branch, name=DRIVER, phone="13812345678")
    return person, make_user("scope-driver", person=person)


def _person_state(pk: int) -> tuple:
    p = Person.objects.get(pk=pk)
    return (p.name, p.phone_hash, p.org_id, p.region_id, p.version)


def _profiles(pk: int) -> tuple:
    driver = DriverProfile.objects.filter(person_id=pk).values_list("licence_class", "vehicle_type", "plates").first()
    party = PartyMemberProfile.objects.filter(person_id=pk).values_list("branch_id", "joined_on").first()
    return (driver, party)


def _reveals() -> int:
    return LogEntry.objects.filter(action=LogEntry.Action.ACCESS).count()


def _people_of(org_id: int) -> list:
    return sorted(Person.objects.filter(org_id=org_id).values_list("name", flat=True))


def people_list(world: World) -> Target:
    _person, user = _driver(world)
    return Target(marker=DRIVER, driver=user)


def page_detail(world: World) -> Target:
    person, user = _driver(world)
    return Target(args={"pk": person.pk}, driver=user)


def page_reveal(world: World) -> Target:
    person, user = _driver(world)
    return Target(args={"pk": person.pk}, data={"field": "phone"}, state=_reveals, driver=user)


def page_create(world: World) -> Target:
    org = world.tree.wuhou_branch
    data = {
        "name": "新司机",
        "id_number": make_synthetic_id("510107", dt.date(1990, 5, 6), 77, "female"),
        "phone": "13655556666",
        "org": org.pk,
        "region": Region.objects.get(code="510107").pk,
    }
    return Target(data=data, state=lambda: _people_of(org.pk))


def api_create(world: World) -> Target:
    org = world.tree.wuhou_branch
    data = {
        "name": "新司机",
        "id_number": make_synthetic_id("510107", dt.date(1990, 5, 6), 77, "female"),
        "phone": "13655556666",
        "org_id": org.pk,
        "region_code": "510107",
    }
    return Target(data=data, state=lambda: _people_of(org.pk))


def api_detail(world: World) -> Target:
    person, user = _driver(world)
    return Target(args={"person_id": person.pk}, driver=user)


def api_patch(world: World) -> Target:
    person, user = _driver(world)
    data = {"version": person.version, "name": "王师傅"}
    return Target(args={"person_id": person.pk}, data=data, state=lambda: _person_state(person.pk), driver=user)


def api_driver_profile(world: World) -> Target:
    person, user = _driver(world)
    data = {"licence_class": "B2", "vehicle_type": "reefer", "plates": "川A99999"}
    return Target(args={"person_id": person.pk}, data=data, state=lambda: _profiles(person.pk), driver=user)


def api_party_profile(world: World) -> Target:
    person, user = _driver(world)
    data = {"branch_id": world.tree.wuhou_branch.pk, "joined_on": "2010-07-01"}
    return Target(args={"person_id": person.pk}, data=data, state=lambda: _profiles(person.pk), driver=user)


def api_reveal(world: World) -> Target:
    person, user = _driver(world)
    return Target(args={"person_id": person.pk}, data={"field": "phone"}, state=_reveals, driver=user)


def _export_jobs() -> list:
    """Who has asked for which background export: the jobs of every requester, as the actor is not known here."""
    return list(ExportJob.objects.order_by("pk").values_list("requested_by__username", "kind", "filters__org"))


def export_start(world: World) -> Target:
    """后台导出 of 武侯's branch's people (the list's `?org=` filter): out of scope, the organisation is a 404."""
    return Target(query={"org": world.tree.wuhou_branch.pk}, state=_export_jobs)


def my_record(world: World) -> Target:
    """我的信息: each signed-in user sees only their own person; the driver's name shows to him alone."""
    _person, user = _driver(world)
    return Target(marker=DRIVER, driver=user)


def _party_member(world: World) -> Person:
    person = make_driver(org=world.tree.wuhou_branch, name="武侯党员李师傅", phone="13812345679")
    PartyMemberProfile.objects.create(person=person, branch=world.tree.wuhou_branch, joined_on=dt.date(2012, 7, 1))
    return person


def _secretary_of(org_id: int) -> list:
    return list(OrganizationSecretary.objects.filter(organization_id=org_id).values_list("person_id", flat=True))


def secretary_page(world: World) -> Target:
    _party_member(world)
    return Target(args={"org_pk": world.tree.wuhou_branch.pk})


def secretary_set(world: World) -> Target:
    org = world.tree.wuhou_branch
    person = _party_member(world)
    return Target(args={"org_pk": org.pk}, data={"secretary": person.pk}, state=lambda: _secretary_of(org.pk))


# The driver sees his own record; changing it, or revealing its clear values, is for his organisation's staff: a
# visible record refused is a 403 (the page of a visible record says so too).
SELF_REFUSED = {DRIVER_SELF: 403}

ENDPOINTS = [
    Endpoint("members:me", LIST, my_record, sees=frozenset({DRIVER_SELF}), driver_self=True),
    # Anyone who sees the organisation sees who its secretary is; choosing one needs org.change (a viewer: 403).
    Endpoint("members:secretary", DETAIL, secretary_page, sees=SEEING | {WRONG_ROLE}, expect={WRONG_ROLE: 200}),
    Endpoint("members:secretary", WRITE, secretary_set, method="POST", ok=302, expect={WRONG_ROLE: 403}),
    Endpoint("members:list", LIST, people_list, sees=WITH_SELF, driver_self=True),
    Endpoint("members:list", EXPORT, people_list, sees=WITH_SELF, driver_self=True),
    # Starting a background export is reading the list, not changing people: a viewer of 武侯 may (302, a job queued).
    Endpoint(
        "members:export_start",
        WRITE,
        export_start,
        method="POST",
        ok=302,
        sees=SEEING | {WRONG_ROLE},
        expect={WRONG_ROLE: 302},
    ),
    Endpoint("members:detail", DETAIL, page_detail, sees=WITH_SELF, driver_self=True),
    Endpoint("members:reveal", WRITE, page_reveal, method="POST", driver_self=True, expect=SELF_REFUSED),
    # Opened from an organisation (?org=), the form is for that subtree: out of scope, the page is a 404.
    Endpoint("members:create", DETAIL, lambda w: Target(query={"org": w.tree.wuhou_branch.pk})),
    Endpoint("members:create", WRITE, page_create, method="POST", ok=302, expect=NAMED_IN_BODY),
    Endpoint("GET /api/v1/members/people", LIST, people_list, sees=WITH_SELF, driver_self=True),
    Endpoint("POST /api/v1/members/people", WRITE, api_create, ok=201, expect=NAMED_IN_BODY),
    Endpoint("GET /api/v1/members/people/{person_id}", DETAIL, api_detail, sees=WITH_SELF, driver_self=True),
    Endpoint("PATCH /api/v1/members/people/{person_id}", WRITE, api_patch, driver_self=True, expect=SELF_REFUSED),
    Endpoint(
        "PUT /api/v1/members/people/{person_id}/driver-profile",
        WRITE,
        api_driver_profile,
        driver_self=True,
        expect=SELF_REFUSED,
    ),
    Endpoint(
        "PUT /api/v1/members/people/{person_id}/party-profile",
        WRITE,
        api_party_profile,
        driver_self=True,
        expect=SELF_REFUSED,
    ),
    Endpoint(
        "POST /api/v1/members/people/{person_id}/reveal", WRITE, api_reveal, driver_self=True, expect=SELF_REFUSED
    ),
]


@cases(ENDPOINTS)
def test_scope(endpoint, actor, tree):
    check(endpoint, actor, scope_world(tree))
