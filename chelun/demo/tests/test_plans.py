"""The demo's plan modules: the organisation tree is planned without the rules, which hang on it afterwards."""

from __future__ import annotations

import ast
import random
from pathlib import Path

import pytest
from django.conf import settings

from chelun.core.models import Region
from chelun.core.regions import regions_load
from chelun.demo import figures
from chelun.demo.geography import load_divisions
from chelun.demo.orgs import plan_organisations
from chelun.demo.rules import plan_rules

DEMO = Path(__file__).resolve().parent.parent


def _demo_imports(module: str) -> set[str]:
    """The chelun.demo modules a demo module imports, at module level, in functions or under TYPE_CHECKING."""
    tree = ast.parse((DEMO / f"{module}.py").read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return {name for name in names if name.startswith("chelun.demo")}


@pytest.mark.parametrize(
    ("module", "forbidden"),
    [("orgs", "chelun.demo.rules"), ("rules", "chelun.demo.orgs"), ("plans", "chelun.demo.orgs")],
)
def test_the_tree_and_its_rules_do_not_import_each_other(module, forbidden):
    # Rules hang on organisations: the tree is planned first and knows nothing of them; both share chelun.demo.plans.
    assert forbidden not in _demo_imports(module)


@pytest.mark.django_db
def test_plan_organisations_leaves_the_rules_to_plan_rules_which_adds_the_published_number():
    if not Region.objects.filter(level="county").exists():
        regions_load()
    geo = load_divisions(settings.SHARED_DATA_DIR / "expressways.json")
    rng = random.Random(5)
    plan = plan_organisations(geo, rng)
    assert plan.rules == []
    plan_rules(plan, rng)
    assert len(plan.rules) == figures.RULES == 838
    assert {r.org for r in plan.rules} <= {o.key for o in plan.orgs}
