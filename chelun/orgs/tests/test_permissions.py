"""The action registry: each app names the actions it guards; orgs only resolves them against role grants."""

from __future__ import annotations

import pytest

from chelun.orgs import access
from chelun.orgs.access import UnknownAction, register_actions, roles_for, scope_paths
from chelun.orgs.choices import Role
from chelun.orgs.tests.factories import superuser


@pytest.fixture
def registry(monkeypatch):
    monkeypatch.setattr(access, "ROLE_ACTIONS", dict(access.ROLE_ACTIONS))
    return access.ROLE_ACTIONS


def test_each_app_registers_its_own_actions():
    assert {action.split(".")[0] for action in access.ROLE_ACTIONS} == {
        "org",
        "rule",
        "role",
        "audit",
        "person",
        "station",
        "feedback",
        "funding",
        "appeal",
        "grid",
    }
    assert roles_for("funding.change") == {Role.ADMIN}
    assert roles_for("person.reveal") == {Role.ADMIN, Role.SECRETARY}


def test_registering_again_with_the_same_roles_is_harmless_and_with_others_is_refused(registry):
    register_actions({"load.post": {Role.FREIGHT_STAFF}})
    register_actions({"load.post": [Role.FREIGHT_STAFF]})
    with pytest.raises(ValueError, match=r"load\.post is already registered with other roles"):
        register_actions({"load.post": {Role.ADMIN}})
    assert registry["load.post"] == {Role.FREIGHT_STAFF}


def test_an_unknown_role_is_refused(registry):
    with pytest.raises(ValueError, match=r"load\.post: unknown roles \['driver'\]"):
        register_actions({"load.post": {"driver"}})
    assert "load.post" not in registry


@pytest.mark.django_db
def test_an_unregistered_action_fails_even_for_a_superuser():
    # A superuser's scope is "everywhere" without looking at roles: a misspelt action must still fail loudly.
    with pytest.raises(UnknownAction, match=r"no app registered the action 'funding\.chnage'"):
        scope_paths(superuser(), "funding.chnage")
