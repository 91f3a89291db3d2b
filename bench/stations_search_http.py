"""Benchmark: near-me through a real server: gunicorn from the venv on a local port, one keep-alive client.

Run from the repo root:  .venv/bin/python bench/stations_search_http.py [--quick] [--requests N]

Seeds a scratch SQLite database as bench/stations_search_server.py does (its --seed-into child: demo organisations at
small scale, stations at full scale, ~2,400; --quick: small), starts `gunicorn config.wsgi` (1 sync worker, DEBUG off,
warm-up on, as production starts) on 127.0.0.1 and a free port, then sends GET /api/v1/stations/near at random points
in Sichuan (radii 10-100 km, limit 20 or 50) one after another over one HTTP/1.1 connection and times each from send
to last byte on the client. Here the clock is not frozen: live-status ages are real. Prints p50 / p95 / p99 against
the 5 ms goal, then one JSON line. The server is stopped by its process id when done.
"""

from __future__ import annotations

import argparse
import base64
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from stations_search import pct  # noqa: E402

SEED = 20260126
SICHUAN = (101.0, 27.5, 106.5, 32.5)  # lon0, lat0, lon1, lat1: the populated east and south


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def server_env(var_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "MEDIA_ROOT")}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        CHELUN_VAR_DIR=str(var_dir),
        DEBUG="0",
        SECRET_KEY="bench-only-not-a-secret-" + "x" * 32,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        STATIONS_SHOW_SYNTHETIC="1",
        LOG_LEVEL="WARNING",
        SECURE_SSL_REDIRECT="0",  # TLS ends at the proxy in production; this is plain HTTP on loopback
        # Throwaway keys for the scratch database (production refuses to start without them).
        PII_ENCRYPTION_KEYS=base64.urlsafe_b64encode(os.urandom(32)).decode(),
        PII_HASH_KEY=base64.urlsafe_b64encode(os.urandom(32)).decode(),
    )
    return env


def wait_until_up(port: int, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/api/v1/stations/near?lon=104.06&lat=30.66&radius_km=10")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.5)
    raise SystemExit("the server did not answer in time")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small stations, fewer requests")
    parser.add_argument("--requests", type=int, default=0, help="requests to time (default 2,000; quick 300)")
    args = parser.parse_args()
    n = args.requests or (300 if args.quick else 2000)
    with tempfile.TemporaryDirectory(prefix="chelun-http-bench-") as tmp:
        var_dir = Path(tmp)
        seed = [sys.executable, str(ROOT / "bench" / "stations_search_server.py"), "--seed-into", tmp]
        subprocess.run([*seed, *(["--quick"] if args.quick else [])], check=True, stdout=subprocess.DEVNULL, cwd=ROOT)
        (var_dir / "staticfiles").mkdir(exist_ok=True)
        port = free_port()
        gunicorn = Path(sys.executable).with_name("gunicorn")
        server = subprocess.Popen(
            [str(gunicorn), "config.wsgi", "-b", f"127.0.0.1:{port}", "-w", "1", "--keep-alive", "30", "-k", "sync"],
            cwd=ROOT,
            env=server_env(var_dir),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            try:
                wait_until_up(port, 180)
            except SystemExit:
                server.terminate()
                print(server.communicate(timeout=30)[1].decode(errors="replace")[-2000:], file=sys.stderr)
                raise
            rng = np.random.default_rng(SEED)
            paths = []
            for i in range(n + 50):
                lon, lat = rng.uniform(SICHUAN[0], SICHUAN[2]), rng.uniform(SICHUAN[1], SICHUAN[3])
                query = {
                    "lon": round(lon, 5),
                    "lat": round(lat, 5),
                    "radius_km": float(rng.choice([10.0, 30.0, 50.0, 100.0])),
                    "limit": 50 if i % 2 else 20,
                }
                paths.append("/api/v1/stations/near?" + urllib.parse.urlencode(query))
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            times: list[float] = []
            sizes: list[int] = []
            failures = 0
            for i, path in enumerate(paths):
                begin = time.perf_counter()
                conn.request("GET", path, headers={"Connection": "keep-alive"})
                response = conn.getresponse()
                body = response.read()
                elapsed = (time.perf_counter() - begin) * 1000.0
                if response.status != 200:
                    failures += 1
                if i >= 50:  # the first 50 warm the worker's imports and caches
                    times.append(elapsed)
                    sizes.append(len(body))
        finally:
            server.terminate()
            server.wait(timeout=30)
    print(f"GET /api/v1/stations/near through gunicorn (1 sync worker, DEBUG off), {len(times)} requests, one client")
    print(f"{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}{'mean KB':>9}   goal p95 < 5 ms; failures {failures}")
    print(f"{pct(times, 50):>8.2f}{pct(times, 95):>8.2f}{pct(times, 99):>8.2f}{statistics.mean(sizes) / 1024:>9.1f}")
    figures = {
        "http_near_p50_ms": round(pct(times, 50), 3),
        "http_near_p95_ms": round(pct(times, 95), 3),
        "http_near_p99_ms": round(pct(times, 99), 3),
        "requests": len(times),
        "failed_requests": failures,
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
