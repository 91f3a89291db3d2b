"""What a server process does once before it takes requests (called from config.wsgi and config.asgi alike).

Fills the per-process caches the first searches would otherwise pay for (chelun.stations.search.warm(): the station
catalog and its spatial index, the status history behind forecasts, every station's card, the map's base layer),
then freezes the heap for the garbage collector: the long-lived objects (Django's machinery, the caches) move out of
the generations the collector walks, so a full collection during a request looks only at that request's objects.
Under a pre-forking server (gunicorn --preload) the frozen pages also stay shared between workers.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import threading
import time

from django.db import DatabaseError, connections
from django.urls import get_resolver

logger = logging.getLogger(__name__)


def warm_up() -> None:
    from chelun.stations import search
    from chelun.stations.search.catalog import search_catalog

    started = time.perf_counter()
    get_resolver().url_patterns  # imports the URLconf, hence the API and its schemas  # noqa: B018
    try:
        search.warm()
    except DatabaseError:  # not migrated yet, or the database is down: the first requests fill the caches instead
        logger.warning("warm-up skipped: the database cannot be read", exc_info=True)
    else:
        stations = len(search_catalog.get().stations)
        logger.info("warm-up: %d stations cached in %.1f s", stations, time.perf_counter() - started)
    finally:
        connections.close_all()  # a forked worker must not share the parent's connection
    gc.freeze()


def warm_up_if_enabled() -> None:
    """warm_up() unless CHELUN_WARM_UP=0 (scripts, management commands that import the application).

    An ASGI server may import the application inside its running event loop (uvicorn does), where Django refuses
    database calls on the loop's thread: then the warm-up runs on a thread of its own, waited for, since nothing is
    served until the import returns."""
    if os.environ.get("CHELUN_WARM_UP", "1") != "1":
        return
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        warm_up()
        return
    thread = threading.Thread(target=warm_up, name="chelun-warm-up")
    thread.start()
    thread.join()
