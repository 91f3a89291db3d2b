"""Benchmark: 暖心之家 along-route and near-me search through the HTTP API, fast engine vs baseline.

Run from the repo root:  .venv/bin/python bench/stations_search_server.py [--quick] [--profile]

Server-side figures: the whole request, in-process through django.test.Client (middleware, request validation,
polyline decoding and route checks, the station index, the engine, station rows, forecasts, serialisation), no
network. The script sets Django up itself (DEBUG=1, config.settings, CHELUN_VAR_DIR = a fresh temp dir, any
DATABASE_URL ignored). A child process migrates the scratch SQLite database and seeds the demo organisations at small
scale and the stations at full scale (~2,400; --quick: small), so the timing process starts like a fresh server.
Then it times POST /api/v1/stations/along-route with a ~1,500 km G5 route (西安–成都–昆明, ~5,000 vertices, sent as
an encoded polyline, the driver's position varied per query; the first page of results, 50 as the API gives by
default, with the count of all matches) and GET /api/v1/stations/near at random points in
Sichuan. The baseline is the same requests with the selectors' routing.along_route / nearby swapped for
along_route_baseline / nearby_baseline; the "plain schemas" baseline is the same requests with the responses written
by the response schemas over Station rows (chelun.stations.search.cards.*_plain) instead of spliced from the cached
station cards, so the cards' worth is measured. All JSON responses must be identical.

Timing as a production server would run: config.warmup first (as config.wsgi does: caches filled, heap frozen for
the garbage collector), DEBUG off (no query log), close_old_connections() after each request as
the WSGI handler does at request_finished (the test client skips it; with CONN_MAX_AGE=0 every request opens a new
connection), and the clock frozen at the seed's ``now`` so ETAs and live-status ages, hence the responses, can be
compared. Latencies are per-request medians over rounds
through the whole list (as in stations_search.py); the number of rounds adapts to a time budget, so a slow path gets
fewer. --profile adds a per-stage breakdown and a cProfile of the fast requests. Prints a table, then one JSON line.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import functools
import io
import itertools
import json
import math
import os
import pstats
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any
from unittest import mock

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from stations_search import G5_NORTH, G5_SOUTH, KM_PER_DEG, cumulative_km, pct

SEED = 20260126
VERTEX_SPACING_KM = 0.3
API = "/api/v1/stations"
SICHUAN_BBOX = (97.3, 26.0, 108.6, 34.4)  # lon0, lat0, lon1, lat1


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------- Django and the scratch database


def configure(var_dir: Path) -> None:
    """config.settings with DEBUG on (dev keys, demo data allowed); everything under `var_dir`, no outside service."""
    os.environ["DEBUG"] = "1"
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ["CHELUN_VAR_DIR"] = str(var_dir)
    for name in ("DATABASE_URL", "MEDIA_ROOT", "REDIS_URL", "SECRET_KEY", "ALLOWED_HOSTS"):
        os.environ.pop(name, None)
    os.environ["LOG_LEVEL"] = "WARNING"
    # The searches run over the demo's synthetic stations, which product reads leave out unless this one setting
    # shows them (chelun.stations.access.shows_synthetic).
    os.environ["STATIONS_SHOW_SYNTHETIC"] = "1"
    (var_dir / "staticfiles").mkdir(exist_ok=True)  # WhiteNoise warns about a missing STATIC_ROOT
    import django

    django.setup()
    from django.conf import settings

    database = Path(settings.DATABASES["default"]["NAME"]).resolve()
    if not database.is_relative_to(var_dir.resolve()):
        raise SystemExit(f"refusing to run against {database}")


def seed_database(var_dir: Path, quick: bool) -> None:
    """(child process) Migrate, seed organisations and people (small), then stations (full; quick: small).
    Prints the seed's `now` (ISO) as the last line."""
    configure(var_dir)
    import random

    from django.core.management import call_command
    from django.utils import timezone

    from chelun.demo.seed import DEFAULT_SEED, SCALES, seed_demo
    from chelun.demo.stations import seed_stations

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    seed_demo(counts=SCALES["small"], seed=DEFAULT_SEED)
    log(f"migrated, organisations and people (small) seeded in {time.perf_counter() - started:.1f} s")
    now = timezone.now()
    started = time.perf_counter()
    scale = "small" if quick else "full"
    seed_stations(rng=random.Random(f"{DEFAULT_SEED}:stations"), scale=scale, now=now, demo_passwords=False)
    log(f"stations ({scale}) seeded in {time.perf_counter() - started:.1f} s")
    print(now.isoformat())


# ---------------------------------------------------------------- route and points


def _unit(lon: float, lat: float) -> np.ndarray:
    lo, la = math.radians(lon), math.radians(lat)
    return np.array([math.cos(la) * math.cos(lo), math.cos(la) * math.sin(lo), math.sin(la)])


def densify_great_circle(towns: list[tuple[float, float]], rng: np.random.Generator) -> np.ndarray:
    """Town-to-town great-circle legs every ~300 m, as the demo's schematic corridor lines run (the seeded service
    areas stand 40 m beside them; stations_search.py's kilometre-scale meander would leave them out of the 300 m
    corridor), bent by a gentle meander of a few tens of metres that is zero at the towns."""
    pieces = []
    for (lon0, lat0), (lon1, lat1) in itertools.pairwise(towns):
        a, b = _unit(lon0, lat0), _unit(lon1, lat1)
        omega = math.acos(min(1.0, float(a @ b)))
        length = math.degrees(omega) * KM_PER_DEG
        n = max(2, math.ceil(length / VERTEX_SPACING_KM))
        u = np.arange(n) / n
        v = (np.sin((1 - u) * omega)[:, None] * a + np.sin(u * omega)[:, None] * b) / math.sin(omega)
        lon = np.degrees(np.arctan2(v[:, 1], v[:, 0]))
        lat = np.degrees(np.arcsin(np.clip(v[:, 2], -1, 1)))
        s = u * length
        bend = rng.uniform(0.01, 0.05) * np.sin(2 * np.pi * s / rng.uniform(15, 40) + rng.uniform(0, 6.3))
        bend += rng.uniform(0.003, 0.01) * np.sin(2 * np.pi * s / rng.uniform(3, 8) + rng.uniform(0, 6.3))
        side = bend * np.sin(np.pi * u)  # km to the right of the leg
        kx = KM_PER_DEG * math.cos(math.radians((lat0 + lat1) / 2))
        ex, ny = (lon1 - lon0) * kx, (lat1 - lat0) * KM_PER_DEG
        norm = math.hypot(ex, ny)
        pieces.append(np.column_stack([lon + side * (ny / norm) / kx, lat - side * (ex / norm) / KM_PER_DEG]))
    pieces.append(np.array([towns[-1]]))
    return np.concatenate(pieces)


def g5_route(quick: bool, rng: np.random.Generator) -> np.ndarray:
    """The driver's route: G5 西安–成都–昆明 (quick: 成都–西昌), with ±10 m of 'routing API' noise."""
    from chelun.stations.corridors import corridors

    sichuan = corridors()["G5"].towns
    towns = [(t.lon, t.lat) for t in sichuan]
    if quick:
        codes = [t.code for t in sichuan]
        towns = towns[codes.index("510100") : codes.index("513401") + 1]
    else:
        towns = [*G5_NORTH, *towns, *G5_SOUTH]
    line = densify_great_circle(towns, rng)
    return line + rng.normal(0, 10 / 1000 / KM_PER_DEG, line.shape)


def sichuan_points(n: int, rng: np.random.Generator) -> list[tuple[float, float]]:
    """Half near a county town (±~10 km), half uniform over the province; all inside Sichuan's outline."""
    from django.conf import settings
    from shapely.geometry import Point, shape
    from shapely.prepared import prep

    from chelun.demo.geography import load_divisions

    outline = json.loads((settings.SHARED_DATA_DIR / "sichuan_outline.geojson").read_text(encoding="utf-8"))
    province = prep(shape(outline["features"][0]["geometry"]))
    counties = load_divisions(settings.SHARED_DATA_DIR / "expressways.json").counties
    points: list[tuple[float, float]] = []
    while len(points) < n:
        if len(points) % 2 == 0:
            town = counties[int(rng.integers(len(counties)))]
            lon, lat = town.lon + rng.normal(0, 0.1), town.lat + rng.normal(0, 0.1)
        else:
            lon, lat = rng.uniform(SICHUAN_BBOX[0], SICHUAN_BBOX[2]), rng.uniform(SICHUAN_BBOX[1], SICHUAN_BBOX[3])
        if province.contains(Point(lon, lat)):
            points.append((round(float(lon), 6), round(float(lat), 6)))
    return points


# ---------------------------------------------------------------- requests


ERRORS: dict[int, str] = {}  # status -> the first failure's exception or body, for the report


def clients() -> tuple[Callable[[str], tuple[int, bytes]], Callable[[dict[str, Any]], tuple[int, bytes]]]:
    """POST along-route and GET near through the test client, answering (status, body). A failure is recorded, not
    raised, so one bad request does not end the run."""
    import logging

    from django.db import close_old_connections
    from django.test import Client

    logging.getLogger("django.request").setLevel(logging.CRITICAL)  # failures are counted and reported instead
    client = Client(HTTP_HOST="localhost", raise_request_exception=False)

    def answer(response: Any) -> tuple[int, bytes]:
        close_old_connections()  # what the WSGI handler does at request_finished (closes it if CONN_MAX_AGE=0)
        if response.status_code != 200 and response.status_code not in ERRORS:
            exc = getattr(response, "exc_info", None)
            ERRORS[response.status_code] = repr(exc[1]) if exc else response.content[:300].decode(errors="replace")
        return response.status_code, response.content

    def along(body: str) -> tuple[int, bytes]:
        return answer(client.post(f"{API}/along-route", body, content_type="application/json"))

    def near(params: dict[str, Any]) -> tuple[int, bytes]:
        return answer(client.get(f"{API}/near", params))

    return along, near


@contextmanager
def baseline_engine() -> Iterator[None]:
    """The names the selectors call, routing.along_route / nearby, swapped for the baselines."""
    from chelun.stations import routing, routing_baselines

    with (
        mock.patch.object(routing, "along_route", routing_baselines.along_route_baseline),
        mock.patch.object(routing, "nearby", routing_baselines.nearby_baseline),
    ):
        yield


@contextmanager
def strtree_engine() -> Iterator[None]:
    """routing.along_route swapped for the shapely STRtree baseline (chelun.stations.routing_strtree)."""
    from chelun.stations import routing
    from chelun.stations.routing_strtree import along_route_strtree

    with mock.patch.object(routing, "along_route", along_route_strtree):
        yield


def feed_under_writes(now: dt.datetime, seconds: float, snapshot: bool) -> dict[str, Any]:
    """GET /feed/stations.json about every 100 ms while one station status is written every second, for `seconds`
    on a clock that moves (now + elapsed). snapshot=True: as shipped (STATION_FEED_REFRESH_SECONDS 5, gzip accepted,
    every other poll conditional on the last ETag, as map apps poll); False: the baseline, the feed rewritten whenever
    the data changed (refresh 0), identity encoding, unconditional polls. Writes are not in the poll latencies."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import close_old_connections
    from django.test import Client
    from django.utils import timezone

    from chelun.stations import services
    from chelun.stations.access import station_public_q
    from chelun.stations.choices import StationStatus
    from chelun.stations.models import Station
    from chelun.stations.search import feed as feed_module

    actor, _ = get_user_model().objects.get_or_create(username="bench-root", defaults={"is_superuser": True})
    writable = list(Station.objects.filter(station_public_q(), status=StationStatus.OPEN).order_by("id")[:50])
    client = Client(HTTP_HOST="localhost")
    builds = [0]
    real_body = feed_module.station_feed_body

    def counted(**kwargs: Any) -> bytes:
        builds[0] += 1
        return real_body(**kwargs)

    rng = np.random.default_rng(SEED)
    latencies: list[float] = []
    sizes: list[int] = []
    statuses: dict[int, int] = defaultdict(int)
    writes = 0
    started = time.perf_counter()
    refresh = settings.STATION_FEED_REFRESH_SECONDS if snapshot else 0.0
    with (
        mock.patch.object(timezone, "now", lambda: now + dt.timedelta(seconds=time.perf_counter() - started)),
        mock.patch.object(settings, "STATION_FEED_REFRESH_SECONDS", refresh),
        mock.patch.object(feed_module, "station_feed_body", counted),
    ):
        feed_module.feed_cache.clear()
        etag = ""
        next_poll = 0.0
        while (elapsed := time.perf_counter() - started) < seconds:
            if elapsed >= writes:  # one write per second
                station = writable[writes % len(writable)]
                services.station_status_set(
                    actor=actor, station=station, is_open=True, free_spaces=int(rng.integers(station.truck_spaces + 1))
                )
                close_old_connections()
                writes += 1
            if elapsed < next_poll:
                time.sleep(min(next_poll - elapsed, 0.01))
                continue
            next_poll = elapsed + 0.1
            headers: dict[str, str] = {}
            if snapshot:
                headers["HTTP_ACCEPT_ENCODING"] = "gzip"
                if etag and len(latencies) % 2:
                    headers["HTTP_IF_NONE_MATCH"] = etag
            begin = time.perf_counter()
            response = client.get("/feed/stations.json", **headers)  # type: ignore[arg-type]
            close_old_connections()
            latencies.append((time.perf_counter() - begin) * 1000.0)
            statuses[response.status_code] += 1
            sizes.append(len(response.content))
            etag = response.get("ETag", etag)
    return {
        "polls": len(latencies),
        "writes": writes,
        "builds": builds[0],
        "p50_ms": pct(latencies, 50),
        "p95_ms": pct(latencies, 95),
        "mean_kb": statistics.mean(sizes) / 1024,
        "not_modified": statuses.get(304, 0),
        "ok": all(code in (200, 304) for code in statuses),
    }


@contextmanager
def plain_schemas() -> Iterator[None]:
    """The responses written by the response schemas over Station rows read per request (AlongRouteOut / NearOut,
    as ninja would), instead of splicing the cached station cards: what the cards are worth."""
    from chelun.stations import api
    from chelun.stations.search import cards

    with (
        mock.patch.object(api, "along_route_json", cards.along_route_json_plain),
        mock.patch.object(api, "near_json", cards.near_json_plain),
    ):
        yield


def timed_for(
    calls: Sequence[Callable[[], Any]], budget_s: float, least: int, most: int
) -> tuple[list[float], list[Any], int]:
    """stations_search.timed with as many rounds as fit `budget_s` (a round starts only if it should end within the
    budget, judged by the rounds so far), at least `least` and at most `most`. Returns (medians, results, rounds)."""
    times: list[list[float]] = [[] for _ in calls]
    results: list[Any] = [None] * len(calls)
    started = time.perf_counter()
    rounds = 0
    while rounds < most:
        elapsed = time.perf_counter() - started
        if rounds >= least and elapsed + elapsed / rounds > budget_s:
            break
        for i, call in enumerate(calls):
            begin = time.perf_counter()
            results[i] = call()
            times[i].append((time.perf_counter() - begin) * 1000.0)
        rounds += 1
    return [statistics.median(t) for t in times], results, rounds


def sql_count(call: Callable[[], Any]) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        call()
    return len(captured.captured_queries)


# ---------------------------------------------------------------- --profile


@contextmanager
def stage_timers(acc: dict[str, list[float]]) -> Iterator[None]:
    """Wall time of the request's stages, per call: wrappers on the functions the view and selectors call."""
    from django.db import connections

    from chelun.stations import api, routing
    from chelun.stations.search import cards, catalog
    from chelun.stations.selectors import search

    def wrapped(label: str, function: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(function)
        def timer(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                acc[label].append((time.perf_counter() - started) * 1000)

        return timer

    targets = [
        (api, "decode_polyline_array", "decode polyline (api)"),
        (search, "build_route", "build_route: validate + Route.build"),
        (search, "route_is_self_intersecting", "  of which self-intersection"),
        (routing.Route, "build", "  of which Route.build"),
        (catalog.search_catalog, "get", "search_catalog.get (freshness check)"),
        (connections["default"], "connect", "  of which opening the DB connection"),
        (routing, "along_route", "engine: along_route"),
        (routing, "nearby", "engine: nearby"),
        (catalog.SearchCatalog, "read_live", "read_live: status + live fields"),
        (api.selectors, "station_forecasts", "station_forecasts"),
        (api, "along_route_json", "response JSON (along-route)"),
        (api, "near_json", "response JSON (near)"),
        (cards.station_cards, "get", "  of which station cards"),
    ]
    with ExitStack() as stack:
        for owner, name, label in targets:
            acc[label] = []  # report in this order
            stack.enter_context(mock.patch.object(owner, name, wrapped(label, getattr(owner, name))))
        yield


def profile_report(name: str, calls: Sequence[Callable[[], Any]], rounds: int) -> None:
    acc: dict[str, list[float]] = defaultdict(list)
    totals = []
    with stage_timers(acc):
        for _ in range(rounds):
            for call in calls:
                started = time.perf_counter()
                call()
                totals.append((time.perf_counter() - started) * 1000)
    n = len(totals)
    print(f"--- {name}: stages, ms per request over {n} requests (mean / median / p95; share of mean total)")
    top_level = 0.0
    for label, values in acc.items():
        if not values:
            continue
        per_request = values if len(values) == n else [sum(values) / n] * n  # a stage called more than once
        mean = statistics.mean(per_request)
        if not label.startswith(" "):
            top_level += mean
        print(
            f"  {label:<40}{mean:>9.2f}{statistics.median(per_request):>9.2f}{pct(per_request, 95):>9.2f}"
            f"{mean / statistics.mean(totals):>8.0%}"
        )
    rest = statistics.mean(totals) - top_level
    share = rest / statistics.mean(totals)
    print(f"  {'the rest (middleware, input schema, ...)':<40}{rest:>9.2f}{'':>18}{share:>8.0%}")
    print(
        f"  {'whole request':<40}{statistics.mean(totals):>9.2f}{statistics.median(totals):>9.2f}"
        f"{pct(totals, 95):>9.2f}"
    )
    profiler = cProfile.Profile()
    profiler.enable()
    for call in calls:
        call()
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).strip_dirs().sort_stats("tottime").print_stats(25)
    lines = [line for line in out.getvalue().splitlines() if line.strip()]
    print(f"--- {name}: cProfile, {len(calls)} requests, top 25 by own time")
    print("\n".join(lines[2:]))
    print()


# ---------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small stations, shorter route, fewer requests")
    parser.add_argument("--profile", action="store_true", help="also print a stage breakdown and a cProfile")
    parser.add_argument("--seed-into", type=Path, help=argparse.SUPPRESS)  # the child process
    args = parser.parse_args()
    if args.seed_into:
        seed_database(args.seed_into, args.quick)
        return
    with tempfile.TemporaryDirectory(prefix="chelun-bench-") as tmp:
        command = [sys.executable, __file__, "--seed-into", tmp, *(["--quick"] if args.quick else [])]
        child = subprocess.run(command, check=True, stdout=subprocess.PIPE, text=True)
        now = dt.datetime.fromisoformat(child.stdout.strip().splitlines()[-1])
        configure(Path(tmp))
        run(args.quick, args.profile, now)


def run(quick: bool, want_profile: bool, now: dt.datetime) -> None:
    from django.conf import settings
    from django.utils import timezone

    from chelun.core.geo import encode_polyline
    from chelun.stations.access import station_public_q
    from chelun.stations.models import Station

    rng = np.random.default_rng(SEED)
    n_stations = Station.objects.filter(station_public_q()).count()
    line = g5_route(quick, rng)
    km = float(cumulative_km(line)[-1])
    points = [(float(lon), float(lat)) for lon, lat in line]
    encoded = {True: encode_polyline(points), False: encode_polyline(points[::-1])}

    bodies: list[str] = []
    for q in range(15 if quick else 60):
        forward = q % 2 == 0
        k = int(rng.integers(int(len(points) * 0.8)))  # leave road ahead
        lon, lat = points[k] if forward else points[-1 - k]
        body: dict[str, Any] = {
            "polyline": encoded[forward],
            "position": [round(lon + rng.normal(0, 2e-4), 6), round(lat + rng.normal(0, 2e-4), 6)],  # ~20 m GPS
        }
        if q % 3 == 1:
            body.update(min_hours=3, max_hours=4)  # the 4 h / 20 min rule
        if q % 3 == 2:
            body.update(offroad_corridor_m=10_000)
        bodies.append(json.dumps(body))
    spots = sichuan_points(60 if quick else 300, rng)
    radii = rng.choice([10.0, 30.0, 50.0, 100.0], len(spots))
    params = [
        {"lon": lon, "lat": lat, "radius_km": float(r), "limit": 50 if i % 2 else 20}
        for i, ((lon, lat), r) in enumerate(zip(spots, radii, strict=True))
    ]

    conn_max_age = settings.DATABASES["default"].get("CONN_MAX_AGE", 0)
    settings.DEBUG = False  # as in production: no query log (with DEBUG, SQLite also quotes every logged query)
    along, near = clients()
    along_calls = [functools.partial(along, body) for body in bodies]
    near_calls = [functools.partial(near, p) for p in params]
    budget = 4.0 if quick else 60.0  # seconds per timed row

    with mock.patch.object(timezone, "now", lambda: now):
        from config.warmup import warm_up

        started = time.perf_counter()
        warm_up()  # what config.wsgi does before the server takes requests
        warm_s = time.perf_counter() - started
        started = time.perf_counter()
        first = along(bodies[0])
        first_ms = (time.perf_counter() - started) * 1000
        if first[0] != 200:
            raise SystemExit(f"along-route answered {first[0]}: {ERRORS.get(first[0])}")
        for call in along_calls[:3] + near_calls[:10]:  # warm-up: imports, URL resolvers, schemas
            call()
        sql_along, sql_near = sql_count(along_calls[0]), sql_count(near_calls[0])

        along_fast, along_fast_res, n = timed_for(along_calls, budget, 2, 7)
        log(f"along-route, fast: {len(bodies)} requests x {n} rounds")
        with baseline_engine():
            along_base, along_base_res, n = timed_for(along_calls, budget, 1, 3)
        log(f"along-route, baseline: {len(bodies)} requests x {n} rounds")
        with strtree_engine():
            along_str, along_str_res, n = timed_for(along_calls, budget / 2, 1, 7)
        log(f"along-route, STRtree baseline: {len(bodies)} requests x {n} rounds")
        near_fast, near_fast_res, n = timed_for(near_calls, budget / 2, 1, 7)
        log(f"near-me, fast: {len(params)} requests x {n} rounds")
        with baseline_engine():
            near_base, near_base_res, n = timed_for(near_calls, budget / 2, 1, 5)
        log(f"near-me, baseline: {len(params)} requests x {n} rounds")
        with plain_schemas():
            along_plain, along_plain_res, n = timed_for(along_calls, budget / 2, 1, 5)
            log(f"along-route, plain schemas: {len(bodies)} requests x {n} rounds")
            near_plain, near_plain_res, n = timed_for(near_calls, budget / 2, 1, 5)
            log(f"near-me, plain schemas: {len(params)} requests x {n} rounds")
        if want_profile:
            profile_report("POST along-route (fast engine)", along_calls, 1)
            profile_report("GET near (fast engine)", near_calls, 1)
    # The open feed under one status write per second (its own moving clock; run last, it writes).
    feed_seconds = 6.0 if quick else 30.0
    feed_new = feed_under_writes(now, feed_seconds, snapshot=True)
    log(f"feed under writes, snapshot: {feed_new['polls']} polls, {feed_new['builds']} builds")
    feed_old = feed_under_writes(now, feed_seconds, snapshot=False)
    log(f"feed under writes, baseline: {feed_old['polls']} polls, {feed_old['builds']} builds")

    every = along_fast_res + along_base_res + along_plain_res + near_fast_res + near_base_res + near_plain_res
    failures = sum(status != 200 for status, _ in every + along_str_res)
    all_ok = failures == 0
    same_along = along_fast_res == along_base_res == along_plain_res == along_str_res
    same_near = near_fast_res == near_base_res == near_plain_res
    same = all_ok and same_along and same_near
    along_counts = [json.loads(body)["count"] for status, body in along_fast_res if status == 200] or [0]
    along_items = [len(json.loads(body)["items"]) for status, body in along_fast_res if status == 200] or [0]
    near_counts = [json.loads(body)["count"] for status, body in near_fast_res if status == 200] or [0]
    along_kb = statistics.median(len(body) for _, body in along_fast_res) / 1024

    print(
        f"stations: {n_stations:,} public ({'small' if quick else 'full'} demo scale); route: G5 "
        f"{'成都–西昌' if quick else '西安–成都–昆明'}, {km:,.0f} km, {len(points):,} vertices, encoded polyline "
        f"{len(encoded[True]) / 1024:,.0f} KB"
    )
    print(
        f"along-route: matches per request median {statistics.median(along_counts):.0f} (min {min(along_counts)}, "
        f"max {max(along_counts)}), of which the first page (page_size 50) median "
        f"{statistics.median(along_items):.0f}; response median {along_kb:,.0f} KB, {sql_along} SQL queries; warm-up "
        f"(config.warmup) {warm_s:.1f} s, then the first request {first_ms:,.0f} ms"
    )
    print(f"near-me: results per request median {statistics.median(near_counts):.0f}, {sql_near} SQL queries")
    print()
    header = f"{'request':<26}{'requests':>9}{'p50 ms':>10}{'p95 ms':>10}{'base p50':>10}{'base p95':>10}{'speedup':>9}"
    print(header)
    print("-" * len(header))
    for name, fast, base in (
        ("POST along-route", along_fast, along_base),
        ("POST along-route, STRtree", along_fast, along_str),
        ("GET near", near_fast, near_base),
        ("POST along-route, plain", along_fast, along_plain),
        ("GET near, plain", near_fast, near_plain),
    ):
        print(
            f"{name:<26}{len(fast):>9}{pct(fast, 50):>10.2f}{pct(fast, 95):>10.2f}{pct(base, 50):>10.2f}"
            f"{pct(base, 95):>10.2f}{pct(base, 95) / pct(fast, 95):>8.1f}x"
        )
    print(f"whole request in-process (django.test.Client), DEBUG off, CONN_MAX_AGE={conn_max_age};")
    print("baseline = the same requests with routing.along_route / nearby -> along_route_baseline / nearby_baseline;")
    print("plain = the same requests written by the response schemas over Station rows instead of the cached cards.")
    print("STRtree = the same requests with routing.along_route -> routing_strtree.along_route_strtree (shapely 2).")
    print()
    print(f"feed under one status write per second, a poll every ~100 ms for {feed_seconds:.0f} s each:")
    fh = f"{'feed':<30}{'polls':>7}{'writes':>7}{'builds':>7}{'304s':>6}{'p50 ms':>10}{'p95 ms':>10}{'mean KB':>10}"
    print(fh)
    print("-" * len(fh))
    for name, row in (("snapshot 5 s, gzip, half 304", feed_new), ("baseline: rebuild on change", feed_old)):
        print(
            f"{name:<30}{row['polls']:>7}{row['writes']:>7}{row['builds']:>7}{row['not_modified']:>6}"
            f"{row['p50_ms']:>10.2f}{row['p95_ms']:>10.2f}{row['mean_kb']:>10.1f}"
        )
    all_ok = all_ok and feed_new["ok"] and feed_old["ok"]
    print("targets: along-route p95 < 20 ms and >= 10x baseline; near-me p95 < 5 ms. Speedup = ratio of p95s.")
    print(f"all 200: {all_ok}; identical JSON fast vs baseline: along-route {same_along}, near-me {same_near}")
    for status, error in ERRORS.items():
        print(f"FAILED requests ({failures} in all), first {status}: {error}")
    print()
    figures = {
        "server_along_route_p50_ms": round(pct(along_fast, 50), 3),
        "server_along_route_p95_ms": round(pct(along_fast, 95), 3),
        "server_baseline_p50_ms": round(pct(along_base, 50), 3),
        "server_baseline_p95_ms": round(pct(along_base, 95), 3),
        "server_speedup": round(pct(along_base, 95) / pct(along_fast, 95), 1),
        "server_strtree_p50_ms": round(pct(along_str, 50), 3),
        "server_strtree_p95_ms": round(pct(along_str, 95), 3),
        "server_speedup_vs_strtree": round(pct(along_str, 95) / pct(along_fast, 95), 1),
        "feed_under_writes": {k: round(v, 2) if isinstance(v, float) else v for k, v in feed_new.items()},
        "feed_under_writes_baseline": {k: round(v, 2) if isinstance(v, float) else v for k, v in feed_old.items()},
        "server_near_p50_ms": round(pct(near_fast, 50), 3),
        "server_near_p95_ms": round(pct(near_fast, 95), 3),
        "server_near_baseline_p95_ms": round(pct(near_base, 95), 3),
        "server_plain_schemas_p50_ms": round(pct(along_plain, 50), 3),
        "server_plain_schemas_p95_ms": round(pct(along_plain, 95), 3),
        "server_near_plain_schemas_p95_ms": round(pct(near_plain, 95), 3),
        "cards_speedup": round(pct(along_plain, 95) / pct(along_fast, 95), 1),
        "near_cards_speedup": round(pct(near_plain, 95) / pct(near_fast, 95), 1),
        "stations": n_stations,
        "route_km": round(km, 1),
        "route_vertices": len(points),
        "along_route_matches_median": statistics.median(along_counts),
        "along_route_items_median": statistics.median(along_items),
        "failed_requests": failures,
        "same_results": same,
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
