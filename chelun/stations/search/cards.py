"""Station cards: each public station's static JSON, written once per station version and spliced into every
search response, so a search writes only what changes per request (live status, distance or km ahead, ETA,
forecast). The plain path the cards replace (the response schemas over Station rows) is here too, as the reference
the tests hold them to and the baseline the server benchmark measures them against.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from ninja import Schema

from chelun.core.process_cache import ProcessCache
from chelun.core.schemas import Utf8JSONRenderer
from chelun.stations.forecast import Forecast
from chelun.stations.schemas import AlongRouteOut, ForecastOut, NearOut, StationOut
from chelun.stations.search.catalog import SearchStation, StationSnapshot, search_catalog
from chelun.stations.selectors.live import LiveStatus
from chelun.stations.selectors.search import SearchResult, station_rows

# The splice cuts the encoder's output at its separators, so they are stated here rather than left to json's
# defaults: the API's renderer settings, with its separators made explicit (json.dumps' own default, which the
# renderer uses while it names none). test_search holds this encoder's output equal to the renderer's.
JSON_PARAMS: dict[str, Any] = {"separators": (", ", ": "), **Utf8JSONRenderer.json_dumps_params}
ITEM_SEPARATOR, KEY_SEPARATOR = JSON_PARAMS["separators"]
# One instance: json.dumps(cls=...) would build an encoder per call. Datetimes are written by its `default`.
_ENCODER = Utf8JSONRenderer.encoder_class(**JSON_PARAMS)
dumps = _ENCODER.encode
_datetime = _ENCODER.default
# Only ever the start of an item: a string holding it is written with its quotes escaped.
_CARD = "{" + dumps("__card__") + KEY_SEPARATOR


class StationCards(ProcessCache):
    """Each public station's static JSON (StationOut without `live`, still open at the end), written by StationOut
    itself. Per process; a card renews when its station's updated_at moves (every service that changes a card's
    content saves the station), so invalidate() has nothing to do beyond the base's flag."""

    def _reset(self) -> None:
        self._cards: dict[int, tuple[dt.datetime, str]] = {}

    def warm(self) -> None:
        """Write every public station's card (at server start): the first searches need not."""
        snapshots = list(search_catalog.get().stations.values())
        for start in range(0, len(snapshots), 500):
            self.get(snapshots[start : start + 500])

    def get(self, stations: Sequence[SearchStation] | Sequence[StationSnapshot]) -> dict[int, str]:
        with self._lock:
            cards = {s.pk: card for s in stations if (card := self._cards.get(s.pk)) and card[0] == s.updated_at}
        missing = [s.pk for s in stations if s.pk not in cards]
        if missing:
            written = {}
            for pk, station in station_rows(missing).items():
                data = StationOut.from_orm(station).model_dump(exclude={"live"})
                written[pk] = (station.updated_at, dumps(data)[:-1])
            with self._lock:
                self._cards.update(written)
            cards.update(written)
        return {pk: card for pk, (_, card) in cards.items()}


station_cards = StationCards()


def _live_data(station: SearchStation, live: LiveStatus) -> dict[str, Any]:
    """LiveOut.of(...).model_dump(), without building the model (tests hold the two equal)."""
    return {
        "state": live.state,
        "label": live.label,
        "free_spaces": live.free_spaces,
        "level": live.level or None,
        "source": station.live_source or None,
        "source_label": live.source,
        "observed_at": _datetime(live.observed_at) if live.observed_at is not None else None,
        "age_minutes": live.age_minutes,
        "fresh": live.fresh,
    }


def _forecast_data(forecast: Forecast | None, at: str) -> dict[str, Any] | None:
    if forecast is None:
        return None
    return {
        "at": at,
        "expected_free_fraction": float(forecast.expected_free_fraction),
        "expected_free_spaces": int(forecast.expected_free_spaces),
        "confidence": float(forecast.confidence),
        "samples": int(forecast.samples),
    }


def _items_json(
    results: Sequence[SearchResult], extras: Callable[[SearchResult], dict[str, Any]], count: int | None = None
) -> str:
    """{"items": [...], "count": n}: the per-request fields of every item are written in one encoder call, each
    item led by a marker that is then replaced by its station's card."""
    cards = station_cards.get([r.station for r in results])
    items = [
        {"__card__": r.station.pk, "live": _live_data(r.station, r.live), **extras(r)}
        for r in results
        if r.station.pk in cards
    ]
    head, *rest = dumps({"items": items, "count": len(items) if count is None else count}).split(_CARD)
    parts = [head]
    for part in rest:
        pk, tail = part.split(ITEM_SEPARATOR, 1)
        parts += [cards[int(pk)], ITEM_SEPARATOR, tail]
    return "".join(parts)


def near_json(results: Sequence[SearchResult]) -> str:
    """The NearOut JSON for these results, as the schema would write it."""
    return _items_json(results, lambda r: {"distance_km": float(r.distance_km or 0.0)})


def along_route_json(
    results: Sequence[SearchResult], forecasts: dict[int, Forecast | None], *, count: int | None = None
) -> str:
    """The AlongRouteOut JSON for these results (each with its forecast at its ETA; `count` the matches on all
    pages), as the schema would write it."""

    def extras(r: SearchResult) -> dict[str, Any]:
        assert r.eta is not None and r.seconds_ahead is not None
        eta = _datetime(r.eta)
        return {
            "km_ahead": float(r.km_ahead or 0.0),
            "minutes_ahead": round(r.seconds_ahead / 60),
            "eta": eta,
            "detour_km": float(r.detour_km or 0.0),
            "detour_minutes": int(r.detour_minutes or 0),
            "forecast": _forecast_data(forecasts.get(r.station.pk), eta),
        }

    return _items_json(results, extras, count)


# ---------------------------------------------------------------- the plain path: the response schemas over rows


def _plain_json(
    schema: type[Schema],
    results: Sequence[SearchResult],
    forecasts: dict[int, Forecast | None] | None = None,
    count: int | None = None,
) -> str:
    """What ninja writes for these results through the response schema, from Station rows read for this request."""
    rows = station_rows([r.station.pk for r in results])
    items = []
    for result in results:
        if result.station.pk not in rows:
            continue
        station: Any = rows[result.station.pk]  # with the attributes the item schemas read
        station.live_now = result.live
        station.search = result
        if result.eta is not None:
            station.forecast_out = ForecastOut.of((forecasts or {}).get(station.pk), result.eta)
        items.append(station)
    data = schema.from_orm({"items": items, "count": len(items) if count is None else count}).model_dump()
    return str(Utf8JSONRenderer().render(None, data, response_status=200))  # type: ignore[arg-type]


def near_json_plain(results: Sequence[SearchResult]) -> str:
    """near_json without the cards (the baseline)."""
    return _plain_json(NearOut, results)


def along_route_json_plain(
    results: Sequence[SearchResult], forecasts: dict[int, Forecast | None], *, count: int | None = None
) -> str:
    """along_route_json without the cards (the baseline)."""
    return _plain_json(AlongRouteOut, results, forecasts, count)
