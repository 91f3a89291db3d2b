"""Files the driver pages load: the shipped Sichuan base map and the service worker that keeps them usable
offline."""

from __future__ import annotations

import hashlib

from django.http import HttpResponse, HttpResponseNotModified
from django.shortcuts import render
from django.templatetags.static import static
from django.views.decorators.http import require_GET

from chelun.core.views import HtmxHttpRequest
from chelun.stations.search.basemap import basemap_cache

BASEMAP_MAX_AGE = 7 * 24 * 3600


@require_GET
def basemap(request: HtmxHttpRequest) -> HttpResponse:
    """The shipped Sichuan base layer (prefectures + province outline) as one GeoJSON FeatureCollection: the map
    works with no tile server and no internet. Cached by browsers for a week and revalidated by ETag."""
    payload, etag = basemap_cache.get()  # per process: chelun.stations.search.basemap
    if etag in [tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")]:
        response: HttpResponse = HttpResponseNotModified()
    else:
        response = HttpResponse(payload, content_type="application/geo+json; charset=utf-8")
    response["ETag"] = etag
    response["Cache-Control"] = f"public, max-age={BASEMAP_MAX_AGE}"
    return response


@require_GET
def service_worker(request: HtmxHttpRequest) -> HttpResponse:
    """The driver pages' service worker (scope /stations/): pages network-first with the last copy offline, static
    files and the base map cache-first. Its cache name follows the static files' version, so a deploy refreshes it."""
    version = hashlib.sha256(static("js/stations-map.js").encode() + static("css/app.css").encode()).hexdigest()[:12]
    response = render(request, "stations/sw.js", {"version": version}, content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    return response
