"""Permission matrix: every console write of the stations API against its page, for each kind of user.

A write is "allowed" when it changed the database, so a refusal's status code (401, 403, 404, a login redirect,
a 422 naming an organisation out of scope) does not matter here: only whether the API and the page agree, and that
both agree with the table below. Each side runs inside its own rolled-back savepoint, so the page sees the
world the API saw.

A new API write must be added to WRITES (with its page) or to PUBLIC_WRITES: test_every_api_write_is_in_the_matrix
fails otherwise.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from chelun.accounts.models import User
from chelun.core.models import Region
from chelun.orgs.choices import Role
from chelun.orgs.models import RoleGrant
from chelun.orgs.tests.factories import Tree, make_user, superuser
from chelun.stations import services
from chelun.stations.api import router
from chelun.stations.choices import Amenity, StationKind, StationStatus
from chelun.stations.models import CostReport, Feedback, Station, StatusReport, SubsidyContribution
from chelun.stations.tests.factories import make_station

API = "/api/v1/stations"


@dataclass
class World:
    tree: Tree
    station: Station
    feedback: Feedback
    operator: User


@pytest.fixture
def world(tree: Tree) -> World:
    operator = make_user("op-wuhou")
    station = make_station(org=tree.wuhou_branch, name="武侯暖心之家", lon=104.04, lat=30.64, operators=[operator])
    feedback = services.feedback_create(station=station, user=None, rating=2, issues=[], text="热水不够")
    return World(tree, station, feedback, operator)


# --- who ---------------------------------------------------------------------------------------------------------

ROLE_ACTORS = [f"role:{role}" for role in Role.values]  # a grant of that role on the station's own branch
ACTORS = ["anonymous", "no_role", "station_operator", *ROLE_ACTORS, "sibling_admin", "parent_admin", "superuser"]


def actor_for(world: World, who: str) -> User | None:
    if who == "anonymous":
        return None
    if who == "no_role":
        return make_user("nobody")
    if who == "station_operator":  # runs the station (Station.operators), holds no role anywhere
        return world.operator
    if who.startswith("role:"):
        role = who.removeprefix("role:")
        user = make_user(f"branch-{role}")
        RoleGrant.objects.create(user=user, organization=world.tree.wuhou_branch, role=role)
        return user
    if who == "sibling_admin":
        return world.tree.jinjiang_admin
    if who == "parent_admin":
        return world.tree.province_admin
    assert who == "superuser"
    return superuser()


# --- what --------------------------------------------------------------------------------------------------------


def info_data(station: Station, **changes: Any) -> dict[str, Any]:
    """The operate page's info form as it posts it for `station`, with `changes`."""
    s = Station.objects.get(pk=station.pk)
    data: dict[str, Any] = {
        "version": s.version,
        "name": s.name,
        "kind": s.kind,
        "station_class": s.station_class,
        "status": s.status,
        "address": s.address,
        "carriageway": s.carriageway,
        "contact_name": s.contact_name,
        "contact_phone": s.contact_phone,
        "truck_spaces": s.truck_spaces,
        "beds": s.beds,
        "amenities": list(s.amenities.values_list("amenity", flat=True)),
    }
    data.update({flag: "on" for flag in ("open_24h", "cctv", "guards", "lighting", "fence") if getattr(s, flag)})
    data.update(changes)
    return data


def create_form(world: World) -> dict[str, Any]:
    return {
        "name": "双流物流园暖心之家",
        "organization": world.tree.wuhou_branch.pk,
        "region": Region.objects.get(code="510116").pk,
        "coord": "wgs84",
        "lon": "103.93",
        "lat": "30.57",
        "kind": StationKind.LOGISTICS_YARD,
        "station_class": "A",
        "status": StationStatus.OPEN,
        "truck_spaces": "80",
        "beds": "12",
        "amenities": [Amenity.TRUCK_PARKING, Amenity.SHOWER],
    }


def create_body(world: World) -> dict[str, Any]:
    return {
        "name": "双流物流园暖心之家",
        "kind": StationKind.LOGISTICS_YARD,
        "organization_id": world.tree.wuhou_branch.pk,
        "region": "510116",
        "lon": 103.93,
        "lat": 30.57,
        "truck_spaces": 80,
    }


def version_of(station: Station) -> int:
    return Station.objects.values_list("version", flat=True).get(pk=station.pk)


Request = tuple[str, str, dict[str, Any]]  # method, url, body


@dataclass(frozen=True)
class Write:
    """One console write: the API call and the page post that do the same thing."""

    api: Callable[[World], Request]
    page: Callable[[World], tuple[str, dict[str, Any]]]


WRITES: dict[str, Write] = {
    "status": Write(
        api=lambda w: ("post", f"{API}/{w.station.pk}/status", {"is_open": True, "free_spaces": 3}),
        page=lambda w: (reverse("stations:operate_status", args=[w.station.pk]), {"is_open": "1", "free_spaces": "3"}),
    ),
    "update": Write(
        api=lambda w: (
            "patch",
            f"{API}/console/stations/{w.station.pk}",
            {"version": version_of(w.station), "name": "武侯暖心驿站"},
        ),
        page=lambda w: (
            reverse("stations:operate_info", args=[w.station.pk]),
            info_data(w.station, name="武侯暖心驿站"),
        ),
    ),
    "create": Write(
        api=lambda w: ("post", f"{API}/console/stations", create_body(w)),
        page=lambda w: (reverse("stations:create"), create_form(w)),
    ),
    "feedback_reply": Write(
        api=lambda w: ("post", f"{API}/feedback/{w.feedback.pk}/reply", {"reply": "已加装热水器"}),
        page=lambda w: (
            reverse("stations:feedback_reply", args=[w.feedback.pk]),
            {f"f{w.feedback.pk}-reply": "已加装热水器"},
        ),
    ),
    "feedback_spam": Write(
        api=lambda w: ("post", f"{API}/feedback/{w.feedback.pk}/spam", {}),
        page=lambda w: (reverse("stations:feedback_spam", args=[w.feedback.pk]), {}),
    ),
    "costs": Write(
        api=lambda w: ("post", f"{API}/{w.station.pk}/costs", {"month": "2026-10-01", "amounts_fen": {"staff": 100}}),
        page=lambda w: (
            reverse("stations:funding_costs", args=[w.station.pk]),
            {"month": "2026-10", "cost_staff": "1.00"},
        ),
    ),
    "subsidies": Write(
        api=lambda w: (
            "post",
            f"{API}/{w.station.pk}/subsidies",
            {"month": "2026-10-01", "source": "finance", "amount_fen": 100, "idempotency_key": "matrix-subsidy"},
        ),
        page=lambda w: (
            reverse("stations:funding_subsidy", args=[w.station.pk]),
            {"month": "2026-10", "source": "finance", "amount": "1.00", "idempotency_key": "matrix-subsidy"},
        ),
    ),
}

# Writes anyone may make (drivers, anonymous visitors): not part of the matrix.
PUBLIC_WRITES = {"/{station_id}/confirm", "/{station_id}/checkins", "/{station_id}/feedback", "/along-route"}

# Who may do each write on a station of the 武侯 branch. Running a station (Station.operators) is enough to report
# its status, edit its entry and answer its feedback; the money needs funding.change, which only admins hold.
RUNS_IT = {"station_operator", f"role:{Role.ADMIN}", "parent_admin", "superuser"}
ADMINS = {f"role:{Role.ADMIN}", "parent_admin", "superuser"}
EXPECTED_ALLOWED: dict[str, set[str]] = {
    "status": RUNS_IT,
    "update": RUNS_IT,
    "create": ADMINS,
    "feedback_reply": RUNS_IT,
    "feedback_spam": RUNS_IT,
    "costs": ADMINS,
    "subsidies": ADMINS,
}


def snapshot() -> tuple[Any, ...]:
    return (
        StatusReport.objects.count(),
        sorted(Station.objects.values_list("pk", "name", "version")),
        sorted(Feedback.objects.values_list("pk", "reply", "status")),
        sorted(CostReport.objects.values_list("station_id", "month", "category", "amount_fen")),
        SubsidyContribution.objects.count(),
    )


def changed_by(action: Callable[[], Any]) -> bool:
    """Whether `action` wrote anything, leaving the database as it was either way."""
    with transaction.atomic():
        before = snapshot()
        action()
        after = snapshot()
        transaction.set_rollback(True)
    return after != before


def client_for(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.parametrize("who", ACTORS)
@pytest.mark.parametrize("write", list(WRITES))
def test_api_write_and_its_page_allow_the_same_users(world, write, who):
    user = actor_for(world, who)
    method, url, body = WRITES[write].api(world)
    page_url, form = WRITES[write].page(world)

    api_allowed = changed_by(lambda: getattr(client_for(user), method)(url, body, content_type="application/json"))
    page_allowed = changed_by(lambda: client_for(user).post(page_url, form, headers={"HX-Request": "true"}))

    assert (api_allowed, page_allowed) == ((who in EXPECTED_ALLOWED[write]),) * 2


def test_a_station_operator_without_the_funding_role_cannot_post_costs_through_the_api(world):
    before = snapshot()

    response = client_for(world.operator).post(
        f"{API}/{world.station.pk}/costs",
        {"month": "2026-10-01", "amounts_fen": {"staff": 100}},
        content_type="application/json",
    )

    assert (response.status_code, response.json()) == (
        403,
        {"message": "没有填报经费的权限", "code": "forbidden", "extra": {}},
    )
    assert snapshot() == before


def test_every_api_write_is_in_the_matrix():
    """A new write endpoint fails here until it has its page and its row in EXPECTED_ALLOWED (or is public)."""
    matrix = {
        "/{station_id}/status",
        "/console/stations/{station_id}",
        "/console/stations",
        "/feedback/{feedback_id}/reply",
        "/feedback/{feedback_id}/spam",
        "/{station_id}/costs",
        "/{station_id}/subsidies",
    }
    assert len(matrix) == len(WRITES) and set(EXPECTED_ALLOWED) == set(WRITES)
    writes = {
        path
        for path, view in router.path_operations.items()
        for operation in view.operations
        if set(operation.methods) & {"POST", "PUT", "PATCH", "DELETE"}
    }
    assert writes == matrix | PUBLIC_WRITES
