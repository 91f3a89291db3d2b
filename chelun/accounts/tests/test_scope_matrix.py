"""Scope matrix of the sign-in pages and the accounts API (chelun.core.testing.scope_matrix). Signing in is public
by nature; "me" answers every signed-in user with their own account only: a driver's person id shows on his own
answer and nobody else's."""

from __future__ import annotations

from chelun.core.testing.scope_matrix import DRIVER_SELF, LIST, PUBLIC, Endpoint, Target, World, cases, check
from chelun.members.tests.factories import make_driver
from chelun.orgs.tests.factories import make_user
from chelun.orgs.tests.scope_world import scope_world


def me(world: World) -> Target:
    person = make_driver(org=world.tree.wuhou_branch, name="武侯王师傅")
    return Target(marker=f'"person_id": {person.pk}', driver=make_user("scope-driver", person=person))


ENDPOINTS = [
    Endpoint("accounts:login", PUBLIC, lambda w: Target(), reason="the sign-in form: for whoever is not signed in yet"),
    Endpoint("accounts:otp_request", PUBLIC, reason="drivers ask for a one-time code before they have an account"),
    Endpoint("accounts:logout", PUBLIC, reason="ends the caller's own session, whoever they are"),
    Endpoint("POST /api/v1/accounts/token", PUBLIC, reason="exchanges a password for a token: before any session"),
    Endpoint("POST /api/v1/accounts/otp/request", PUBLIC, reason="sends a driver's one-time code: before sign-in"),
    Endpoint("POST /api/v1/accounts/otp/verify", PUBLIC, reason="exchanges a driver's code for a token"),
    Endpoint("GET /api/v1/accounts/me", LIST, me, sees=frozenset({DRIVER_SELF}), driver_self=True),
]


@cases(ENDPOINTS)
def test_scope(endpoint, actor, tree):
    check(endpoint, actor, scope_world(tree))
