"""Demo grid: coverage for the grid branches along the expressway corridors, and a synthetic fleet driving real
city-to-city stretches of those corridors at truck speeds, pinging every five minutes with a rest stop halfway.

Coverage: the corridor cells (one ring around each schematic expressway line of the shared data) go to the grid
branches of the county each cell lies in, as consecutive stretches; a branch off the corridors covers two rings
around its county seat. Corridor cells in counties with no grid branch stay uncovered: those are the gaps the
committee map ranks. The fleet: every party-member driver plus as many other drivers again (small scale: a few
hundred), two trips each over the last three days; the demo driver drives Chengdu to Panzhihua on G5. Pings go in
through the engine and the roll-up as the API's would. Deterministic for a seed (times relative to the hour the
seed runs, so the demo is always inside the retention).
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import random
from collections import defaultdict

import h3
import numpy as np
from django.conf import settings
from django.utils import timezone

from chelun.core.geo import haversine_km
from chelun.grid import services
from chelun.grid.corridors import corridor_cells, densify, load_lines
from chelun.grid.index import grid_engine
from chelun.grid.models import DriverPosition, LocationConsent, LocationPing, MobileMember
from chelun.grid.selectors import county_index
from chelun.members.models import Person
from chelun.orgs.choices import OrgKind
from chelun.orgs.models import Organization

PING_MINUTES = 5
TRIPS_PER_DRIVER = 2
MAX_FLEET = 400  # small scale; the full-scale fleet (~10 million pings) is not generated here
CHENGDU = (104.06667, 30.66667)


def _cover(now: dt.datetime) -> int:
    lines = [line for _, line in load_lines(settings.SHARED_DATA_DIR / "expressways_approx.geojson")]
    seen: dict[int, None] = {}
    for line in lines:
        for cell in corridor_cells(line, ring=1):
            seen.setdefault(cell, None)
    cells = list(seen)
    counties = county_index.counties(cells)
    by_county: dict[str, list[int]] = defaultdict(list)
    for cell, code in zip(cells, counties, strict=True):
        by_county[code].append(cell)
    branches: dict[str, list[Organization]] = defaultdict(list)
    for org in Organization.objects.filter(kind=OrgKind.GRID_BRANCH).select_related("region").order_by("pk"):
        branches[org.region.code].append(org)
    drawn = 0
    for code, orgs in sorted(branches.items()):
        road = by_county.get(code, [])
        for k, org in enumerate(orgs):
            if road:
                part = road[k * len(road) // len(orgs) : (k + 1) * len(road) // len(orgs)]
            else:
                seat = h3.latlng_to_cell(org.region.lat, org.region.lon, 7)
                part = [h3.str_to_int(c) for c in h3.grid_disk(seat, 2)]
            if part:
                services.coverage_set(branch=org, cells=part, actor=None, note="演示：按走廊划定", at=now)
                drawn += 1
    return drawn


def _trip(line: list[tuple[float, float]], start: dt.datetime, kmh: float) -> list[tuple[dt.datetime, float, float]]:
    points = densify(line, step_km=1.0)
    km = [0.0]
    for (a, b), (c, d) in itertools.pairwise(points):
        km.append(km[-1] + haversine_km(a, b, c, d))
    total = km[-1]
    out: list[tuple[dt.datetime, float, float]] = []
    step_km = kmh * PING_MINUTES / 60.0
    dist, t, k, rested = 0.0, start, 0, False
    while dist <= total:
        while k + 1 < len(km) and km[k + 1] < dist:
            k += 1
        seg = max(km[min(k + 1, len(km) - 1)] - km[k], 1e-9)
        f = min(1.0, (dist - km[k]) / seg)
        (lon1, lat1), (lon2, lat2) = points[k], points[min(k + 1, len(points) - 1)]
        out.append((t, lat1 + (lat2 - lat1) * f, lon1 + (lon2 - lon1) * f))
        if not rested and dist >= total / 2:  # a 30-minute rest halfway: six pings at one place
            rested = True
            for _ in range(6):
                t += dt.timedelta(minutes=PING_MINUTES)
                out.append((t, out[-1][1], out[-1][2]))
        dist += step_km
        t += dt.timedelta(minutes=PING_MINUTES)
    return out


def _stretch(rng: random.Random, lines: list[list[tuple[float, float]]]) -> list[tuple[float, float]]:
    line = rng.choice(lines)
    i = rng.randrange(0, len(line) - 1)
    j = rng.randrange(i + 1, len(line))
    part = line[i : j + 1]
    return part if rng.random() < 0.5 else part[::-1]


def _g5_chengdu_panzhihua(lines: list[tuple[str, list[tuple[float, float]]]]) -> list[tuple[float, float]]:
    g5 = next(line for ref, line in lines if ref == "G5")
    k = min(range(len(g5)), key=lambda i: math.dist(g5[i], CHENGDU))
    return g5[k:]


def seed_grid(*, seed: int, demo_driver_name: str = "张建国") -> dict[str, int]:
    rng = random.Random(f"{seed}:grid")
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    branches = _cover(now - dt.timedelta(days=60))
    named = load_lines(settings.SHARED_DATA_DIR / "expressways_approx.geojson")
    lines = [line for _, line in named]
    party = list(
        Person.objects.filter(driver_profile__isnull=False, party_profile__isnull=False).order_by("pk")[:MAX_FLEET]
    )
    others = list(
        Person.objects.filter(driver_profile__isnull=False, party_profile__isnull=True).order_by("pk")[
            : max(0, min(len(party), MAX_FLEET - len(party)))
        ]
    )
    fleet = party + others
    demo = Person.objects.filter(name=demo_driver_name, driver_profile__isnull=False).order_by("pk").first()
    LocationConsent.objects.bulk_create(
        [LocationConsent(person=p, given=True, changed_at=now - dt.timedelta(days=10)) for p in fleet]
        + ([LocationConsent(person=demo, given=True, changed_at=now)] if demo and demo not in fleet else []),
        ignore_conflicts=True,
    )
    rows: list[tuple[int, dt.datetime, float, float]] = []
    for person in fleet:
        start = now - dt.timedelta(hours=rng.uniform(30, 72))
        for _ in range(TRIPS_PER_DRIVER):
            track = _trip(_stretch(rng, lines), start, rng.uniform(55, 80))
            rows.extend((person.pk, t, lat, lng) for t, lat, lng in track if t < now)
            start = (track[-1][0] if track else start) + dt.timedelta(hours=rng.uniform(4, 10))
    if demo is not None:
        track = _trip(_g5_chengdu_panzhihua(named), now - dt.timedelta(hours=11), 70)
        rows.extend((demo.pk, t, lat, lng) for t, lat, lng in track if t < now)
    lat = np.array([r[2] for r in rows])
    lng = np.array([r[3] for r in rows])
    grid_engine.invalidate()  # the coverage was drawn in this transaction: on_commit has not run yet
    cells, owners = grid_engine.get().assign(lat, lng)
    pings = [
        LocationPing(
            person_id=pid,
            client_id=f"demo-{n}",
            at=t,
            lat=la,
            lng=ln,
            cell=int(c),
            branch_id=None if b < 0 else int(b),
            received_at=now,
        )
        for n, ((pid, t, la, ln), c, b) in enumerate(zip(rows, cells.tolist(), owners.tolist(), strict=True))
    ]
    LocationPing.objects.bulk_create(pings, batch_size=5_000)
    latest: dict[int, LocationPing] = {}
    for p in pings:
        if p.person_id not in latest or p.at > latest[p.person_id].at:
            latest[p.person_id] = p
    DriverPosition.objects.bulk_create(
        DriverPosition(person_id=p.person_id, at=p.at, lat=p.lat, lng=p.lng, cell=p.cell, branch_id=p.branch_id)
        for p in latest.values()
    )
    services.pings_roll_up(now=now)
    mobiles = 0
    attached = 0
    for k, person in enumerate(party[: max(1, len(party) // 3)]):
        profile = person.party_profile
        mobile = MobileMember.objects.create(
            person=person,
            home_branch_id=profile.branch_id,
            destination=rng.choice(["成都", "攀枝花", "南充", "宜宾"]),
            reason="freight",
            certificate_number=f"川流-{seed % 10000:04d}-{k + 1:05d}",
            registered_at=now - dt.timedelta(days=20),
            last_contact_at=now - dt.timedelta(days=rng.randint(1, 200)),
        )
        mobiles += 1
        suggestion = services.attachment_suggest(mobile=mobile, now=now)
        if suggestion is not None and k % 3:
            services.attachment_confirm(attachment=suggestion, actor=None, now=now)
            attached += 1
    services.lost_contact_flag(now=now)
    return {
        "branches_drawn": branches,
        "pings": len(pings),
        "drivers": len(latest),
        "mobile": mobiles,
        "attached": attached,
    }
