"""Random draws the demo modules share. Pure: each takes the caller's random.Random, so a seed fixes the result."""

from __future__ import annotations

import datetime as dt
import random
from bisect import bisect
from collections.abc import Sequence
from typing import TypeVar

__all__ = ["date_between", "date_peaked", "noisy", "pick", "weighted_sample"]

T = TypeVar("T")


def date_between(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    """A uniform date in [start, end] (start when the range is empty)."""
    if end <= start:
        return start
    return start + dt.timedelta(days=rng.randrange((end - start).days + 1))


def date_peaked(rng: random.Random, first: dt.date, last: dt.date, mode: float = 0.5) -> dt.date:
    """A date in [first, last], triangular with its peak at `mode` (0..1) of the way."""
    return first + dt.timedelta(days=round((last - first).days * rng.triangular(0.0, 1.0, mode)))


def pick(rng: random.Random, values: Sequence[T], cum_weights: Sequence[float]) -> T:
    """rng.choices(values, cum_weights=...)[0] without the list it builds: this runs millions of times."""
    return values[bisect(cum_weights, rng.random() * cum_weights[-1])]


def weighted_sample(rng: random.Random, items: Sequence[T], weights: Sequence[float], k: int) -> list[T]:
    """k distinct items, each draw proportional to weight among those not yet drawn."""
    pool = list(zip(items, weights, strict=True))
    chosen: list[T] = []
    for _ in range(min(k, len(pool))):
        roll = rng.random() * sum(w for _, w in pool)
        for i, (item, weight) in enumerate(pool):
            roll -= weight
            if roll < 0 or i == len(pool) - 1:
                chosen.append(item)
                del pool[i]
                break
    return chosen


def noisy(rng: random.Random, weights: Sequence[float], sigma: float = 0.3) -> list[float]:
    """Weights times a log-normal factor, so a spread looks organic rather than exactly proportional."""
    return [w * rng.lognormvariate(0.0, sigma) for w in weights]
