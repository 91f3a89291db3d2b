"""Layers point one way. This test reads every import under chelun/ (module level and inside functions) and every
relation between models, and fails on an arrow against the direction.

The direction, as data: ALLOWED says which apps each app may use. `core` knows no domain app; `orgs` knows only
core (nothing of what hangs on the tree); a domain app uses core and orgs freely and another domain app only
through its public rooms (PUBLIC_ROOMS); `demo` fills every app and no app uses it; nothing in chelun imports
`config` (config mounts the apps, so it may import them all). A new app is one line in ALLOWED: the test fails
until it has one.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings

CHELUN = Path(__file__).resolve().parent.parent / "chelun"

# app -> the apps it may import. Order of the lines is the order of the layers, lowest first.
ALLOWED: dict[str, frozenset[str]] = {
    "core": frozenset(),
    "orgs": frozenset({"core"}),
    "members": frozenset({"core", "orgs"}),
    "accounts": frozenset({"core", "orgs", "members"}),
    "stations": frozenset({"core", "orgs", "accounts"}),
    "appeals": frozenset({"core", "orgs", "members", "accounts", "stations"}),
    "grid": frozenset({"core", "orgs", "members", "accounts", "stations"}),
    "demo": frozenset(
        {"core", "orgs", "members", "accounts", "stations", "appeals", "grid"}
    ),  # fills them all; none uses it
}
# Apps every domain app builds on: any of their modules may be imported.
FOUNDATIONS = frozenset({"core", "orgs"})
# What a domain app may import from another domain app (never its models, views, api, forms or templates).
PUBLIC_ROOMS = frozenset({"services", "selectors", "access", "auth", "choices", "permissions"})
# Modules that only wire things up and may import anything.
UNCHECKED_APPS = frozenset({"demo"})

# Known arrows against the direction, each with the reason it is still here. Keep this list short: an entry is debt.
KNOWN_EXCEPTIONS: dict[tuple[str, str], str] = {}


@dataclass(frozen=True)
class Arrow:
    source: str  # file, relative to the repository
    line: int
    target: str  # the imported module


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(CHELUN.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _absolute(node: ast.ImportFrom, path: Path) -> str:
    """The module an ImportFrom names, with a relative import (`from . import x`) made absolute."""
    if node.level == 0:
        return node.module or ""
    package = _module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    base = package[: len(package) - node.level + 1]
    return ".".join([*base, node.module] if node.module else base)


def imports_in(path: Path) -> list[Arrow]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    source = str(path.relative_to(CHELUN.parent))
    arrows = []
    for node in ast.walk(tree):  # walk, not body: imports inside functions count the same
        if isinstance(node, ast.Import):
            arrows += [Arrow(source, node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            module = _absolute(node, path)
            # `from chelun.members import selectors` imports the room, not the package
            arrows += [Arrow(source, node.lineno, f"{module}.{alias.name}") for alias in node.names]
    return arrows


def checked_files() -> list[Path]:
    """Application code: tests (which build fixtures across apps) and migrations (history) are not checked."""
    return sorted(p for p in CHELUN.rglob("*.py") if not {"tests", "migrations"} & set(p.relative_to(CHELUN).parts))


def app_of(path: Path) -> str | None:
    parts = path.relative_to(CHELUN).parts
    return parts[0] if len(parts) > 1 else None


def violation(app: str, arrow: Arrow) -> str | None:
    """Why `arrow` (from a file of `app`) points the wrong way, or None."""
    target = arrow.target.split(".")
    if target[0] == "config":
        return "nothing in chelun imports config"
    if target[0] != "chelun" or len(target) < 2 or target[1] == app:
        return None
    other = target[1]
    if other not in ALLOWED:
        return None  # chelun.static and the like are not apps; an unlisted app fails test_every_app_has_its_line
    if other not in ALLOWED[app]:
        return f"{app} may not use {other}"
    if app in UNCHECKED_APPS or other in FOUNDATIONS:
        return None
    room = target[2] if len(target) > 2 else ""
    if room not in PUBLIC_ROOMS:
        return f"{app} may use {other} only through {sorted(PUBLIC_ROOMS)}, not {other}.{room}"
    return None


def test_every_app_has_its_line():
    packages = {p.parent.name for p in CHELUN.glob("*/__init__.py")}
    assert packages == set(ALLOWED)


def test_no_import_points_against_the_direction():
    found = []
    for path in checked_files():
        app = app_of(path)
        if app is None:
            continue
        for arrow in imports_in(path):
            why = violation(app, arrow)
            if why and (arrow.source, _module_of(arrow.target)) not in KNOWN_EXCEPTIONS:
                found.append(f"{arrow.source}:{arrow.line} imports {arrow.target}: {why}")
    assert found == []


def _module_of(target: str) -> str:
    """chelun.members.models.Person -> chelun.members.models (the first three parts name the room)."""
    return ".".join(target.split(".")[:3])


def test_the_known_exceptions_still_exist():
    # A fixed exception must leave the list, or it would silently allow the arrow back.
    present = {
        (arrow.source, _module_of(arrow.target))
        for path in checked_files()
        if app_of(path)
        for arrow in imports_in(path)
    }
    assert set(KNOWN_EXCEPTIONS) <= present


def test_no_model_relation_points_against_the_direction():
    """A ForeignKey names its model by string ("members.Person"), which no import shows."""
    found = []
    for model in apps.get_models():
        app = model._meta.app_label
        if app not in ALLOWED:
            continue
        for field in model._meta.get_fields():
            if not field.is_relation or field.auto_created or field.related_model is None:
                continue
            related = field.related_model._meta
            if related.label == settings.AUTH_USER_MODEL:
                continue  # the user model is swappable platform plumbing every app may point at
            other = related.app_label
            if other != app and other in ALLOWED and other not in ALLOWED[app]:
                found.append(f"{model._meta.label}.{field.name} -> {related.label}")
    assert found == []


@pytest.mark.parametrize(
    ("app", "target", "expected"),
    [
        ("core", "chelun.orgs.access.scope_paths", "core may not use orgs"),
        ("orgs", "chelun.members.models.Person", "orgs may not use members"),
        ("stations", "config.api.BearerToken", "nothing in chelun imports config"),
        ("stations", "chelun.accounts.models.User", "stations may use accounts only through"),
        ("stations", "chelun.accounts.auth.BearerToken", None),
        ("stations", "chelun.orgs.models.Organization", None),
        ("members", "chelun.core.pii.clean_phone", None),
        ("demo", "chelun.stations.models.Station", None),
        ("stations", "chelun.demo.seed", "stations may not use demo"),
    ],
)
def test_the_rule_itself(app, target, expected):
    why = violation(app, Arrow("x.py", 1, target))
    assert (why or "").startswith(expected or "") and (why is None) == (expected is None)


def test_a_function_level_and_a_relative_import_are_both_read(tmp_path, monkeypatch):
    package = tmp_path / "chelun" / "core"
    package.mkdir(parents=True)
    module = package / "late.py"
    module.write_text("def f():\n    from chelun.orgs import access\n\nfrom .. import members\n", encoding="utf-8")
    monkeypatch.setattr(f"{__name__}.CHELUN", tmp_path / "chelun")
    assert sorted(a.target for a in imports_in(module)) == ["chelun.members", "chelun.orgs.access"]
