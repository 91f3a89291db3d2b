"""Rate limits kept in Django's cache (Redis when REDIS_URL is set, so every worker shares the counts; LocMem per
process otherwise). A fixed window per key: the first hit of a window creates its counter with an atomic `add`, each
hit increments it with an atomic `incr`, and the counter expires with its window, so nothing needs cleaning up."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.cache import cache

from chelun.core.errors import ApplicationError


class RateLimited(ApplicationError):
    """Too many requests from one client in a window: 429 in the one error shape, with extra.retry_after_seconds."""

    status_code = 429


@dataclass(frozen=True)
class Limit:
    """At most `count` hits per key in `window_seconds`."""

    count: int
    window_seconds: int


def _cache_key(scope: str, key: str, window: int) -> str:
    # Keys hold addresses and device ids: hashed, so the cache never stores them in the clear.
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    return f"ratelimit:{scope}:{digest}:{window}"


def rate_limit(*, scope: str, keys: Iterable[tuple[str, Limit]], message: str, now: float | None = None) -> None:
    """Count one hit of `scope` for each (key, limit); raise RateLimited when any key is past its limit. Every key is
    counted even when an earlier one is refused, so a client hammering from one address with fresh device ids
    stays counted on both."""
    now = time.time() if now is None else now
    retry_after = 0
    for key, limit in keys:
        window = int(now // limit.window_seconds)
        cache_key = _cache_key(scope, key, window)
        cache.add(cache_key, 0, timeout=limit.window_seconds + 1)
        try:
            count = cache.incr(cache_key)
        except ValueError:  # expired between add and incr: this hit opens a new window
            cache.add(cache_key, 1, timeout=limit.window_seconds + 1)
            count = 1
        if count > limit.count:
            retry_after = max(retry_after, int((window + 1) * limit.window_seconds - now) + 1)
    if retry_after:
        raise RateLimited(message, "rate_limited", {"retry_after_seconds": retry_after})
