"""Costs flat as history grows: 1,000 sessions / 200,000 registrations against a small series.

Two PostgreSQL databases of their own, migrated and seeded: a *small* one (one series of 8
sessions, 200 registrations each: 1,600 in all) and a *large* one (one series of 1,000
sessions, 200 registrations each: 200,000). In both, the measured session is upcoming with the
same 200 registrations, so what differs is only the history around it. In-process (the Flask
test client, no cache, no web server) it times, median of `--repeat` runs alternating small and
large run by run (the load of a shared machine drifts), and counts the SQL statements of:

- the series page and the session page (with its live registration form),
- a registration POST (the JSON API) for the measured session,
- the reminder sweep (`create_due_reminders` at the moment the session's 24 h reminder is due),
- the organiser's CSV export of the session (the streamed service, every line consumed).

Target (PERFORMANCE.md / issue 15): large within 2x of small, the same statement counts.

    .venv/bin/python benches/bench_scale.py [--sessions 1000] [--per-session 200] [--repeat 15]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import ExitStack
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import event, text  # noqa: E402

from benches.support import bench_config, migrate_schema, postgres_database  # noqa: E402
from eventhub import create_app  # noqa: E402
from eventhub.clock import utcnow  # noqa: E402
from eventhub.emails.reminders import create_due_reminders  # noqa: E402
from eventhub.extensions import db  # noqa: E402
from eventhub.registration.answers import questions_for  # noqa: E402
from eventhub.registration.exports import Filters, stream_csv  # noqa: E402
from eventhub.scheduling.models import Series, Session, SessionStatus  # noqa: E402

# Registrations of every session, by SQL (the triggers keep the seat counters as they go).
REGISTRATIONS = """
INSERT INTO registrations (session_id, email, name, organisation, timezone, language, answers,
    status, is_marketing_consent, consented_at, confirmed_at, cancel_reason, is_attended,
    token_version, created_at, updated_at)
SELECT s.id, 'p' || n || '-' || s.id || '@example.org', 'Person ' || n, 'Org', 'Europe/London',
    'en', '{}', 'confirmed', false, now(), now(), '', false, 0, now(), now()
FROM sessions s CROSS JOIN generate_series(1, :per_session) AS n
"""

COUNTERS = """
UPDATE sessions SET seats_held = c.held FROM (
    SELECT session_id, count(*) AS held FROM registrations GROUP BY session_id
) AS c WHERE c.session_id = sessions.id
"""


def seed(app: Any, sessions: int, per_session: int, now: datetime) -> int:
    """A published series of `sessions` (the last one the measured, upcoming one)."""
    with app.app_context():
        series = Series(slug="scale", title="Scale", timezone="Asia/Hong_Kong", is_published=True)
        db.session.add(series)
        # Past sessions every 6 hours back in time; the measured one in 3 days.
        for n in range(1, sessions):
            db.session.add(
                Session(
                    series=series,
                    number=n,
                    title=f"Webinar {n}",
                    slug=f"w{n}",
                    starts_at=now - timedelta(hours=6 * (sessions - n)),
                    timezone="Asia/Hong_Kong",
                    status=SessionStatus.PUBLISHED,
                    capacity=per_session * 2,
                )
            )
        measured = Session(
            series=series,
            number=sessions,
            title="Measured",
            slug="measured",
            starts_at=now + timedelta(days=3),
            timezone="Asia/Hong_Kong",
            join_url="https://meet.example.org/j/1",
            status=SessionStatus.PUBLISHED,
            capacity=per_session * 2,
        )
        db.session.add(measured)
        db.session.commit()
        # Row by row the seat-counter triggers made seeding 200,000 rows take minutes: off for
        # the bulk insert, then the counters set from the counts as migration 0017 does.
        db.session.execute(text("ALTER TABLE registrations DISABLE TRIGGER USER"))
        db.session.execute(text(REGISTRATIONS), {"per_session": per_session})
        db.session.execute(text("ALTER TABLE registrations ENABLE TRIGGER USER"))
        db.session.execute(text(COUNTERS))
        db.session.execute(text("ANALYZE"))
        db.session.commit()
        return measured.id


def timed(app: Any, action: Callable[[], None]) -> tuple[float, int]:
    """Wall time (ms) and statement count of one run of `action`."""
    with app.app_context():
        db.session.remove()
        count = [0]

        def record(*_: Any) -> None:
            count[0] += 1

        event.listen(db.engine, "before_cursor_execute", record)
        started = time.perf_counter()
        try:
            action()
        finally:
            elapsed = time.perf_counter() - started
            event.remove(db.engine, "before_cursor_execute", record)
    return elapsed * 1000, count[0]


def prepare_case(
    stack: ExitStack, sessions: int, per_session: int
) -> tuple[Any, dict[str, Callable[[], None]]]:
    """A migrated, seeded database and app, and the actions to time against it."""
    url = stack.enter_context(postgres_database())
    tmp = stack.enter_context(tempfile.TemporaryDirectory())
    now = utcnow().replace(microsecond=0)
    app = create_app(bench_config(Path(tmp), url, EVENTHUB_PUBLIC_CACHE="null"))
    migrate_schema(app)
    started = time.perf_counter()
    session_id = seed(app, sessions, per_session, now)
    print(
        f"  seeded {sessions} sessions x {per_session} registrations "
        f"in {time.perf_counter() - started:.1f} s",
        flush=True,
    )
    client = app.test_client()
    posted = [0]

    def get(path: str) -> Callable[[], None]:
        def action() -> None:
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)

        return action

    def register() -> None:
        posted[0] += 1
        response = client.post(
            f"/api/v1/sessions/{session_id}/registrations",
            json={"name": "New", "email": f"new{posted[0]}@example.org", "consent": True},
        )
        assert response.status_code == 201, response.get_data(as_text=True)

    def sweep() -> None:
        # The measured session's 24-hour reminder is due (its rows are written by the first
        # run; later runs find them there and write nothing new).
        create_due_reminders(now + timedelta(days=2, minutes=1))

    def export() -> None:
        found = db.session.get(Session, session_id)
        assert found is not None
        chunks = stream_csv([session_id], Filters(), questions_for(found.series_id), "UTC")
        assert sum(chunk.count("\n") for chunk in chunks) >= per_session

    stack.callback(lambda: _dispose(app))
    return app, {
        "series page": get("/series/scale"),
        "session page": get("/series/scale/measured"),
        "registration POST": register,
        "reminder sweep (first run)": sweep,
        "reminder sweep (again)": sweep,
        "CSV export (1 session)": export,
    }


def _dispose(app: Any) -> None:
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=1000)
    parser.add_argument("--small-sessions", type=int, default=8)
    parser.add_argument("--per-session", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    with ExitStack() as stack:
        print("small:", flush=True)
        small = prepare_case(stack, args.small_sessions, args.per_session)
        print("large:", flush=True)
        large = prepare_case(stack, args.sessions, args.per_session)
        print(
            f"\n{'what':28s} {'small ms':>9s} {'large ms':>9s} {'ratio':>6s}   "
            "statements small/large"
        )
        for what in small[1]:
            # Alternate small and large run by run: the machine's load drifts over minutes.
            runs = 1 if what.endswith("(first run)") else args.repeat
            times: dict[str, list[float]] = {"small": [], "large": []}
            counts: dict[str, int] = {}
            for _ in range(runs):
                for name, (app, actions) in (("small", small), ("large", large)):
                    elapsed, statements = timed(app, actions[what])
                    times[name].append(elapsed)
                    counts[name] = statements
            small_ms, large_ms = (statistics.median(times[n]) for n in ("small", "large"))
            ratio = large_ms / small_ms if small_ms else float("nan")
            verdict = "ok" if ratio <= 2 and counts["small"] == counts["large"] else "MISSED"
            print(
                f"{what:28s} {small_ms:9.1f} {large_ms:9.1f} {ratio:5.2f}x   "
                f"{counts['small']} / {counts['large']}  {verdict}",
                flush=True,
            )


if __name__ == "__main__":
    main()
