"""Who sees which appeals.

- Staff: appeals whose owner organisation lies in a subtree where they hold the action (appeal.view to read,
  appeal.handle to act). An escalated appeal keeps its owner, so the parent sees it through its own subtree.
- A driver: only their own (appeal_driver_q). Out of scope and missing are the same 404.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from chelun.appeals.models import Appeal
from chelun.core.errors import Forbidden, NotFound
from chelun.orgs.access import can, path_scope_q, scope_paths


def appeal_scope_q(actor: Any, action: str = "appeal.view") -> Q:
    """The orgs rule (path_scope_q: owner_path starts with a granted path), AND the same set written as a range
    (path_range_q), which the (owner_path, ...) indexes can seek on: SQLite's LIKE is case-insensitive and
    PostgreSQL's needs a pattern-ops index, so neither uses a plain index for the prefix alone."""
    return path_scope_q(actor, action, "owner_path") & path_range_q(scope_paths(actor, action), "owner_path")


def appeal_stat_scope_q(actor: Any) -> Q:
    """The monthly roll-ups (AppealMonthStat) under the same rule as the appeals they count."""
    paths = scope_paths(actor, "appeal.view")
    return path_scope_q(actor, "appeal.view", "owner_path") & path_range_q(paths, "owner_path")


def path_range_q(paths: list[str] | None, field: str) -> Q:
    """Rows whose `field` starts with one of `paths`, as `path <= field < path-with-its-last-"/"-bumped`. Exact:
    paths hold only digits and "/", and "/" + 1 is "0", so the range holds precisely the strings with the prefix."""
    if paths is None:
        return Q()
    if not paths:
        return Q(pk__in=[])
    q = Q()
    for path in paths:
        upper = path[:-1] + chr(ord(path[-1]) + 1)
        q |= Q(**{f"{field}__gte": path, f"{field}__lt": upper})
    return q


def appeal_driver_q(actor: Any) -> Q:
    """The actor's own appeals: those submitted by the person their login is linked to."""
    if actor is None or not getattr(actor, "is_authenticated", False) or not getattr(actor, "person_id", None):
        return Q(pk__in=[])
    return Q(driver_id=actor.person_id)


def access_appeal_by_id(*, actor: Any, appeal_id: int, action: str = "appeal.view") -> Appeal:
    """An appeal for staff: outside appeal.view scope 404; visible but without `action` on its owner 403."""
    appeal = (
        Appeal.objects.select_related("category", "owner", "region", "escalated_to", "driver")
        .filter(appeal_scope_q(actor), pk=appeal_id)
        .first()
    )
    if appeal is None:
        raise NotFound("诉求不存在")
    if action != "appeal.view" and not can(actor, action, appeal.owner):
        raise Forbidden("没有办理该诉求的权限")
    return appeal


def access_own_appeal_by_id(*, actor: Any, appeal_id: int) -> Appeal:
    """The driver's own appeal, or 404 (someone else's looks missing)."""
    appeal = Appeal.objects.select_related("category", "owner", "region").filter(appeal_driver_q(actor), pk=appeal_id)
    found = appeal.first()
    if found is None:
        raise NotFound("诉求不存在")
    return found


def may_see_reporter(actor: Any, appeal: Appeal) -> bool:
    """Whether the page may show who submitted it: always for an ordinary category (within scope), for a
    confidential one only with appeal.reporter on its owner."""
    if not appeal.category.confidential:
        return True
    return can(actor, "appeal.reporter", appeal.owner)
