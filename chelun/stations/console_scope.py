"""What the console offers a user, limited to their scope: the regions their organisations cover (for the region
dropdowns) and which console tabs have anything in them. Reads only, through orgs.access and stations.access."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from chelun.core.models import Region
from chelun.orgs.access import path_scope_q, scope_paths
from chelun.orgs.models import Organization
from chelun.stations.access import station_manage_q
from chelun.stations.models import Station


def scope_region_ids(actor: Any, action: str = "station.view") -> set[int] | None:
    """Ids of the regions under the organisations where the actor may do `action`: each granted organisation's
    region and every region below it (province → prefectures → counties). None means every region (superuser)."""
    paths = scope_paths(actor, action)
    if paths is None:
        return None
    if not paths:
        return set()
    roots = Organization.objects.filter(path__in=paths).values("region_id")
    below = Q(pk__in=roots) | Q(parent__in=roots) | Q(parent__parent__in=roots)
    return set(Region.objects.filter(below).values_list("pk", flat=True))


def limit_region_choices(choices: list[Any], allowed: set[int] | None) -> list[Any]:
    """Grouped <select> choices (core.forms.region_choices' shape) with only the allowed region ids; groups left
    empty are dropped, and ungrouped options (the blank one) are kept."""
    if allowed is None:
        return choices
    kept: list[Any] = []
    for value, label in choices:
        if isinstance(label, (list, tuple)):
            options = [(v, lab) for v, lab in label if v and int(v) in allowed]
            if options:
                kept.append((value, options))
        elif not value or int(value) in allowed:
            kept.append((value, label))
    return kept


def console_tabs(actor: Any) -> list[str]:
    """The console tabs with something in the actor's scope, in order: 站点 and 布点缺口 always (the directory
    and the corridors are public), 经费保障 when a real station is in funding scope, 我的站点 when the actor
    runs one."""
    tabs = ["console", "gaps"]
    real = Station.objects.filter(is_demo_synthetic=False)
    if real.filter(path_scope_q(actor, "funding.view", "organization__path")).exists():
        tabs.append("funding")
    if real.filter(station_manage_q(actor)).exists():
        tabs.append("operate")
    return tabs
