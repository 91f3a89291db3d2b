"""Plans: the unsaved organisations and rules of the demo, as plain dataclasses. orgs.py fills the tree, rules.py then
hangs the rules on it, people.py reads it, seed.py inserts it; they share these types and not each other's code, so
the tree knows nothing of the rules.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from chelun.orgs.choices import OrgStatus

__all__ = ["OrgPlan", "OrgSpec", "RuleSpec"]


@dataclass
class OrgSpec:
    """One organisation to insert. `key` is its index in OrgPlan.orgs; `parent` is the parent's key."""

    key: int
    name: str
    kind: str
    sector: str
    region_code: str
    parent: int | None
    depth: int
    founded_on: dt.date
    unit_name: str = ""
    # The single employer this organisation sits in (a company, park operator or platform); "" for committees of
    # the authority, joint and grid branches.
    company: str = ""
    # Joint branches: the units they group (also joined into unit_name).
    units: tuple[str, ...] = ()
    has_staffing_standard: bool = False
    has_personnel_standard: bool = False
    has_funding_standard: bool = False
    project_name: str = ""
    ends_on: dt.date | None = None
    status: str = OrgStatus.ACTIVE
    doc_prefix: str = ""  # 发文字号 prefix for its rules ("川交党"), "" when it issues no numbered documents

    @property
    def all_standards_set(self) -> bool:
        return self.has_staffing_standard and self.has_personnel_standard and self.has_funding_standard


@dataclass
class OrgPlan:
    """The demo tree (filled by chelun.demo.orgs.plan_organisations) and the rules that hang on it (filled afterwards
    by chelun.demo.rules.plan_rules)."""

    orgs: list[OrgSpec] = field(default_factory=list)
    rules: list[RuleSpec] = field(default_factory=list)
    province: int = 0
    prefecture_committee: dict[str, int] = field(default_factory=dict)  # prefecture code -> key
    county_committee: dict[str, int] = field(default_factory=dict)  # county code -> key

    def add(self, *, parent: int | None, **fields: Any) -> OrgSpec:
        depth = 0 if parent is None else self.orgs[parent].depth + 1
        spec = OrgSpec(key=len(self.orgs), parent=parent, depth=depth, **fields)
        self.orgs.append(spec)
        return spec


@dataclass(frozen=True)
class RuleSpec:
    """One rule (制度) to insert; `org` is the key of the organisation that adopted it."""

    org: int
    title: str
    category: str
    number: str
    effective_on: dt.date
    status: str
