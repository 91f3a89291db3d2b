"""Plans: the unsaved Station rows of the demo and what goes with them, built by the planning steps and then
inserted in bulk (see chelun.demo.stations.seed)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from chelun.stations.models import Station

if TYPE_CHECKING:
    from chelun.demo.stations.sites import SiteSpec

__all__ = ["FeedbackPlan", "Half", "Report"]


@dataclass
class Report:
    source: str
    is_open: bool | None
    free: int | None
    level: str
    at: dt.datetime


@dataclass
class FeedbackPlan:
    rating: int
    issues: list[str]
    text: str
    created_at: dt.datetime
    status: str
    reply: str = ""
    replied_at: dt.datetime | None = None
    escalated_at: dt.datetime | None = None


@dataclass
class Half:
    """One Station row to insert (unsaved until insert_stations), with its amenities, prices and history."""

    station: Station
    region_code: str
    site: SiteSpec | None
    primary: bool
    amenities: tuple[str, ...]
    prices: dict[str, tuple[int, str]]
    profile: tuple[float, float, float]  # day occupancy, night occupancy, noise
    twin: int | None = None
    stale_minutes: float = 0.0  # a STALE_HALVES half: how old its latest report stays (see chelun.demo.models)
    reports: list[Report] = field(default_factory=list)
    checkins: list[tuple[list[str], dt.datetime, str]] = field(default_factory=list)  # services, at, visitor key
    feedback: list[FeedbackPlan] = field(default_factory=list)
