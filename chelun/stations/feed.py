"""The open station feed, GET /feed/stations.json: every public station's static profile and live state, in the
spirit of the TPIMS truck-parking data interface, for map apps and freight platforms. Documented in
docs/station-feed.md, with a JSON Schema in docs/station-feed.schema.json.

The document and its per-process cache are chelun.stations.search.feed; this module answers HTTP: the body, or 304
when the client's If-None-Match holds the current strong ETag.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_http_methods

from chelun.stations.search.feed import FEED_SCHEMA, etag_for, feed_cache, station_feed, station_feed_body

__all__ = ["CACHE_CONTROL", "FEED_SCHEMA", "etag_for", "station_feed", "station_feed_body", "station_feed_view"]

CACHE_CONTROL = "public, max-age=60"


def _none_match(header: str, etags: tuple[str, ...]) -> bool:
    """If-None-Match uses the weak comparison (RFC 9110 §13.1.2): W/"x" matches "x"; "*" matches anything. Either
    representation's tag (plain or gzip) matches: they are the same data."""
    if header.strip() == "*":
        return True
    tags = [tag.strip() for tag in header.split(",")]
    return any(tag.removeprefix("W/") in etags for tag in tags)


def _accepts_gzip(header: str) -> bool:
    for part in header.split(","):
        coding, _, params = part.strip().partition(";")
        if coding.strip().lower() in ("gzip", "*"):
            return params.replace(" ", "").lower() not in ("q=0", "q=0.0", "q=0.00", "q=0.000")
    return False


@require_http_methods(["GET", "HEAD"])
def station_feed_view(request: HttpRequest) -> HttpResponse:
    """Public, no account: the whole feed (gzipped when the client accepts it), or 304 when the client already holds
    this version. The snapshot and its gzip are made at most once per refresh interval (search.feed.FeedCache)."""
    snapshot = feed_cache.snapshot()
    gzip_etag = snapshot.etag[:-1] + '-gzip"'
    zipped = _accepts_gzip(request.headers.get("Accept-Encoding", ""))
    response: HttpResponse
    if _none_match(request.headers.get("If-None-Match", ""), (snapshot.etag, gzip_etag)):
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(
            snapshot.gzipped if zipped else snapshot.body, content_type="application/json; charset=utf-8"
        )
        if zipped:
            response["Content-Encoding"] = "gzip"
    # Each representation has its own strong tag (RFC 9110 §8.8.3), and caches must key on Accept-Encoding.
    response["ETag"] = gzip_etag if zipped else snapshot.etag
    patch_vary_headers(response, ["Accept-Encoding"])
    response["Cache-Control"] = CACHE_CONTROL
    response["Access-Control-Allow-Origin"] = "*"  # open data: map apps may read it from the browser
    return response
