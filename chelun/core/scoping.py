"""Where an actor may do an action, as `core` sees it: a list of organisation-path prefixes, or None for everywhere.

The organisation tree and its role grants live in `orgs`, which sits above core; core's own pages (the audit log,
"may this user act anywhere?") still need the answer. So orgs registers its resolver here at start-up
(OrgsConfig.ready) and core asks through this module, never importing orgs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Q

ScopeResolver = Callable[[Any, str], "list[str] | None"]

_resolver: ScopeResolver | None = None


def register_scope_resolver(resolver: ScopeResolver) -> None:
    global _resolver
    _resolver = resolver


def scope_paths(actor: Any, action: str) -> list[str] | None:
    """The path prefixes of the subtrees where `actor` may do `action`; None means everywhere, [] nowhere."""
    if _resolver is None:
        raise ImproperlyConfigured("no scope resolver registered: is chelun.orgs in INSTALLED_APPS?")
    return _resolver(actor, action)


def paths_q(paths: list[str] | None, field: str) -> Q:
    """Q restricting `field` (a stored organisation path) to `paths` as scope_paths returns them."""
    if paths is None:
        return Q()
    if not paths:
        return Q(pk__in=[])
    q = Q()
    for path in paths:
        q |= Q(**{f"{field}__startswith": path})
    return q
