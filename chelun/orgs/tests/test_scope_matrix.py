"""Scope matrix of the organisation pages and API (chelun.core.testing.scope_matrix): the object is 武侯's company
branch (or a rule it made); the sibling county's admin, a user with no role and anonymous must not reach it."""

from __future__ import annotations

import datetime as dt

from chelun.core.testing.scope_matrix import (
    EXPORT,
    LIST,
    NO_ROLE,
    SIBLING,
    WRITE,
    Endpoint,
    Target,
    World,
    cases,
    check,
)
from chelun.orgs.choices import OrgKind, OrgSector, RuleCategory
from chelun.orgs.models import Organization, Rule
from chelun.orgs.services import rule_create
from chelun.orgs.tests.factories import make_org, superuser
from chelun.orgs.tests.scope_world import scope_world

BRANCH = "武侯物流公司党支部"
RULE = "武侯物流三会一课制度"


def _branch(world: World) -> Organization:
    return world.tree.wuhou_branch


def _rule(world: World) -> Rule:
    return rule_create(
        actor=superuser(),
        organization=_branch(world),
        title=RULE,
        category=RuleCategory.EDUCATION,
        number="武物党〔2025〕1号",
        effective_on=dt.date(2025, 1, 1),
    )


def _org_state(pk: int) -> tuple:
    org = Organization.objects.get(pk=pk)
    return (org.name, org.parent_id, org.path, org.version)


def _children_of(pk: int) -> list:
    return sorted(Organization.objects.filter(parent_id=pk).values_list("name", flat=True))


def _rules_of(pk: int) -> list:
    return sorted(Rule.objects.filter(organization_id=pk).values_list("title", flat=True))


def branch_target(world: World, **kw) -> Target:
    return Target(args={"pk": _branch(world).pk}, **kw)


def org_list(world: World) -> Target:
    return Target(marker=BRANCH)


def tree_search(world: World) -> Target:
    return Target(query={"q": "物流"}, marker=BRANCH)


def rule_list(world: World) -> Target:
    _rule(world)
    return Target(marker=RULE)


def edit(world: World) -> Target:
    branch = _branch(world)
    data = {
        "name": "武侯物流公司第一党支部",
        "secretary": "",
        "status": branch.status,
        "founded_on": branch.founded_on.isoformat(),
        "ends_on": "",
        "version": branch.version,
    }
    return branch_target(world, data=data, state=lambda: _org_state(branch.pk))


def _move_target(world: World) -> Organization:
    """A second committee under 武侯, so every actor in scope has a valid new parent for 武侯's branch."""
    return make_org(
        parent=world.tree.wuhou,
        name="武侯物流园区党委",
        region_code="510107",
        kind=OrgKind.INDUSTRY_COMMITTEE,
        sector=OrgSector.AUTHORITY,
    )


def move_page(world: World) -> Target:
    branch = _branch(world)
    data = {"new_parent": _move_target(world).pk, "version": branch.version}
    return branch_target(world, data=data, state=lambda: _org_state(branch.pk))


def rule_create_page(world: World) -> Target:
    branch = _branch(world)
    data = {
        "organization": branch.pk,
        "title": "武侯物流党费制度",
        "category": RuleCategory.DUES,
        "number": "",
        "effective_on": "2025-03-01",
        "status": "effective",
    }
    return Target(data=data, state=lambda: _rules_of(branch.pk))


def api_detail(world: World) -> Target:
    return Target(args={"organization_id": _branch(world).pk})


def api_children(world: World) -> Target:
    return Target(args={"organization_id": world.tree.wuhou.pk}, marker=BRANCH)


def api_patch(world: World) -> Target:
    branch = _branch(world)
    data = {"version": branch.version, "name": "武侯物流公司第一党支部"}
    return Target(args={"organization_id": branch.pk}, data=data, state=lambda: _org_state(branch.pk))


def api_move(world: World) -> Target:
    branch = _branch(world)
    data = {"new_parent_id": _move_target(world).pk, "version": branch.version}
    return Target(args={"organization_id": branch.pk}, data=data, state=lambda: _org_state(branch.pk))


def api_create(world: World) -> Target:
    branch = _branch(world)
    data = {
        "parent_id": branch.pk,
        "name": "武侯物流公司车队党小组支部",
        "kind": OrgKind.BRANCH,
        "sector": OrgSector.COMPANY,
        "region_code": "510107",
        "founded_on": "2024-05-01",
    }
    return Target(data=data, state=lambda: _children_of(branch.pk))


def api_rule_detail(world: World) -> Target:
    return Target(args={"rule_id": _rule(world).pk})


def api_rule_create(world: World) -> Target:
    branch = _branch(world)
    data = {
        "organization_id": branch.pk,
        "title": "武侯物流党费制度",
        "category": RuleCategory.DUES,
        "effective_on": "2025-03-01",
    }
    return Target(data=data, state=lambda: _rules_of(branch.pk))


# An id named in a form or a body that the caller cannot see is a field error (422), the same for a missing id.
NAMED_IN_BODY = {SIBLING: 422, NO_ROLE: 422}

ENDPOINTS = [
    Endpoint("orgs:tree", LIST, tree_search),
    Endpoint("orgs:list", LIST, org_list),
    Endpoint("orgs:list", EXPORT, org_list),
    Endpoint("orgs:detail", "detail", branch_target),
    Endpoint("orgs:children", "detail", lambda w: Target(args={"pk": w.tree.wuhou.pk})),
    Endpoint("orgs:edit", "detail", branch_target),
    Endpoint("orgs:edit", WRITE, edit, method="POST", ok=302),
    Endpoint("orgs:move", "detail", branch_target),
    Endpoint("orgs:move", WRITE, move_page, method="POST", ok=302),
    Endpoint("orgs:rules", LIST, rule_list),
    Endpoint("orgs:rules", EXPORT, rule_list),
    # Opened from an organisation (?org=), the form is for that subtree: out of scope, the page is a 404.
    Endpoint("orgs:rule_create", "detail", lambda w: Target(query={"org": _branch(w).pk})),
    Endpoint("orgs:rule_create", WRITE, rule_create_page, method="POST", ok=302, expect=NAMED_IN_BODY),
    Endpoint("GET /api/v1/orgs/", LIST, org_list),
    Endpoint("POST /api/v1/orgs/", WRITE, api_create, ok=201, expect=NAMED_IN_BODY),
    Endpoint("GET /api/v1/orgs/{organization_id}", "detail", api_detail),
    Endpoint("PATCH /api/v1/orgs/{organization_id}", WRITE, api_patch),
    Endpoint("GET /api/v1/orgs/{organization_id}/children", "detail", api_children),
    Endpoint("POST /api/v1/orgs/{organization_id}/move", WRITE, api_move),
    Endpoint("GET /api/v1/orgs/rules", LIST, rule_list),
    Endpoint("POST /api/v1/orgs/rules", WRITE, api_rule_create, ok=201, expect=NAMED_IN_BODY),
    Endpoint("GET /api/v1/orgs/rules/{rule_id}", "detail", api_rule_detail),
]


@cases(ENDPOINTS)
def test_scope(endpoint, actor, tree):
    check(endpoint, actor, scope_world(tree))


def test_the_matrix_fails_a_wrong_declaration(tree):
    """The cases can fail: declared as visible to the sibling, 武侯's branch (a 404 for them) fails its detail, list
    and refused-write cases; a write declared as allowed for nobody fails on the change it made."""
    import pytest

    from chelun.core.testing.scope_matrix import PARENT, SAME_NODE

    world = scope_world(tree)
    leaky = frozenset({PARENT, SAME_NODE, SIBLING})
    for endpoint in (
        Endpoint("orgs:detail", "detail", branch_target, sees=leaky),
        Endpoint("GET /api/v1/orgs/", LIST, org_list, sees=leaky),
    ):
        with pytest.raises(AssertionError):
            check(endpoint, SIBLING, world)
    with pytest.raises(AssertionError, match="changed"):
        # Answered 200 as declared, yet the province admin is declared out of scope: the write must not show.
        route = "PATCH /api/v1/orgs/{organization_id}"
        patch = Endpoint(route, WRITE, api_patch, sees=frozenset(), expect={PARENT: 200})
        check(patch, PARENT, world)
