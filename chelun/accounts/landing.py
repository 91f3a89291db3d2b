"""Where a user lands on `/`, and which main-menu entries their role can use: one rule for both, so the menu never
offers a page the landing rule would not send them to.

- anyone without a staff session (anonymous, or a driver logged in by phone) → the driver's pages (站点查询);
- a station operator (站长) with no organisation role → their stations;
- an official (a role on an organisation, or a superuser) → the organisation console.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any

from django.urls import reverse

from chelun.core.navigation import STATION_OPERATOR, does_work
from chelun.orgs.access import scope_paths


class Kind(Enum):
    VISITOR = "visitor"  # anonymous, or a logged-in driver: no staff session
    OPERATOR = "operator"
    OFFICIAL = "official"


def _has(user: Any, action: str) -> bool:
    """Whether the user may do `action` somewhere. orgs.access caches the answer on the user for the request, and
    console pages have asked for org.view already, so the menu usually costs no query there."""
    paths = scope_paths(user, action)
    return paths is None or bool(paths)


def user_kind(user: Any) -> Kind:
    if user is None or not getattr(user, "is_authenticated", False):
        return Kind.VISITOR
    if _has(user, "org.view"):  # every role grants org.view: any role makes an official
        return Kind.OFFICIAL
    if does_work(user, STATION_OPERATOR):  # answered by the stations app (core.navigation)
        return Kind.OPERATOR
    if user.person_id:
        return Kind.VISITOR  # a driver
    # A staff account with neither role nor station yet: the console says it has nothing to show, as before.
    return Kind.OFFICIAL


LANDING = {
    Kind.VISITOR: "stations:home",
    Kind.OPERATOR: "stations:operate_list",
    Kind.OFFICIAL: "orgs:tree",
}


def landing_url(user: Any) -> str:
    return reverse(LANDING[user_kind(user)])


@dataclass(frozen=True)
class MenuItem:
    url_name: str
    label: str
    # url names (namespace:name) whose pages count as this entry, for aria-current
    covers: tuple[str, ...]


def main_menu(user: Any) -> list[MenuItem]:
    """The logged-in user's menu entries (the public 暖心之家 link is always shown beside them)."""
    if not getattr(user, "is_authenticated", False):
        return []
    kind = user_kind(user)
    items: list[MenuItem] = []
    if kind is Kind.OFFICIAL:
        items += [
            MenuItem(
                "orgs:tree",
                "组织体系",
                ("orgs:tree", "orgs:list", "orgs:detail", "orgs:children", "orgs:edit", "orgs:move"),
            ),
            MenuItem("members:list", "人员", ("members:*",)),
            MenuItem("orgs:rules", "制度", ("orgs:rules", "orgs:rule_create")),
            # Every role grants station.view, as it grants org.view.
            MenuItem(
                "stations:console",
                "暖心之家管理",
                ("stations:console", "stations:create", "stations:gaps", "stations:funding*"),
            ),
            MenuItem("core:audit", "审计日志", ("core:audit",)),
        ]
    if kind is Kind.OPERATOR:
        # Officials reach 我的站点 from the console's tabs; their menu does not ask the extra question.
        items.append(MenuItem("stations:operate_list", "我的站点", ("stations:operate*",)))
    if user.person_id:
        items.append(MenuItem("members:me", "我的信息", ("members:me", "core:me")))
    return items


def is_current(item: MenuItem, view_name: str) -> bool:
    """Whether the page named `view_name` (namespace:name) belongs to this menu entry."""
    return any(view_name == c or (c.endswith("*") and view_name.startswith(c[:-1])) for c in item.covers)
