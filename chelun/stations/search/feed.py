"""The open station feed's document (GET /feed/stations.json, served by chelun.stations.feed) and its bytes
cached per process.

The body describes one minute (`generated_at` is that minute's start), so it stays byte-identical within the minute
unless a station reports; its SHA-256 is a strong ETag.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import json
import threading
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils import timezone

from chelun.core.process_cache import ProcessCache
from chelun.stations.models import Station
from chelun.stations.offers import offered_amenities
from chelun.stations.selectors.directory import station_directory_version, station_public_list
from chelun.stations.selectors.forecast import station_trends
from chelun.stations.selectors.live import FRESH_MINUTES, station_is_open_at, station_live_status

FEED_SCHEMA = "chelun.stations.feed/1"


def _iso(moment: dt.datetime | None) -> str | None:
    return timezone.localtime(moment).isoformat() if moment is not None else None


def _static(station: Station) -> dict[str, Any]:
    amenities = offered_amenities((a.amenity for a in station.amenities.all()), beds=station.beds)
    return {
        "id": station.pk,
        "name": station.name,
        "kind": station.kind,
        "station_class": station.station_class,
        "status": station.status,
        "location": {"lon": station.lon, "lat": station.lat, "crs": "WGS84"},
        "region_code": station.region.code,
        "address": station.address,
        "corridor": station.corridor_ref or None,
        "carriageway": station.carriageway or None,
        "bearing_deg": station.bearing_deg,
        "pair_id": station.pair_id,
        "capacity": station.truck_spaces,
        "beds": station.beds,
        "amenities": sorted(amenities),
        "hours": {
            "open_24h": station.open_24h,
            "opens_at": f"{station.opens_at:%H:%M}" if station.opens_at and not station.open_24h else None,
            "closes_at": f"{station.closes_at:%H:%M}" if station.closes_at and not station.open_24h else None,
            "timezone": "Asia/Shanghai",
        },
        "prices": [
            {
                "service": price.service,
                "price_fen": price.price_fen,
                "unit": price.unit,
                "free_by_standard": price.free_by_standard,
            }
            for price in sorted(station.prices.all(), key=lambda p: p.service)
        ],
        "security_grade": station.security_grade,
        "phone": station.contact_phone or None,
        "verified_at": _iso(station.verified_at),
    }


def _dynamic(station: Station, as_of: dt.datetime, trend: str | None) -> dict[str, Any]:
    # A report made during the snapshot's minute is 0 minutes old, never negative (and so never "not fresh").
    observed = station.live_observed_at
    live = station_live_status(station, now=max(as_of, observed) if observed else as_of)
    return {
        "open": station_is_open_at(station, as_of),
        "state": live.state,
        "reported_available": live.free_spaces,
        "level": live.level or None,
        "trend": trend if live.fresh and live.state != "closed" else None,
        "timestamp": _iso(observed),
        "age_minutes": live.age_minutes,
        "fresh": live.fresh,
        "source": station.live_source or None,
    }


def station_feed(*, now: dt.datetime | None = None) -> dict[str, Any]:
    """The feed document for the minute containing `now`."""
    now = now or timezone.now()
    as_of = now.replace(second=0, microsecond=0)
    stations = sorted(station_public_list(now=as_of), key=lambda s: s.pk)
    trends = station_trends(stations=stations, now=now)
    return {
        "schema": FEED_SCHEMA,
        "generated_at": _iso(as_of),
        "fresh_minutes": FRESH_MINUTES,
        "stations": [
            {"static": _static(station), "dynamic": _dynamic(station, as_of, trends.get(station.pk))}
            for station in stations
        ],
    }


def station_feed_body(*, now: dt.datetime | None = None) -> bytes:
    """The feed serialised the one way (sorted keys, no spaces, UTF-8), so equal data gives equal bytes."""
    document = station_feed(now=now)
    return json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def etag_for(body: bytes) -> str:
    return f'"{hashlib.sha256(body).hexdigest()}"'


@dataclass(frozen=True, slots=True)
class FeedSnapshot:
    """One written feed: its bytes, gzipped bytes and ETag, and what it was written from."""

    key: tuple[Any, ...]  # (minute, *directory version)
    built_at: dt.datetime
    body: bytes
    gzipped: bytes
    etag: str


def refresh_seconds() -> float:
    return float(settings.STATION_FEED_REFRESH_SECONDS)


class FeedCache(ProcessCache):
    """The last feed this process wrote (a snapshot), answered to every poll until it is STATION_FEED_REFRESH_SECONDS
    (default 5) old and then only if the data changed. Map apps poll every minute or so, and under one status write
    per second a feed rebuilt at every changed poll cost ~1.1 s and 3.3 MB each time at 2,400 stations: now it is
    written at most once per refresh interval per process, and polls inside the interval cost no query at all.

    A snapshot also ends with its minute (`generated_at`). While one request writes the next snapshot, concurrent
    polls are answered the previous one rather than writing it again. The gzipped body is made once per snapshot,
    so compressing 3.3 MB is not paid per request."""

    def _reset(self) -> None:
        self._last: FeedSnapshot | None = None
        self._building = threading.Lock()

    def warm(self) -> None:
        """Nothing: a body is good for one minute, spent before the first map app polls a new server."""

    def get(self, now: dt.datetime | None = None) -> tuple[bytes, str]:
        snapshot = self.snapshot(now)
        return snapshot.body, snapshot.etag

    def snapshot(self, now: dt.datetime | None = None) -> FeedSnapshot:
        now = now or timezone.now()
        minute = now.replace(second=0, microsecond=0)
        with self._lock:
            last, building = self._last, self._building
        if last is not None and last.key[0] == minute and now - last.built_at < dt.timedelta(seconds=refresh_seconds()):
            return last
        # Due: one request checks and writes; others meanwhile get the last snapshot if there is one.
        if not building.acquire(blocking=last is None):
            assert last is not None
            return last
        try:
            key = (minute, *station_directory_version())
            if last is not None and last.key == key:
                # Unchanged: keep the build time, so a change right after this check shows at the next poll.
                fresh = FeedSnapshot(key, last.built_at, last.body, last.gzipped, last.etag)
            else:
                body = station_feed_body(now=now)
                fresh = FeedSnapshot(key, now, body, gzip.compress(body, compresslevel=6, mtime=0), etag_for(body))
            with self._lock:
                if self._building is building:  # not cleared meanwhile
                    self._last = fresh
            return fresh
        finally:
            building.release()


feed_cache = FeedCache()
