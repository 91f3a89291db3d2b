"""What kind of work a signed-in user does, asked of the apps that know: the landing page and the main menu
(accounts.landing) need "does this user run a station?" without the accounts app importing the stations app.

An app registers a probe for a kind of work it owns from its AppConfig.ready (stations: "station_operator"); the
landing rule asks `does_work(user, kind)`. A kind nobody registered is work nobody does (False), so an app can be
left out of INSTALLED_APPS without breaking the menu. Pure Python: no Django, no domain app.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

STATION_OPERATOR = "station_operator"

_PROBES: dict[str, Callable[[Any], bool]] = {}


def register_work(kind: str, probe: Callable[[Any], bool]) -> None:
    """Register the probe that answers whether a user does `kind` of work. Registering the same probe again is a
    no-op (ready() may run twice in tests); a second, different probe for one kind is a mistake and refused."""
    existing = _PROBES.get(kind)
    if existing is not None and existing is not probe:
        raise ValueError(f"work {kind!r} is already answered by {existing!r}")
    _PROBES[kind] = probe


def does_work(user: Any, kind: str) -> bool:
    probe = _PROBES.get(kind)
    return bool(probe is not None and probe(user))
