"""The open station feed, GET /feed/stations.json: every public station's static profile and live state, in the
spirit of the TPIMS truck-parking data interface, for map apps and freight platforms. Documented in
docs/station-feed.md, with a JSON Schema in docs/station-feed.schema.json.

The document and its per-process cache are chelun.stations.search.feed; this module answers HTTP: the body, or 304
when the client's If-None-Match holds the current strong ETag.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.views.decorators.http import require_http_methods

from chelun.stations.search.feed import FEED_SCHEMA, etag_for, feed_cache, station_feed, station_feed_body

__all__ = ["CACHE_CONTROL", "FEED_SCHEMA", "etag_for", "station_feed", "station_feed_body", "station_feed_view"]

CACHE_CONTROL = "public, max-age=60"


def _none_match(header: str, etag: str) -> bool:
    """If-None-Match uses the weak comparison (RFC 9110 §13.1.2): W/"x" matches "x"; "*" matches anything."""
    if header.strip() == "*":
        return True
    tags = [tag.strip() for tag in header.split(",")]
    return any(tag.removeprefix("W/") == etag for tag in tags)


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
