"""The words the driver pages put on live status, times and search results: wording only, every rule is in the
selectors (freshness, forecasts) and on the model (opening hours: Station.hours_label)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils import timezone

from chelun.stations.choices import FREE_BY_STANDARD, Amenity, FeedbackIssue
from chelun.stations.models import Station
from chelun.stations.selectors import LiveStatus, StationResult


def age_text(minutes: int | None) -> str:
    if minutes is None:
        return ""
    if minutes < 1:
        return "刚刚"
    if minutes < 60:
        return f"{minutes} 分钟前"
    if minutes < 24 * 60:
        return f"{minutes // 60} 小时前"
    return f"{minutes // (24 * 60)} 天前"


def status_text(live: LiveStatus) -> str:
    """ "空余车位 12 个 · 8 分钟前 · 站长": the state, its age and its source, always together."""
    if live.observed_at is None:
        return f"{live.label} · 暂无上报" if live.state != "closed" else live.label
    parts = [live.label, age_text(live.age_minutes)]
    if live.source:
        parts.append(live.source)
    return " · ".join(p for p in parts if p)


def duration_text(seconds: float | None) -> str:
    if seconds is None:
        return ""
    minutes = round(seconds / 60)
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest} 分钟"
    return f"{hours} 小时 {rest} 分" if rest else f"{hours} 小时"


def clock_text(moment: dt.datetime | None, now: dt.datetime) -> str:
    if moment is None:
        return ""
    local, today = timezone.localtime(moment), timezone.localtime(now).date()
    if local.date() == today:
        return f"{local:%H:%M}"
    if local.date() == today + dt.timedelta(days=1):
        return f"明天 {local:%H:%M}"
    return f"{local:%m-%d %H:%M}"


def issue_words(issues: Iterable[str]) -> list[str]:
    """A feedback's issue codes as their labels (an unknown code as itself)."""
    labels = dict(FeedbackIssue.choices)
    return [labels.get(code, code) for code in issues]


def amenity_short(codes: Iterable[str]) -> str:
    labels = dict(Amenity.choices)
    return "、".join(labels[c] for c in codes if c in labels)


@dataclass
class Row:
    """One station in a driver's list: the search result and its words."""

    result: StationResult
    status: str
    free_services: list[str]

    @property
    def station(self) -> Station:
        return self.result.station

    @property
    def live(self) -> LiveStatus:
        return self.result.live


def station_rows(results: list[StationResult]) -> list[Row]:
    rows = []
    for result in results:
        free = [Amenity(c).label for c in result.amenities if c in FREE_BY_STANDARD]
        rows.append(Row(result, status_text(result.live), free))
    return rows


def say_text(row: Row, now: dt.datetime) -> str:
    """The voice readout: "前方38公里，金堂服务区暖心之家，空余货车位12个，可洗澡洗衣"."""
    parts = []
    if row.result.km_ahead is not None:
        parts.append(f"前方{round(row.result.km_ahead)}公里")
    elif row.result.distance_km is not None:
        parts.append(f"距离{round(row.result.distance_km)}公里")
    parts.append(row.station.name)
    live = row.live
    if live.state == "unknown":
        parts.append("车位情况未知")
    elif live.free_spaces is not None:
        parts.append(f"空余货车位{live.free_spaces}个，{age_text(live.age_minutes)}{live.source}上报")
    else:
        parts.append(live.label)
    codes = set(row.result.amenities)
    can = [
        word
        for code, word in ((Amenity.SHOWER, "洗澡"), (Amenity.LAUNDRY, "洗衣"), (Amenity.BEDS, "住宿"))
        if code in codes
    ]
    if can:
        parts.append("可" + "".join(can))
    return "，".join(parts)
