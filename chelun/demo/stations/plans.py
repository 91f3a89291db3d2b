"""Plans: the unsaved Station rows of the demo and what goes with them, built by the planning steps and then
inserted in bulk (see chelun.demo.stations.seed)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from chelun.stations.choices import StationClass, StationKind
from chelun.stations.models import Station

__all__ = ["FeedbackPlan", "Half", "Report", "SiteSpec"]


@dataclass(frozen=True)
class SiteSpec:
    """One named site. `offset_km` is measured from the `anchor` town along the line, in the line's order."""

    key: str
    name: str
    road: str
    anchor: str
    offset_km: float
    kind: str = StationKind.EXPRESSWAY
    station_class: str = StationClass.B
    spaces: int = 40
    twin_spaces: int = 30
    beds: int = 0
    hours: tuple[dt.time, dt.time] | None = None  # None: open 24 h
    toward: tuple[str, str] = ("", "")  # 往X方向 for the half following the line's order, then the other one
    security: str = "CL"  # C cctv, G guards, L lighting, F fence
    meal_fen: int = 1200
    bed_fen: int = 0
    linked: bool = False
    # Share of spaces taken at night; None draws one. 石棉 keeps room, so the browser scenario does not meet "full".
    night_occupancy: float | None = None


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
