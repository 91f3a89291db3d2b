"""What a server process does once before it takes requests (called from config.wsgi).

Fills the per-process caches the first searches would otherwise pay for (the station catalog and its spatial index,
the status history behind forecasts, every station's card), then freezes the heap for the garbage collector: the
long-lived objects (Django's machinery, the caches) move out of the generations the collector walks, so a full
collection during a request looks only at that request's objects. Under a pre-forking server (gunicorn --preload)
the frozen pages also stay shared between workers.
"""

from __future__ import annotations

import gc
import logging
import time

from django.db import DatabaseError, connections
from django.urls import get_resolver

logger = logging.getLogger(__name__)


def warm_up() -> None:
    from chelun.stations.schemas import station_cards
    from chelun.stations.selectors import search_catalog, status_history

    started = time.perf_counter()
    get_resolver().url_patterns  # imports the URLconf, hence the API and its schemas  # noqa: B018
    try:
        stations = len(search_catalog.get().stations)
        status_history.load()
        station_cards.warm()
    except DatabaseError:  # not migrated yet, or the database is down: the first requests fill the caches instead
        logger.warning("warm-up skipped: the database cannot be read", exc_info=True)
    else:
        logger.info("warm-up: %d stations cached in %.1f s", stations, time.perf_counter() - started)
    finally:
        connections.close_all()  # a forked worker must not share the parent's connection
    gc.freeze()
