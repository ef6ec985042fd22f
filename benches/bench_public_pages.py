"""Public series page and session API against bare Flask, measured in the same run.

Starts gunicorn (2 sync workers) on loopback for a bare-Flask app and for eventhub on a seeded
SQLite database (or PostgreSQL with --database-url), runs `wrk -t2 -c32 --latency` against
each URL and prints requests per second and the ratio to bare Flask. The target in
PERFORMANCE.md: series page and session API at least 0.5x bare Flask (cache on).

    .venv/bin/python benches/bench_public_pages.py [--duration 10] [--runs 2]
        [--cache filesystem|redis|simple|null] [--redis-url redis://127.0.0.1:6379/9]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benches.benchserver import start_gunicorn, stop_gunicorn  # noqa: E402
from benches.support import free_port  # noqa: E402


def seed(env: dict[str, str], sessions: int) -> tuple[str, int]:
    """Migrate a fresh database and add a published series like the seed's; return slug, id."""
    os.environ.update(env)
    from flask_migrate import upgrade

    from eventhub import create_app
    from eventhub.clock import utcnow
    from eventhub.extensions import db
    from eventhub.registration.models import Registration, RegistrationStatus
    from eventhub.scheduling.models import Series, Session, SessionStatus
    from eventhub.speakers.models import SessionSpeaker, SpeakerProfile, SpeakerRole

    app = create_app()
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        series = Series(
            slug="re-industrialization",
            title="Re-industrialization in Hong Kong",
            summary="Government, industry and academia on new technologies and innovation.",
            timezone="Asia/Hong_Kong",
            is_published=True,
        )
        db.session.add(series)
        speakers = [
            SpeakerProfile(
                slug=f"speaker-{n}",
                honorific="Dr",
                full_name=f"Speaker {n}",
                position="Chairman",
                organisation="Federation of Hong Kong Industries",
            )
            for n in range(6)
        ]
        db.session.add_all(speakers)
        now = utcnow().replace(microsecond=0)
        first_id = 0
        for n in range(sessions):
            session = Session(
                series=series,
                number=n + 1,
                title=f"Webinar {n + 1}: how does AI reinvent industrialization?",
                slug=f"webinar-{n + 1}",
                abstract="Distinguished speakers share their insights.",
                starts_at=now + timedelta(days=7 * (n - 1)),
                timezone="Asia/Hong_Kong",
                join_url="https://meet.example.org/j/1",
                capacity=200,
                status=SessionStatus.PUBLISHED,
            )
            for position, speaker in enumerate(speakers[n % 3 : n % 3 + 4]):
                role = SpeakerRole.MODERATOR if position == 3 else SpeakerRole.SPEAKER
                session.speaker_links.append(
                    SessionSpeaker(speaker=speaker, role=role, position=position)
                )
            db.session.add(session)
            db.session.flush()
            first_id = first_id or session.id
            for r in range(20):
                db.session.add(
                    Registration(
                        session=session,
                        email=f"a{r}@example.org",
                        name=f"Attendee {r}",
                        timezone="Asia/Hong_Kong",
                        status=RegistrationStatus.CONFIRMED,
                        consented_at=now,
                    )
                )
        db.session.commit()
        db.engine.dispose()
    return "re-industrialization", first_id


def worker_rss_mb(master: subprocess.Popen[bytes]) -> list[float]:
    """Resident memory of each gunicorn worker (the master's children), in MB."""
    sizes = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(
                line.split(":", 1) for line in status.read_text().splitlines() if ":" in line
            )
        except OSError:
            continue
        if fields.get("PPid", "").strip() == str(master.pid) and "VmRSS" in fields:
            sizes.append(int(fields["VmRSS"].split()[0]) / 1024)
    return sorted(sizes)


_RATE = re.compile(r"Requests/sec:\s+([\d.]+)")
_LATENCY = re.compile(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)", re.MULTILINE)


def wrk(url: str, duration: int) -> tuple[float, dict[str, float]]:
    output = subprocess.run(
        ["wrk", "-t2", "-c32", f"-d{duration}s", "--latency", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    match = _RATE.search(output)
    if match is None:
        raise RuntimeError(f"wrk printed no rate:\n{output}")
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    latency = {f"p{p}": float(v) * scale[u] for p, v, u in _LATENCY.findall(output)}
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if errors:
        raise RuntimeError(f"{url}: {errors.group(1)} error responses")
    return float(match.group(1)), latency


def forget_cache(redis_url: str) -> None:
    """Leave the Redis database as it was: drop the cache entries this run wrote."""
    import redis

    client = redis.Redis.from_url(redis_url)
    for key in client.scan_iter("eventhub:*"):
        client.delete(key)
    client.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--sessions", type=int, default=8)
    parser.add_argument("--cache", default=None, help="EVENTHUB_PUBLIC_CACHE (default: auto)")
    parser.add_argument("--redis-url", default=None)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: apt-get install -y wrk")

    workdir = Path(tempfile.mkdtemp(prefix="eventhub-bench-"))
    env = {
        **os.environ,
        "EVENTHUB_INSTANCE_PATH": str(workdir / "instance"),
        "DATABASE_URL": args.database_url or f"sqlite:///{workdir / 'bench.sqlite'}",
        "SECRET_KEY": "bench-secret",
        "CELERY_BROKER_URL": "memory://",
        "EVENTHUB_BASE_URL": "http://127.0.0.1",
    }
    if args.redis_url:
        env["REDIS_URL"] = args.redis_url
    if args.cache:
        env["EVENTHUB_PUBLIC_CACHE"] = args.cache
    slug, session_id = seed(env, args.sessions)

    bare_port, app_port = free_port(), free_port()
    bare = start_gunicorn("bare_flask_app:app", bare_port, env, ROOT / "benches")
    eventhub = start_gunicorn("wsgi:app", app_port, env, ROOT)
    targets = {
        "bare Flask": f"http://127.0.0.1:{bare_port}/",
        "series page": f"http://127.0.0.1:{app_port}/series/{slug}",
        "session API": f"http://127.0.0.1:{app_port}/api/v1/sessions/{session_id}",
        "session page": f"http://127.0.0.1:{app_port}/series/{slug}/webinar-2",
    }
    # Each target is measured right after its own bare-Flask run, so load from elsewhere on
    # the machine hits both halves of a ratio alike.
    ratios: dict[str, list[float]] = {name: [] for name in targets if name != "bare Flask"}
    rates: dict[str, list[float]] = {name: [] for name in targets}
    latencies: dict[str, dict[str, float]] = {}
    try:
        for url in targets.values():
            wrk(url, 1)  # warm up: imports, first render, cache fill
        for _ in range(args.runs):
            for name in ratios:
                bare_rate, latencies["bare Flask"] = wrk(targets["bare Flask"], args.duration)
                rate, latencies[name] = wrk(targets[name], args.duration)
                rates["bare Flask"].append(bare_rate)
                rates[name].append(rate)
                ratios[name].append(rate / bare_rate)
        rss = worker_rss_mb(eventhub)
    finally:
        stop_gunicorn(bare)
        stop_gunicorn(eventhub)
        shutil.rmtree(workdir, ignore_errors=True)
        if args.redis_url:
            forget_cache(args.redis_url)

    cache = args.cache or ("redis" if args.redis_url else "filesystem")
    print(
        f"gunicorn 2 sync workers, wrk -t2 -c32 -d{args.duration}s, {args.runs} run(s) per "
        f"target, each paired with a bare-Flask run; cache={cache}, {args.sessions} sessions"
    )
    print(f"{'target':<26}{'req/s per run':<30}{'p50/p99 ms':<16}ratio to bare (per run)")
    for name, values in rates.items():
        shown = ", ".join(f"{r:,.0f}" for r in values)
        lat = latencies[name]
        per_run = ", ".join(f"{r:.2f}" for r in ratios.get(name, [1.0]))
        print(f"{name:<26}{shown:<30}{lat.get('p50', 0):>6.1f}/{lat.get('p99', 0):<9.1f}{per_run}")
    shown_rss = ", ".join(f"{mb:.0f} MB" for mb in rss)
    print(f"eventhub web worker RSS after the load runs: {shown_rss} (target <= 150 MB each)")


if __name__ == "__main__":
    main()
