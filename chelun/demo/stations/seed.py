"""The whole step: plan every row, then insert them, in one transaction with audit logging off."""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from auditlog.context import disable_auditlog
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from chelun.demo.accounts import DEMO_PASSWORD
from chelun.demo.stations.feedback import insert_feedback, plan_feedback
from chelun.demo.stations.funding import insert_funding
from chelun.demo.stations.lines import sichuan_geography
from chelun.demo.stations.plans import Half
from chelun.demo.stations.registry import OPERATOR_USERNAME, insert_operators, insert_stations
from chelun.demo.stations.sites import SCENARIO_SITE, plan_named
from chelun.demo.stations.status import STALE_HALVES, insert_profiles, insert_reports, plan_history, plan_snapshot
from chelun.demo.stations.synthetic import SYNTHETIC_COUNTS, assign_synthetic_regions, plan_synthetic
from chelun.demo.stations.visits import insert_checkins, plan_checkins
from chelun.stations import selectors
from chelun.stations.models import Station

__all__ = ["StationSeedResult", "seed_stations"]


@dataclass(frozen=True)
class StationSeedResult:
    named_sites: int
    named_stations: int
    synthetic_stations: int
    status_reports: int
    checkins: int
    feedback: int
    subsidies: int
    # (username, what it is) for the printed demo logins; the op-<id> operators are not listed.
    logins: tuple[tuple[str, str], ...]
    seconds: float


def _sites(named: Sequence[Half]) -> list[list[Half]]:
    """The named halves grouped by site, primary first."""
    grouped: dict[str, list[Half]] = {}
    for half in named:
        assert half.site is not None
        grouped.setdefault(half.site.key, []).append(half)
    return [sorted(group, key=lambda h: not h.primary) for group in grouped.values()]


def seed_stations(
    *,
    rng: random.Random,
    scale: str,
    now: dt.datetime,
    demo_passwords: bool | None = None,
    log: Callable[[str], None] = lambda message: None,
) -> StationSeedResult:
    """Create the demo stations (see chelun.demo.stations) on a database with the organisation tree and no stations,
    in one transaction with audit logging off.

    `rng` is drawn from once (one 64-bit seed for this step's own generators), so the step does not shift what the
    rest of seed_demo draws after it. `scale` is tiny / small / full (synthetic stations only); `now` is the demo's
    present, timezone-aware. `demo_passwords` (default settings.DEBUG) gives the operators the demo password. Raises
    ValueError for a bad scale or a naive `now`, RuntimeError when stations already exist or the organisation tree is
    missing.
    """
    if scale not in SYNTHETIC_COUNTS:
        raise ValueError(f"scale must be one of {', '.join(SYNTHETIC_COUNTS)}, not {scale!r}")
    if timezone.is_naive(now):
        raise ValueError("now must be timezone-aware")
    if Station.objects.exists():
        raise RuntimeError("seed_stations runs once, on a database without stations")
    started = time.perf_counter()
    passwords = settings.DEBUG if demo_passwords is None else demo_passwords
    seed = rng.getrandbits(64)

    def part(name: str) -> random.Random:
        return random.Random(f"stations:{seed}:{name}")

    geo = sichuan_geography()
    with disable_auditlog(), transaction.atomic():
        named = plan_named(part("named"), geo, now)
        synthetic = plan_synthetic(part("synthetic"), SYNTHETIC_COUNTS[scale], now, len(named))
        assign_synthetic_regions(synthetic, geo)
        history = part("history")
        eligible = [
            i
            for i, h in enumerate(named)
            if h.site is not None and h.site.key not in (SCENARIO_SITE, "jintang") and h.station.open_24h
        ]
        stale = set(history.sample(eligible, STALE_HALVES))
        for i, half in enumerate(named):
            lag = history.uniform(70, 240) if i in stale else history.uniform(5, 20)
            plan_history(history, half, now, lag)
            half.stale_minutes = lag if i in stale else 0.0
        snapshots = part("snapshots")
        for half in synthetic:
            plan_snapshot(snapshots, half, now)
        sites = _sites(named)
        visits = part("checkins")
        for site_halves in sites:
            plan_checkins(visits, site_halves, now)
        plan_feedback(part("feedback"), sites, now)
        # Everything above runs before insert_stations sets the live fields, so station_is_open_at reads the posted
        # hours only (a station's current "closed" report must not close it in the past).
        insert_stations([*named, *synthetic], geo)
        operators = insert_operators(named, passwords)
        reports = insert_reports([*named, *synthetic], operators)
        insert_profiles(named)
        checkins = insert_checkins(named)
        feedback = insert_feedback(named, operators)
        subsidies = insert_funding(part("funding"), named, now)
    selectors.search_catalog.clear()
    result = StationSeedResult(
        named_sites=len(sites),
        named_stations=len(named),
        synthetic_stations=len(synthetic),
        status_reports=reports,
        checkins=checkins,
        feedback=feedback,
        subsidies=subsidies,
        logins=((OPERATOR_USERNAME, "金堂服务区暖心之家站长（两侧半幅）"),),
        seconds=time.perf_counter() - started,
    )
    log(
        f"暖心之家：{result.named_sites} 个站点（{result.named_stations} 条站点记录，服务区按两侧半幅计）、"
        f"演示用合成站点 {result.synthetic_stations:,} 个；状态上报 {result.status_reports:,} 条、签到 "
        f"{result.checkins:,} 次、评价 {result.feedback} 条、补贴 {result.subsidies} 笔，用时 {result.seconds:.1f} 秒"
    )
    for username, description in result.logins:
        log(f"演示站长：{username}，{description}" + (f"，密码 {DEMO_PASSWORD}" if passwords else "（未设密码）"))
    return result
