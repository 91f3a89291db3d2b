"""Station search's per-process caches, as one component with one face.

The caches (each a chelun.core.process_cache base, each in its own module here):

- ``catalog.search_catalog``: every public station's snapshot and the spatial index (near me, along the route);
- ``history.status_history``: recent status reports as arrays, for forecasts at an ETA;
- ``cards.station_cards``: each station's static JSON, spliced into search responses;
- ``feed.feed_cache``: the open feed's body and ETag for the current minute;
- ``basemap.basemap_cache``: the map's offline base layer.

Everyone else says one of three things to all of them at once:

- ``warm()``: server start (config.warmup, for WSGI and ASGI alike) builds them before the first request;
- ``invalidate()``: a service changed stations or reported a status: each cache checks its version at its next use
  instead of waiting for the recheck interval (other processes notice within that interval);
- ``clear()``: forget everything (the test suite, before every test).

The modules are imported when a verb is called, not with the package: the selectors import the catalog and the
history from here, and the cards import the selectors.
"""

from __future__ import annotations

from chelun.core.process_cache import ProcessCache


def caches() -> list[ProcessCache]:
    """Every cache of the component, in warming order (the cards are written from the catalog)."""
    from chelun.stations.search.basemap import basemap_cache
    from chelun.stations.search.cards import station_cards
    from chelun.stations.search.catalog import search_catalog
    from chelun.stations.search.feed import feed_cache
    from chelun.stations.search.history import status_history

    return [search_catalog, status_history, station_cards, basemap_cache, feed_cache]


def warm() -> None:
    """Build every cache now (server start). Raises DatabaseError when the database cannot be read."""
    for cache in caches():
        cache.warm()


def invalidate() -> None:
    """This process changed station data: every cache checks again at its next use."""
    for cache in caches():
        cache.invalidate()


def clear() -> None:
    """Forget every cache (tests)."""
    for cache in caches():
        cache.clear()
