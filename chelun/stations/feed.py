"""The open station feed, GET /feed/stations.json: every public station's static profile and live state, in the
spirit of the TPIMS truck-parking data interface, for map apps and freight platforms. Documented in
docs/station-feed.md, with a JSON Schema in docs/station-feed.schema.json.

The body describes one minute (`generated_at` is that minute's start), so it stays byte-identical within the minute
unless a station reports; its SHA-256 is a strong ETag and clients revalidate with If-None-Match.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from chelun.stations import selectors
from chelun.stations.models import Station

FEED_SCHEMA = "chelun.stations.feed/1"
CACHE_CONTROL = "public, max-age=60"


def _iso(moment: dt.datetime | None) -> str | None:
    return timezone.localtime(moment).isoformat() if moment is not None else None


def _static(station: Station) -> dict[str, Any]:
    amenities = {a.amenity for a in station.amenities.all()}
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
    live = selectors.station_live_status(station, now=max(as_of, observed) if observed else as_of)
    return {
        "open": selectors.station_is_open_at(station, as_of),
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
    stations = sorted(selectors.station_public_list(now=as_of), key=lambda s: s.pk)
    trends = selectors.station_trends(stations=stations, now=now)
    return {
        "schema": FEED_SCHEMA,
        "generated_at": _iso(as_of),
        "fresh_minutes": selectors.FRESH_MINUTES,
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


def _none_match(header: str, etag: str) -> bool:
    """If-None-Match uses the weak comparison (RFC 9110 §13.1.2): W/"x" matches "x"; "*" matches anything."""
    if header.strip() == "*":
        return True
    tags = [tag.strip() for tag in header.split(",")]
    return any(tag.removeprefix("W/") == etag for tag in tags)


class _FeedCache:
    """The last feed body this process wrote, with its ETag. Map apps poll every minute or so: a request answers
    from here while the minute and the data are the same (two small aggregate queries say so), instead of
    writing every station again (~2 s and 3 MB at 2,400 stations)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last: tuple[tuple[Any, ...], bytes, str] | None = None

    def get(self, now: dt.datetime | None = None) -> tuple[bytes, str]:
        now = now or timezone.now()
        key = (now.replace(second=0, microsecond=0), *selectors.station_directory_version())
        with self._lock:
            if self._last is not None and self._last[0] == key:
                return self._last[1], self._last[2]
        body = station_feed_body(now=now)
        etag = etag_for(body)
        with self._lock:
            self._last = (key, body, etag)
        return body, etag

    def clear(self) -> None:
        with self._lock:
            self._last = None


feed_cache = _FeedCache()


@require_http_methods(["GET", "HEAD"])
def station_feed_view(request: HttpRequest) -> HttpResponse:
    """Public, no account: the whole feed, or 304 when the client already holds this version."""
    body, etag = feed_cache.get()
    response: HttpResponse
    if _none_match(request.headers.get("If-None-Match", ""), etag):
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["ETag"] = etag
    response["Cache-Control"] = CACHE_CONTROL
    response["Access-Control-Allow-Origin"] = "*"  # open data: map apps may read it from the browser
    return response
