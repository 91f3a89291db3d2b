"""The open station feed's document (GET /feed/stations.json, served by chelun.stations.feed) and its bytes
cached per process.

The body describes one minute (`generated_at` is that minute's start), so it stays byte-identical within the minute
unless a station reports; its SHA-256 is a strong ETag.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

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


class FeedCache(ProcessCache):
    """The last feed body this process wrote, with its ETag. Map apps poll every minute or so: a request answers
    from here while the minute and the data are the same (two small aggregate queries say so, at every request),
    instead of writing every station again (~2 s and 3 MB at 2,400 stations)."""

    def _reset(self) -> None:
        self._last: tuple[tuple[Any, ...], bytes, str] | None = None

    def warm(self) -> None:
        """Nothing: a body is good for one minute, spent before the first map app polls a new server."""

    def get(self, now: dt.datetime | None = None) -> tuple[bytes, str]:
        now = now or timezone.now()
        key = (now.replace(second=0, microsecond=0), *station_directory_version())
        with self._lock:
            if self._last is not None and self._last[0] == key:
                return self._last[1], self._last[2]
        body = station_feed_body(now=now)
        etag = etag_for(body)
        with self._lock:
            self._last = (key, body, etag)
        return body, etag


feed_cache = FeedCache()
