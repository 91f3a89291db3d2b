"""The actors of the scope matrix (chelun.core.testing.scope_matrix) over the organisation tree."""

from __future__ import annotations

from chelun.core.testing.scope_matrix import (
    ANONYMOUS,
    NO_ROLE,
    PARENT,
    SAME_NODE,
    SIBLING,
    WRONG_ROLE,
    World,
)
from chelun.orgs.choices import Role
from chelun.orgs.tests.factories import Tree, make_user


def scope_world(tree: Tree) -> World:
    """Anonymous; a user with no role; 锦江's admin (sibling of 武侯); the province admin (above 武侯); 武侯's admin;
    a viewer of 武侯 (sees 武侯's subtree, may change nothing)."""
    return World(
        actors={
            ANONYMOUS: None,
            NO_ROLE: make_user("scope-no-role"),
            SIBLING: tree.jinjiang_admin,
            PARENT: tree.province_admin,
            SAME_NODE: tree.wuhou_admin,
            WRONG_ROLE: make_user("scope-wuhou-viewer", org=tree.wuhou, role=Role.VIEWER),
        },
        tree=tree,
    )
