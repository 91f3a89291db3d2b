"""Scope matrix of the grid pages and API (chelun.core.testing.scope_matrix). The objects: 武侯's grid branch with
its covered cells and driver activity in an uncovered cell of 武侯区 (a gap), and a party-member driver of 武侯
who gave consent, sent pings and awaits the grid branch's confirmation of his attachment. The driver's own pages
and endpoints answer only him: anyone else has no driver record (pages 404, the API 403 no_person)."""

from __future__ import annotations

import datetime as dt

import h3
from django.utils import timezone

from chelun.accounts.models import User
from chelun.core.idcard import make_synthetic_id
from chelun.core.testing.scope_matrix import (
    DETAIL,
    DRIVER_SELF,
    EXPORT,
    LIST,
    NO_ROLE,
    PARENT,
    SAME_NODE,
    SIBLING,
    WRITE,
    WRONG_ROLE,
    Endpoint,
    Target,
    World,
    cases,
    check,
)
from chelun.grid import services
from chelun.grid.models import Attachment, CellHourAggregate, CoverageChange, LocationConsent, LocationPing
from chelun.grid.services.pings import PingItem
from chelun.grid.tests.conftest import WUHOU_CELL, disk
from chelun.members import services as members_services
from chelun.members.choices import LicenceClass, VehicleType
from chelun.members.models import PartyMemberProfile
from chelun.orgs.choices import OrgKind, OrgSector
from chelun.orgs.models import Organization
from chelun.orgs.tests.factories import make_org, superuser
from chelun.orgs.tests.scope_world import scope_world

BRANCH = "武侯网格流动党员党支部"
DRIVER = "武侯党员赵师傅"
GAP_CELL = disk(WUHOU_CELL, 3)[0]  # three rings out from the branch's cells: uncovered, still in 武侯区
API = "/api/v1/grid"
SIGNED_IN = frozenset({NO_ROLE, SIBLING, PARENT, SAME_NODE})
OWN = frozenset({DRIVER_SELF})
# A login linked to no person has no "my grid": the pages answer 404, the API refuses with 403 (no_person).
NOT_A_DRIVER_PAGE = {WRONG_ROLE: 404}
NOT_A_DRIVER_API = dict.fromkeys(SIGNED_IN, 403)


def _branch(world: World) -> Organization:
    """武侯's grid branch, covering the seven cells around WUHOU_CELL, with activity in and outside them."""
    branch = make_org(
        parent=world.tree.wuhou,
        name=BRANCH,
        region_code="510107",
        kind=OrgKind.GRID_BRANCH,
        sector=OrgSector.GRID,
    )
    services.coverage_set(branch=branch, cells=disk(WUHOU_CELL), actor=None)
    hour = timezone.now().replace(minute=0, second=0, microsecond=0) - dt.timedelta(hours=2)
    CellHourAggregate.objects.create(cell=WUHOU_CELL, hour=hour, pings=30, drivers=4)
    CellHourAggregate.objects.create(cell=GAP_CELL, hour=hour, pings=10, drivers=4)
    return branch


def _driver(world: World) -> tuple[User, Attachment]:
    """The party-member driver of 武侯 (consent given, one ping sent), away from home and suggested for 武侯's grid
    branch: the attachment awaits its secretary."""
    branch = _branch(world)
    # Built here rather than with make_driver: the factory's shared ID sequence would run past the 499 an ID number
    # allows over a whole run (the matrix makes a driver in each of its cases), breaking later apps' tests.
    person = members_services.person_create(
        actor=superuser(),
        name=DRIVER,
        id_number=make_synthetic_id("510107", dt.date(1980, 3, 3), 7, "male"),
        phone="13812340001",
        org=world.tree.wuhou_branch,
        region=world.tree.wuhou_branch.region,
    )
    members_services.driver_profile_set(
        actor=superuser(),
        person=person,
        licence_class=LicenceClass.A2,
        vehicle_type=VehicleType.TRACTOR,
        plates="川A12345",
    )
    PartyMemberProfile.objects.create(person=person, branch=world.tree.wuhou_branch, joined_on=dt.date(2012, 7, 1))
    user = User.objects.create_user(username="scope-grid-driver", password="x-Pass-123", person=person)
    services.consent_set(person=person, given=True)
    now = timezone.now().replace(microsecond=0)
    services.pings_record(
        person=person, items=[PingItem(client_id="seed", at=now - dt.timedelta(minutes=5), lat=30.642, lng=104.043)]
    )
    mobile = services.outflow_register(
        person=person,
        home_branch=world.tree.wuhou_branch,
        destination="成都",
        reason="freight",
        certificate_number="LD-SCOPE-1",
        actor=None,
    )
    attachment = Attachment.objects.create(mobile=mobile, branch=branch, suggested_at=timezone.now(), share=0.8)
    return user, attachment


def _consent(person_id: int) -> bool:
    return LocationConsent.objects.get(person_id=person_id).given


def _pings(person_id: int) -> int:
    return LocationPing.objects.filter(person_id=person_id).count()


def _confirmed(pk: int) -> object:
    return Attachment.objects.get(pk=pk).confirmed_at


def _versions(branch_id: int) -> int:
    return CoverageChange.objects.filter(branch_id=branch_id).count()


# --- builders ---------------------------------------------------------------------------------------------------


def listed(marker: str):
    def build(world: World) -> Target:
        user, _attachment = _driver(world)
        return Target(marker=marker, driver=user)

    return build


def own(world: World) -> Target:
    user, _attachment = _driver(world)
    return Target(driver=user)


def consent_page(world: World) -> Target:
    user, attachment = _driver(world)
    person_id = attachment.mobile.person_id
    return Target(data={"given": "0"}, state=lambda: _consent(person_id), driver=user)


def consent_api(world: World) -> Target:
    user, attachment = _driver(world)
    person_id = attachment.mobile.person_id
    return Target(data={"given": False}, state=lambda: _consent(person_id), driver=user)


def pings_api(world: World) -> Target:
    user, attachment = _driver(world)
    person_id = attachment.mobile.person_id
    at = timezone.now().replace(microsecond=0).isoformat()
    data = {"pings": [{"client_id": "scope-new", "at": at, "lat": 30.642, "lng": 104.043}]}
    return Target(data=data, state=lambda: _pings(person_id), driver=user)


def confirm(world: World) -> Target:
    user, attachment = _driver(world)
    return Target(args={"attachment_id": attachment.pk}, state=lambda: _confirmed(attachment.pk), driver=user)


def branch_detail(world: World) -> Target:
    return Target(args={"branch_id": _branch(world).pk})


def branch_cells(world: World) -> Target:
    branch = _branch(world)
    data = {"cells": [h3.int_to_str(WUHOU_CELL)]}
    return Target(args={"branch_id": branch.pk}, data=data, state=lambda: _versions(branch.pk))


ENDPOINTS = [
    # The committee's side: coverage, cells and gaps within the grid.view scope (the sibling county sees none).
    # /grid/ sends a driver to his own page and everyone else to the coverage map.
    Endpoint("grid:home", DETAIL, own, ok=302, sees=SIGNED_IN | OWN, driver_self=True),
    Endpoint("grid:coverage", LIST, listed(BRANCH)),
    Endpoint("grid:cells", LIST, listed(format(WUHOU_CELL, "x"))),  # JSON escapes the names: the cell id shows
    Endpoint("grid:gaps", LIST, listed(BRANCH)),
    Endpoint("grid:gaps", EXPORT, listed(BRANCH)),
    Endpoint("grid:members", LIST, listed(DRIVER)),
    # Confirming needs grid.members_manage on the grid branch; a viewer's refusal is the same 404 as a missing id.
    Endpoint("grid:attachment_confirm", WRITE, confirm, method="POST", ok=302, expect={WRONG_ROLE: 404}),
    Endpoint(f"GET {API}/branches/{{branch_id}}", DETAIL, branch_detail),
    Endpoint(f"PUT {API}/branches/{{branch_id}}/cells", WRITE, branch_cells),
    Endpoint(f"GET {API}/summary", LIST, listed('"covered_cells": 7')),
    Endpoint(f"GET {API}/gaps", LIST, listed(h3.int_to_str(GAP_CELL))),
    Endpoint(f"POST {API}/attachments/{{attachment_id}}/confirm", WRITE, confirm, expect={WRONG_ROLE: 404}),
    # The driver's own: consent, position, pings.
    Endpoint("grid:my", DETAIL, own, sees=OWN, driver_self=True),
    Endpoint(
        "grid:consent", WRITE, consent_page, method="POST", ok=302, sees=OWN, driver_self=True, expect=NOT_A_DRIVER_PAGE
    ),
    Endpoint(f"GET {API}/consent", DETAIL, own, sees=OWN, driver_self=True, expect=NOT_A_DRIVER_API),
    Endpoint(f"PUT {API}/consent", WRITE, consent_api, sees=OWN, driver_self=True, expect=NOT_A_DRIVER_API),
    Endpoint(f"GET {API}/me", DETAIL, own, sees=OWN, driver_self=True, expect=NOT_A_DRIVER_API),
    Endpoint(f"POST {API}/pings", WRITE, pings_api, sees=OWN, driver_self=True, expect=NOT_A_DRIVER_API),
]


@cases(ENDPOINTS)
def test_scope(endpoint, actor, tree):
    check(endpoint, actor, scope_world(tree))
