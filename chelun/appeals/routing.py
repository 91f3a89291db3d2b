"""Which routing rule applies to an appeal (pure: no Django). The most specific rule wins: the deepest region of
the appeal's chain of divisions (county, then its prefecture, then any region), then a rule for the category over
one for any category, then the lower priority number, then the older rule."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class RuleSpec:
    id: int
    category_id: int | None
    region_id: int | None
    target: str
    organization_id: int | None
    priority: int


def choose_rule(rules: Iterable[RuleSpec], *, category_id: int, region_chain: Sequence[int]) -> RuleSpec | None:
    """`region_chain`: the appeal's region and its ancestors, most specific first (empty when it has none)."""
    depth = {region_id: i for i, region_id in enumerate(region_chain)}
    best: tuple[tuple[int, int, int, int], RuleSpec] | None = None
    for rule in rules:
        if rule.category_id is not None and rule.category_id != category_id:
            continue
        if rule.region_id is not None and rule.region_id not in depth:
            continue
        region_rank = depth[rule.region_id] if rule.region_id is not None else len(region_chain)
        key = (region_rank, 0 if rule.category_id is not None else 1, rule.priority, rule.id)
        if best is None or key < best[0]:
            best = (key, rule)
    return best[1] if best else None
