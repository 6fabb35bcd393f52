"""HTTP load benchmark: wrk against gunicorn on loopback. Run with `make bench` (or directly).

Serves the product as in production (`gunicorn -w 4 'bookings:create_app()'`, sync workers) on a
fresh SQLite file seeded like `seed-demo`, plus one extra event with a huge capacity. The ceiling
is a bare Flask route (benchmarks/bare_wsgi.py) under the same gunicorn settings. Each target gets
a short warm-up, then `wrk --latency` with 50 connections for 10 s. Measured:

- home        GET /                                   (the start page, rendered from templates)
- slots       GET /api/v1/slots?service=taalvrijwilliger&branch=aalsmeer&from=D+1&to=D+7
                                                      (one week of free times, computed from rules)
- day         GET /book/taalvrijwilliger/aalsmeer      (the resident's day choice: six weeks of free
                                                      times grouped by day, rendered from templates)
- feed        GET /feeds/branches/amstelveen.ics      (the branch's public calendar)
- booking     POST /api/v1/bookings {"slot": "e<id>"} (benchmarks/post_booking.lua: every POST books
              a new place in the big event and commits: lock, count, insert booking, history and
              outbox message; after-request delivery writes the .eml file, as in production without
              SMTP. The rate limit is off: one client address would otherwise be throttled.)
- ceiling     GET / on the bare app

Targets (2-core machine): slots >= 25% of the ceiling's req/s; booking >= 100 req/s on SQLite;
p99 < 100 ms for every read. Reads are answered from the per-worker cache of services.read_cache
once warm (the warm-up fills it, as real traffic does); `--no-read-cache` measures every answer
computed afresh, as right after each write. `--database-url postgresql+psycopg://...` benchmarks PostgreSQL
instead (the database must be empty or hold a previous benchmark's schema).
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time as clock
import urllib.request
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent
READ_P99_MS = 100.0
SLOTS_SHARE = 0.25
BOOKINGS_PER_S = 100.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per measured run")
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--database-url", help="default: a new SQLite file")
    parser.add_argument("--only", nargs="*", help="names of targets to run")
    parser.add_argument("--no-read-cache", action="store_true", help="READ_CACHE_SIZE=0: compute every answer")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        print("bench_http: wrk is missing (Debian: apt-get install wrk)", file=sys.stderr)
        return 1

    with tempfile.TemporaryDirectory(prefix="spreekuur-bench-") as tmp:
        workdir = Path(tmp)
        database_url = args.database_url or f"sqlite:///{workdir / 'bench.sqlite3'}"
        env = {**os.environ,
               "BOOKINGS_DATABASE_URL": database_url,
               "BOOKINGS_SECRET_KEY": "bench-secret-key",
               "BOOKINGS_OUTBOX_DIR": str(workdir / "outbox"),
               "BOOKINGS_RATELIMIT_ENABLED": "false",
               "BOOKINGS_READ_CACHE_SIZE": "0" if args.no_read_cache else "1024"}
        env.pop("BOOKINGS_SMTP_HOST", None)
        slot, feed_path = seed(env)
        today = datetime.now(timezone.utc).date()
        week = (today + timedelta(days=1), today + timedelta(days=7))
        servers = []
        try:
            app_url = start_gunicorn("bookings:create_app()", env, args.workers, workdir / "app.log", servers)
            bare_url = start_gunicorn("benchmarks.bare_wsgi:app", env, args.workers, workdir / "bare.log", servers)
            targets = [
                ("ceiling", f"{bare_url}/", None),
                ("home", f"{app_url}/", None),
                ("slots", f"{app_url}/api/v1/slots?service=taalvrijwilliger&branch=aalsmeer"
                          f"&from={week[0]}&to={week[1]}", None),
                ("day", f"{app_url}/book/taalvrijwilliger/aalsmeer", None),
                ("feed", f"{app_url}{feed_path}", None),
                ("booking", f"{app_url}/api/v1/bookings", HERE / "post_booking.lua"),
            ]
            results = {}
            for name, url, script in targets:
                if args.only and name not in args.only:
                    continue
                print(f"bench_http: {name} ...", file=sys.stderr, flush=True)
                run_wrk(url, script, slot, 2, args)  # warm-up: every worker loads its caches
                results[name] = run_wrk(url, script, slot, args.duration, args)
        finally:
            for server in servers:
                server.terminate()
            for server in servers:
                try:
                    server.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    server.kill()
    report(results, args, database_url)
    return 0


def seed(env: dict) -> tuple[str, str]:
    """Schema and demo data through the CLI, then a big event; returns its slot id and the feed path."""
    flask = [sys.executable, "-m", "flask", "--app", "bookings"]
    for command in (["db", "upgrade"], ["seed-demo"]):
        subprocess.run(flask + command, cwd=ROOT, env=env, check=True, capture_output=True)
    code = (
        "from datetime import datetime, timedelta, timezone\n"
        "from sqlalchemy import select\n"
        "from bookings import create_app\n"
        "from bookings.extensions import db\n"
        "from bookings.models import Branch, Event, Service\n"
        "app = create_app()\n"
        "with app.app_context():\n"
        "    branch = db.session.scalar(select(Branch).where(Branch.slug == 'amstelveen'))\n"
        "    service = db.session.scalar(select(Service).where(Service.slug == 'week-van-de-loopbaan'))\n"
        "    start = (datetime.now(timezone.utc) + timedelta(days=20)).replace(hour=12, minute=0, second=0, microsecond=0)\n"
        "    event = Event(service=service, branch=branch, starts_at=start, ends_at=start + timedelta(hours=4),\n"
        "                  capacity=10_000, place_minutes=None)\n"
        "    db.session.add(event)\n"
        "    db.session.commit()\n"
        "    print(f'e{event.id}')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True, capture_output=True, text=True)
    return done.stdout.strip().splitlines()[-1], "/feeds/branches/amstelveen.ics"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(app: str, env: dict, workers: int, log: Path, servers: list) -> str:
    port = free_port()
    with open(log, "wb") as handle:
        server = subprocess.Popen([sys.executable, "-m", "gunicorn", "--workers", str(workers),
                                   "--bind", f"127.0.0.1:{port}", app],
                                  cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT)
    servers.append(server)
    url, deadline = f"http://127.0.0.1:{port}", clock.monotonic() + 60
    while clock.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn {app} exited:\n{log.read_text()[-3000:]}")
        if log.read_text().count("Booting worker") >= workers:
            try:
                with urllib.request.urlopen(url + "/", timeout=5):
                    return url
            except OSError:
                pass
        clock.sleep(0.1)
    raise SystemExit(f"gunicorn {app} did not start:\n{log.read_text()[-3000:]}")


UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def run_wrk(url: str, script: Path | None, slot: str, seconds: int, args) -> dict:
    command = ["wrk", f"-t{args.threads}", f"-c{args.connections}", f"-d{seconds}s", "--latency",
               "--timeout", "10s", url]
    if script:
        command[1:1] = ["-s", str(script)]
    done = subprocess.run(command, capture_output=True, text=True, check=True,
                          env={**os.environ, "BENCH_SLOT": slot}, timeout=seconds + 60)
    out = done.stdout

    def latency(percent: str) -> float:
        value, unit = re.search(rf"^\s+{percent}%\s+([\d.]+)(us|ms|s|m)\s*$", out, re.M).groups()
        return float(value) * UNITS[unit]

    not_ok = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
            "p50": latency("50"), "p99": latency("99"),
            "requests": int(re.search(r"(\d+) requests in", out).group(1)),
            "not_ok": int(not_ok.group(1)) if not_ok else 0,
            "socket_errors": sum(map(int, errors.groups())) if errors else 0}


def report(results: dict, args, database_url: str) -> None:
    ceiling = results.get("ceiling", {}).get("rps")
    database = database_url.split(":", 1)[0]
    cache = "read cache off" if args.no_read_cache else "read cache on"
    print(f"\nHTTP benchmark: gunicorn -w {args.workers} (sync), {database}, {cache}, wrk -t{args.threads} "
          f"-c{args.connections} -d{args.duration}s, {os.cpu_count()} CPUs")
    print(f"{'target':<10}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'of ceiling':>12}{'errors':>9}  target")
    verdicts = []
    for name, result in results.items():
        share = result["rps"] / ceiling if ceiling else None
        checks = []
        if name != "booking":
            checks.append((f"p99 < {READ_P99_MS:.0f} ms", result["p99"] < READ_P99_MS))
        if name == "slots" and share is not None:
            checks.append((f">= {SLOTS_SHARE:.0%} of ceiling", share >= SLOTS_SHARE))
        if name == "booking":
            checks.append((f">= {BOOKINGS_PER_S:.0f} req/s", result["rps"] >= BOOKINGS_PER_S))
        checks.append(("no errors", result["not_ok"] + result["socket_errors"] == 0))
        verdict = ", ".join(f"{label}: {'ok' if ok else 'MISSED'}" for label, ok in checks)
        verdicts.extend(ok for _, ok in checks)
        print(f"{name:<10}{result['rps']:>10.0f}{result['p50']:>10.1f}{result['p99']:>10.1f}"
              f"{(f'{share:.0%}' if share is not None else '-'):>12}"
              f"{result['not_ok'] + result['socket_errors']:>9}  {verdict}")
    print("all targets met" if all(verdicts) else "some targets MISSED (see above)")


if __name__ == "__main__":
    sys.exit(main())
