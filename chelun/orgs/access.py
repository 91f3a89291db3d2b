"""The one scoping primitive: which subtrees an actor may act on, for which action.

A role granted on an organisation covers its subtree. Every selector builds its queryset from a `*_scope_q`
here; objects outside scope are reported as missing (404), never as forbidden, so ids do not leak.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db.models import Q

from chelun.core.errors import Forbidden, NotFound
from chelun.core.scoping import paths_q
from chelun.orgs.choices import Role
from chelun.orgs.models import Organization, RoleGrant, Rule

ALL_ROLES = frozenset(Role.values)

# action -> roles that grant it (within the subtree of the organisation they are granted on). Empty here: each app
# registers the actions it guards from its own `permissions.py` (loaded by its AppConfig.ready), so orgs never
# lists what hangs on the tree.
ROLE_ACTIONS: dict[str, frozenset[str]] = {}


class UnknownAction(LookupError):
    """An action no app registered: a typo in a permission name, or an app whose permissions were not loaded."""


def register_actions(actions: Mapping[str, Iterable[str]]) -> None:
    """Register the actions an app guards and the roles that grant each (`"funding.change": {Role.ADMIN}`).

    Names are `<thing>.<verb>`, after what they guard. Registering a name again with the same roles is harmless
    (a module imported twice); with other roles it is a clash between two apps and raises ValueError.
    """
    for action, roles in actions.items():
        granted = frozenset(roles)
        unknown = granted - ALL_ROLES
        if unknown:
            raise ValueError(f"{action}: unknown roles {sorted(unknown)}")
        if ROLE_ACTIONS.get(action, granted) != granted:
            raise ValueError(f"{action} is already registered with other roles")
        ROLE_ACTIONS[action] = granted


def roles_for(action: str) -> frozenset[str]:
    try:
        return ROLE_ACTIONS[action]
    except KeyError:
        raise UnknownAction(f"no app registered the action {action!r}") from None


def scope_paths(actor: Any, action: str) -> list[str] | None:
    """Paths of the subtrees where `actor` may do `action`; None means everywhere (superuser).

    Cached on the actor object for the request, since one page asks several times (orgs.services drops the cache
    when it grants a role). An unregistered action raises
    UnknownAction for every actor (superusers too), so a misspelt permission fails in the first test that uses it.
    """
    roles = roles_for(action)
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return []
    if actor.is_superuser:
        return None
    cache: dict[str, Any] = actor.__dict__.setdefault("_chelun_scope_cache", {})
    if action not in cache:
        # One query per request for all the actor's grants (role, path); each action then picks its roles from them,
        # so a page asking about five actions (its menu, tabs and lists) still reads the grants once.
        if "_grants" not in cache:
            cache["_grants"] = list(
                RoleGrant.objects.filter(user=actor, organization__status="active").values_list(
                    "role", "organization__path"
                )
            )
        paths = sorted({path for role, path in cache["_grants"] if role in roles})
        # A path inside another granted path adds nothing.
        cache[action] = [p for p in paths if not any(p != q and p.startswith(q) for q in paths)]
    return cache[action]


def path_scope_q(actor: Any, action: str, path_field: str) -> Q:
    """Q restricting `path_field` (an Organization path, possibly across a relation) to the actor's subtrees."""
    return paths_q(scope_paths(actor, action), path_field)


def can(actor: Any, action: str, org: Organization) -> bool:
    paths = scope_paths(actor, action)
    return paths is None or any(org.path.startswith(p) for p in paths)


def require(actor: Any, action: str, org: Organization) -> None:
    """Raise Forbidden unless `actor` may do `action` on `org` (callers have already checked visibility)."""
    if not can(actor, action, org):
        raise Forbidden()


def organization_scope_q(actor: Any, action: str = "org.view") -> Q:
    return path_scope_q(actor, action, "path")


def rule_scope_q(actor: Any, action: str = "rule.view") -> Q:
    return path_scope_q(actor, action, "organization__path")


def access_organization_by_id(*, actor: Any, organization_id: int, action: str = "org.view") -> Organization:
    org = Organization.objects.filter(organization_scope_q(actor, "org.view"), pk=organization_id).first()
    if org is None:
        raise NotFound("组织不存在")
    if action != "org.view":
        require(actor, action, org)
    return org


def access_rule_by_id(*, actor: Any, rule_id: int, action: str = "rule.view") -> Rule:
    rule = Rule.objects.select_related("organization").filter(rule_scope_q(actor), pk=rule_id).first()
    if rule is None:
        raise NotFound("制度不存在")
    if action != "rule.view":
        require(actor, action, rule.organization)
    return rule
