"""Shared setup of the province-scale benchmarks (people_list.py, audit_page.py): Django on a demo database.

Either `--database PATH`, an SQLite file already seeded with `seed_demo` (migrated to the current schema first, so
a full demo seeded once can be reused: seeding 630,000 people takes a minute or two), or a fresh temporary
directory where a child process migrates a scratch database and seeds the demo (`small` with --quick, else `full`).
DEBUG is on for the seed (demo passwords) and off for the timing (no query log).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def add_database_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--quick", action="store_true", help="small demo (6,300 drivers) in a temporary directory")
    parser.add_argument("--database", type=Path, help="an SQLite file already seeded with seed_demo (reused)")


def _environment(database: Path, var_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    for name in ("REDIS_URL", "SECRET_KEY", "ALLOWED_HOSTS", "MEDIA_ROOT"):
        env.pop(name, None)
    env.update(
        DEBUG="1",
        DJANGO_SETTINGS_MODULE="config.settings",
        DATABASE_URL=f"sqlite:///{database.resolve()}",
        CHELUN_VAR_DIR=str(var_dir),
        CHELUN_WARM_UP="0",
        LOG_LEVEL="WARNING",
        PYTHONPATH=str(ROOT),
    )
    env.setdefault("CHELUN_SHARED_DATA", str(ROOT.parent / "shared" / "data" / "sichuan"))
    if not Path(env["CHELUN_SHARED_DATA"]).exists() and Path("/work/shared/data/sichuan").exists():
        env["CHELUN_SHARED_DATA"] = "/work/shared/data/sichuan"
    return env


def prepare(args: argparse.Namespace) -> Path:
    """Migrate (and, for a fresh database, seed) in a child process; then set this process's Django up on it."""
    var_dir = Path(tempfile.mkdtemp(prefix="chelun-bench-"))
    database = args.database or var_dir / "bench.sqlite3"
    env = _environment(database, var_dir)
    manage = [sys.executable, str(ROOT / "manage.py")]
    started = time.perf_counter()
    subprocess.run([*manage, "migrate", "-v0"], env=env, check=True, cwd=ROOT)
    if args.database is None:
        scale = "small" if args.quick else "full"
        log(f"seeding the {scale} demo into {database} ...")
        subprocess.run(
            [*manage, "seed_demo", "--scale", scale], env=env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL
        )
    log(f"database ready in {time.perf_counter() - started:.0f} s: {database}")
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings

    settings.DEBUG = False  # no query log while timing
    return database


def time_ms(call: Callable[[], Any], rounds: int) -> tuple[list[float], Any]:
    """Milliseconds of each of `rounds` calls (after one warm-up call), and the warm-up's result."""
    result = call()
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    return samples, result


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def p50(samples: list[float]) -> float:
    return statistics.median(samples)
