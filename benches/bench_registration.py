"""Registration POST throughput against a bare one-row-insert POST, both on PostgreSQL.

Starts gunicorn (2 sync workers) on loopback for the baseline app and for eventhub on a fresh
migrated PostgreSQL database with Redis as broker and rate-limit storage (the production
shape), then runs `wrk -t2 -c32 --latency` with a Lua script that posts a registration (the
JSON API: the form's service without a CSRF round trip) with a new email each time. Every
request takes the seat lock, inserts a registration and an outbox row (the confirmation's
context; the worker renders it and builds the .ics at send time), commits and wakes delivery.
Prints req/s, p50/p99 and the ratio; PERFORMANCE.md's target is >= 0.5x.

    .venv/bin/python benches/bench_registration.py [--duration 10] [--runs 2]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import NamedTuple

from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benches.benchserver import start_gunicorn, stop_gunicorn  # noqa: E402
from benches.support import free_port, postgres_database, redis_database  # noqa: E402

LUA = r"""
local counter = 0
local threads = 0
local run = ""
setup = function(thread)
  thread:set("tid", threads)
  threads = threads + 1
end
-- Each wrk invocation names itself (`-- <run>`): Lua's random numbers start from the same seed
-- in every invocation, so without it a later run repeated an earlier one's addresses, and
-- measured repeats (the resend path), not new sign-ups.
init = function(args)
  run = args[1] or ""
end
request = function()
  counter = counter + 1
  local email = "b" .. run .. "-" .. tid .. "-" .. counter .. "@example.org"
  local body
  if string.find(wrk.path, "/api/") then
    body = '{"name": "Bench Person", "email": "' .. email ..
      '", "timezone": "Europe/London", "consent": true}'
    return wrk.format("POST", wrk.path, {["Content-Type"] = "application/json"}, body)
  end
  body = "email=" .. email
  return wrk.format("POST", wrk.path,
    {["Content-Type"] = "application/x-www-form-urlencoded"}, body)
end
"""


def seed(env: dict[str, str]) -> int:
    """Migrate the database and create one published session without a capacity limit."""
    code = """
from datetime import timedelta
from flask_migrate import upgrade
from eventhub import create_app
from eventhub.clock import utcnow
from eventhub.extensions import db
from eventhub.scheduling.models import Series, Session, SessionStatus
import benches.registration_baseline_app as baseline
app = create_app()
with app.app_context():
    upgrade()
    series = Series(
        slug="bench", title="Bench series", timezone="Asia/Hong_Kong", is_published=True
    )
    session = Session(series=series, number=1, title="Bench webinar", slug="bench",
        starts_at=utcnow() + timedelta(days=7), timezone="Asia/Hong_Kong",
        join_url="https://meet.example.org/j/1", status=SessionStatus.PUBLISHED)
    db.session.add(session)
    db.session.commit()
    print(session.id)
with baseline.app.app_context():
    baseline.db.create_all()
"""
    output = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout
    return int(output.strip().splitlines()[-1])


class Run(NamedTuple):
    rate: float
    latency: dict[str, float]
    errors: str
    requests: int


def wrk(url: str, script: Path, duration: int, run: str) -> Run:
    """`run` names this invocation in every address it posts: each must differ (see LUA)."""
    output = subprocess.run(
        ["wrk", "-t2", "-c32", f"-d{duration}s", "--latency", "-s", str(script), url, "--", run],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    if rate is None:
        raise RuntimeError(f"wrk printed no rate:\n{output}")
    latency = {}
    for pct in ("50", "99"):
        match = re.search(rf"\s{pct}%\s+([\d.]+)(us|ms|s)", output)
        if match:
            value = float(match.group(1))
            latency[pct] = (
                value / 1000
                if match.group(2) == "us"
                else value * (1000 if match.group(2) == "s" else 1)
            )
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    requests = re.search(r"(\d+) requests in", output)
    return Run(
        float(rate.group(1)),
        latency,
        errors.group(1) if errors else "0",
        int(requests.group(1)) if requests else 0,
    )


def registrations_written(database_url: str) -> int:
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            return int(connection.execute(text("SELECT count(*) FROM registrations")).scalar_one())
    finally:
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: apt-get install -y wrk")
    with (
        postgres_database() as url,
        redis_database() as redis_url,
        tempfile.TemporaryDirectory() as tmp,
    ):
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "REDIS_URL": redis_url,
            "CELERY_BROKER_URL": redis_url,
            "SECRET_KEY": "bench-secret",
            "EVENTHUB_INSTANCE_PATH": tmp,
            "EVENTHUB_RATELIMIT_REGISTRATION": "1000000/second",
            "PYTHONPATH": str(ROOT),
        }
        session_id = seed(env)
        script = Path(tmp) / "register.lua"
        script.write_text(LUA)
        targets = {
            "baseline insert POST": ("benches.registration_baseline_app:app", "/insert"),
            # The API: the same service as the form, without a CSRF token to fetch first.
            "registration POST": ("wsgi:app", f"/api/v1/sessions/{session_id}/registrations"),
        }
        results: dict[str, list[Run]] = {k: [] for k in targets}
        # Every answered registration request must have written a new registration: a repeat
        # takes the resend path, another bench (see LUA).
        answered = 0
        for run in range(args.runs):
            for name, (app_path, path) in targets.items():
                port = free_port()
                process = start_gunicorn(app_path, port, env, ROOT, probe=path)
                try:
                    address = f"http://127.0.0.1:{port}{path}"
                    warm_up = wrk(address, script, 1, f"w{run}")
                    results[name].append(wrk(address, script, args.duration, f"r{run}"))
                finally:
                    stop_gunicorn(process)
                if app_path == "wsgi:app":
                    answered += warm_up.requests + results[name][-1].requests
        print(
            f"gunicorn 2 sync workers, wrk -t2 -c32 -d{args.duration}s, "
            f"{args.runs} run(s), PostgreSQL"
        )
        best: dict[str, float] = {}
        for name, runs in results.items():
            for rate, latency, errors, _requests in runs:
                print(
                    f"  {name:22s} {rate:8.1f} req/s  p50 {latency.get('50', 0):6.1f} ms  "
                    f"p99 {latency.get('99', 0):6.1f} ms  non-2xx/3xx {errors}"
                )
            best[name] = sum(r.rate for r in runs) / len(runs)
        written = registrations_written(url)
        # wrk does not count the requests still in flight when it stops: written >= answered.
        print(f"new registrations written: {written} for {answered} answered requests")
        if written < answered:
            print(f"  WARNING: {answered - written} requests were repeats, not new sign-ups")
        ratio = best["registration POST"] / best["baseline insert POST"]
        print(f"ratio registration / baseline (mean of runs): {ratio:.2f}x (target >= 0.5x)")


if __name__ == "__main__":
    main()
