"""Live status: what a driver is told about a station right now, and whether it is open at a given moment.

Both read only a station's own fields (a Station row, or a SearchStation from the search catalog), never the database;
station_trust reads the reports that decide those fields.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils import timezone

from chelun.stations import trust
from chelun.stations.choices import SpaceLevel, StationStatus, StatusSource

if TYPE_CHECKING:
    from chelun.stations.models import Station
    from chelun.stations.search.catalog import SearchStation

    StationLike = Station | SearchStation

FRESH_MINUTES = 60


@dataclass(frozen=True)
class LiveStatus:
    """What a driver is told about a station right now. Data older than 60 minutes is never 'available'."""

    state: str  # available | limited | full | closed | unknown
    label: str
    free_spaces: int | None
    level: str
    source: str
    observed_at: dt.datetime | None
    age_minutes: int | None
    fresh: bool


def station_live_status(station: StationLike, *, now: dt.datetime | None = None) -> LiveStatus:
    now = now or timezone.now()
    observed = station.live_observed_at
    age = int((now - observed).total_seconds() // 60) if observed else None
    fresh = age is not None and 0 <= age <= FRESH_MINUTES
    source = station.get_live_source_display() if station.live_source else ""
    if station.status == StationStatus.SUSPENDED:
        return LiveStatus("closed", "暂停服务", None, "", source, observed, age, fresh)
    if not fresh:
        last = ""
        if observed is not None:
            known = (
                f"空余 {station.live_free_spaces} 个"
                if station.live_free_spaces is not None
                else station.get_live_level_display()
            )
            last = f"，最后已知：{known}（{timezone.localtime(observed):%m-%d %H:%M}）" if known else ""
        return LiveStatus("unknown", f"状态未知{last}", None, "", source, observed, age, False)
    if station.live_open is False:
        return LiveStatus("closed", "当前关闭", None, "", source, observed, age, True)
    level = station.live_level
    free = station.live_free_spaces
    if level == SpaceLevel.FULL or free == 0:
        return LiveStatus(
            "full", "车位已满", 0 if free is not None else None, SpaceLevel.FULL, source, observed, age, True
        )
    label = f"空余车位 {free} 个" if free is not None else dict(SpaceLevel.choices).get(level, "开放中")
    state = "limited" if level == SpaceLevel.SOME else "available"
    return LiveStatus(state, label, free, level, source, observed, age, True)


def station_is_open_at(station: StationLike, moment: dt.datetime) -> bool:
    """Posted hours (local time), status, and a fresh 'closed' report all count."""
    if station.status != StationStatus.OPEN:
        return False
    if (
        station.live_open is False
        and station.live_observed_at
        and moment - station.live_observed_at <= dt.timedelta(minutes=FRESH_MINUTES)
    ):
        return False
    if station.open_24h:
        return True
    if station.opens_at is None or station.closes_at is None:
        return False
    local = timezone.localtime(moment).time()
    if station.opens_at <= station.closes_at:
        return station.opens_at <= local < station.closes_at
    return local >= station.opens_at or local < station.closes_at  # open past midnight


# The trust rule's inputs: unlike the functions above, these read the station's reports (two small queries).


def station_trust(station_id: int, *, now: dt.datetime | None = None) -> trust.Verdict:
    """Whose word the station's headline takes now, and the drivers' line beside it (chelun.stations.trust)."""
    from chelun.stations.models import StatusReport

    now = now or timezone.now()
    reports = StatusReport.objects.filter(station_id=station_id, observed_at__lte=now)
    operator_row = (
        reports.exclude(source=StatusSource.DRIVER)
        .order_by("-observed_at", "-id")
        .values_list("level", "free_spaces", "observed_at")
        .first()
    )
    operator = trust.OperatorFigure(*operator_row) if operator_row else None
    window = now - dt.timedelta(minutes=trust.WINDOW_MINUTES)
    drivers = [
        trust.DriverReport(level, observed, key or (f"user:{user}" if user else ""), signed_in=user is not None)
        for level, observed, key, user in reports.filter(source=StatusSource.DRIVER, observed_at__gte=window)
        .order_by("observed_at", "id")
        .values_list("level", "observed_at", "visitor_key", "reporter_id")
    ]
    return trust.decide(operator, drivers, now, fresh_minutes=FRESH_MINUTES)
