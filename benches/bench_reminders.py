"""Reminder fan-out: 10,000 confirmed registrants, a real worker, a loopback SMTP server.

Prints messages/second from the first outbox row to the last message received, and the ratio
to a plain smtplib loop that builds the same messages and sends them over one reused
connection, measured in the same run (before and after the pipeline; their mean is the
baseline). Needs PostgreSQL and Redis as the tests do (tests/support/services.py).

    .venv/bin/python benches/bench_reminders.py [--registrants 10000]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
from contextlib import ExitStack
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from aiosmtpd.controller import Controller
from sqlalchemy import func, insert, select

from benches.support import (
    CountingHandler,
    bench_config,
    celery_worker,
    free_port,
    migrate_schema,
    peak_rss_mb,
    postgres_database,
    redis_database,
    smtplib_loop,
)
from eventhub import create_app
from eventhub.clock import utcnow
from eventhub.emails.reminders import build_reminder, registrations_due
from eventhub.extensions import db
from eventhub.mail.models import MessageStatus, OutboxMessage
from eventhub.registration.models import Registration, RegistrationStatus
from eventhub.scheduling.models import Series, Session, SessionStatus
from eventhub.speakers.mail_context import per_reader


def seed(registrants: int) -> Session:
    series = Series(
        slug="bench", title="Re-industrialization", timezone="Asia/Hong_Kong", is_published=True
    )
    start = (utcnow() + timedelta(days=3)).replace(second=0, microsecond=0)
    session = Session(
        series=series,
        number=1,
        title="How does AI reinvent industrialization?",
        slug="ai",
        starts_at=start,
        timezone="Asia/Hong_Kong",
        join_url="https://meet.example.org/j/123",
        status=SessionStatus.PUBLISHED,
    )
    db.session.add_all([series, session])
    db.session.flush()
    earlier = utcnow() - timedelta(days=1)
    zones = ["Asia/Hong_Kong", "Europe/London", "America/New_York", "Asia/Singapore"]
    db.session.execute(
        insert(Registration),
        [
            {
                "session_id": session.id,
                "email": f"person{i}@example.org",
                "name": f"Person {i}",
                "organisation": "",
                "timezone": zones[i % len(zones)],
                "answers": {},
                "status": RegistrationStatus.CONFIRMED,
                "is_marketing_consent": False,
                "consented_at": earlier,
                "confirmed_at": earlier,
                "created_at": earlier,
                "updated_at": earlier,
                "is_attended": False,
                "token_version": 0,
                "cancel_reason": "",
            }
            for i in range(registrants)
        ],
    )
    db.session.commit()
    return session


def baseline_messages(session: Session) -> list[dict[str, Any]]:
    """The same reminders the pipeline renders (subject, bodies, headers), rendered up front."""
    contexts = per_reader(session)
    offset = 24 * 60
    rows = []
    for registration in registrations_due(session, offset):
        envelope, email = build_reminder(session, offset, registration, contexts=contexts)
        rows.append(
            {
                "to": envelope.recipient_email,
                "name": envelope.recipient_name,
                "subject": email.subject,
                "html": email.html,
                "text": email.text,
                "headers": envelope.headers,
                "key": envelope.dedupe_key,
            }
        )
    db.session.rollback()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--registrants", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument(
        "--worker-nice",
        type=int,
        default=None,
        help="EVENTHUB_WORKER_NICE for the worker (default: the product's, 10); the smtplib "
        "baseline runs at this process's own priority, so on a busy machine 0 compares like "
        "with like",
    )
    args = parser.parse_args()
    n = args.registrants
    with ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        pg_url = stack.enter_context(postgres_database())
        redis_url = stack.enter_context(redis_database())
        handler = CountingHandler()
        port = free_port()
        controller = Controller(handler, hostname="127.0.0.1", port=port)
        controller.start()
        stack.callback(controller.stop)
        config = bench_config(
            workdir,
            pg_url,
            CELERY_BROKER_URL=redis_url,
            REDIS_URL=redis_url,
            MAIL_SERVER="127.0.0.1",
            MAIL_PORT=port,
        )
        migrate_schema(create_app(config))
        app = create_app(config)
        stack.enter_context(app.app_context())
        session = seed(n)
        messages = baseline_messages(session)
        assert len(messages) == n

        handler.reset()
        before = smtplib_loop(messages, port)
        handler.wait_for(n, 60)

        settings = {
            "DATABASE_URL": pg_url,
            "CELERY_BROKER_URL": redis_url,
            "REDIS_URL": redis_url,
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": str(port),
            "SECRET_KEY": "test-secret-key",
            "EVENTHUB_BASE_URL": "http://eventhub.test",
            "EVENTHUB_INSTANCE_PATH": str(workdir),
            "EVENTHUB_ENV": "production-like",
        }
        if args.worker_nice is not None:
            settings["EVENTHUB_WORKER_NICE"] = str(args.worker_nice)
        worker = stack.enter_context(
            celery_worker(settings, workdir / "worker.log", concurrency=args.concurrency)
        )
        time.sleep(1.0)  # let the pool children finish importing
        handler.reset()
        stop, rss = threading.Event(), list[float]()
        sampler = threading.Thread(target=peak_rss_mb, args=(worker.process.pid, stop, rss))
        sampler.start()
        day_before = (session.starts_at - timedelta(hours=24)).isoformat()
        app.extensions["celery"].send_task(
            "eventhub.mail.create_reminders", kwargs={"now": day_before}
        )
        handler.wait_for(n, 300)
        stop.set()
        sampler.join()
        db.session.rollback()
        first_row = db.session.scalar(select(func.min(OutboxMessage.created_at)))
        sent = db.session.scalar(
            select(func.count()).where(OutboxMessage.status == MessageStatus.SENT)
        )
        assert first_row is not None
        elapsed = handler.last - first_row.timestamp()
        pipeline = n / elapsed

        handler.reset()
        after = smtplib_loop(messages, port)
        handler.wait_for(n, 60)
        baseline = (before + after) / 2
        print(f"registrants            {n}")
        print(
            f"worker                 prefork x{args.concurrency}, batches of 200 rows, "
            f"one SMTP connection per task, marks every 50 rows"
        )
        print(
            f"pipeline               {elapsed:.2f} s first outbox row -> last message "
            f"({pipeline:.0f} msg/s; {handler.count} received, {sent} rows marked sent)"
        )
        print(
            f"smtplib loop           {before:.0f} msg/s before, {after:.0f} msg/s after "
            f"(baseline {baseline:.0f} msg/s)"
        )
        print(f"ratio                  {pipeline / baseline:.2f} (target >= 0.80)")
        print(f"worker peak RSS        {rss[0]:.0f} MB all processes, {rss[1]:.0f} MB largest one")
        print(
            "timer resolution       time.time() "
            f"{time.get_clock_info('time').resolution * 1e6:.3g} us"
        )


if __name__ == "__main__":
    main()
