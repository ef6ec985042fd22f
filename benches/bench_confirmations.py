"""The opening minute's emails: 10,000 confirmations and waitlist notices through a real worker.

One session with 1,000 seats; 10,000 sign-ups go through the registration service inside the
request boundary (`change()` around `register_after_a_twin`, as the API does), so the outbox
rows and their after-commit wake-ups are exactly what a sign-up writes. Needs PostgreSQL and
Redis as the tests do (benches/support.py). Two phases, each on a fresh database:

- **backlog**: all sign-ups first, no worker running (the broker keeps the wake-ups they
  sent: one when coalesced); then a real worker (prefork x2) starts and delivers every row.
  Time from the worker's "ready" to the last message at the aiosmtpd server, as msg/s, and
  its ratio to a plain smtplib loop that builds the same messages (text + HTML + the .ics
  where there is one) and sends them over one reused connection, measured in the same run
  (before and after; their mean is the baseline).
- **live**: the worker runs while `--threads` threads sign people up as fast as they can;
  time from the first outbox row to the last message, and from the last sign-up's commit to
  the last message (issue 15: within 60 s).

Both print how many deliver_due tasks the worker ran, duplicates (a recipient mailed twice)
and the worker's peak RSS (all processes, and the largest one).

    .venv/bin/python benches/bench_confirmations.py                          # 10,000 / 1,000
    .venv/bin/python benches/bench_confirmations.py --signups 2000 --seats 200 --phase backlog
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from aiosmtpd.controller import Controller
from flask import Flask
from sqlalchemy import func, select

from benches.support import (
    CountingHandler,
    WorkerProcess,
    bench_config,
    celery_worker,
    free_port,
    migrate_schema,
    peak_rss_mb,
    postgres_database,
    redis_database,
    seed_open_session,
    smtplib_loop,
)
from eventhub import create_app
from eventhub.extensions import db
from eventhub.mail.models import MessageStatus, OutboxMessage
from eventhub.mail.outbox import attachments_at_send_time, render_deferred
from eventhub.registration import services
from eventhub.transaction import change, reraise

ZONES = ["Europe/London", "Asia/Hong_Kong", "America/New_York", "Asia/Singapore"]
TASK_RECEIVED = re.compile(r"eventhub\.mail\.deliver_due\[[^\]]+\] received")


def sign_up(session_id: int, n: int) -> None:
    """One sign-up as the API makes it: the service inside the request's one commit."""
    applicant = services.Applicant(
        name=f"Person {n}", email=f"person{n}@example.org", timezone=ZONES[n % len(ZONES)]
    )
    with change(show=reraise):
        services.register_after_a_twin(session_id, applicant)


def sign_up_all(app: Flask, session_id: int, numbers: range, threads: int) -> float:
    """Sign up everyone in `numbers` from `threads` threads; the time of the last commit."""
    last = [0.0]
    lock = threading.Lock()

    def run(part: range) -> None:
        with app.app_context():
            for n in part:
                sign_up(session_id, n)
                with lock:
                    last[0] = max(last[0], time.time())
            db.session.remove()

    workers = [threading.Thread(target=run, args=(numbers[i::threads],)) for i in range(threads)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    return last[0]


def baseline_messages() -> list[dict[str, Any]]:
    """The messages the pipeline sends (rendered, invites built), prepared up front."""
    rows = list(db.session.execute(select(OutboxMessage.__table__).order_by(OutboxMessage.id)))
    attachments = attachments_at_send_time(rows)
    messages = []
    for row in rows:
        email = render_deferred(row)
        assert email is not None
        messages.append(
            {
                "to": row.recipient_email,
                "name": row.recipient_name,
                "subject": email.subject,
                "html": email.html,
                "text": email.text,
                "attachments": attachments.get(row.id, []),
            }
        )
    db.session.rollback()
    return messages


@contextmanager
def sampled(worker: WorkerProcess) -> Iterator[list[float]]:
    """The worker's peak RSS while the block runs: [all processes, largest one] in MB."""
    stop, rss = threading.Event(), list[float]()
    sampler = threading.Thread(target=peak_rss_mb, args=(worker.process.pid, stop, rss))
    sampler.start()
    try:
        yield rss
    finally:
        stop.set()
        sampler.join()


def code_version() -> str:
    root = Path(__file__).resolve().parents[1]
    git = ["git", "-C", str(root), "rev-parse", "--short", "HEAD"]
    return subprocess.run(git, capture_output=True, text=True, check=False).stdout.strip()


def load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def delivered(handler: CountingHandler, n: int) -> str:
    sent = db.session.scalar(select(func.count()).where(OutboxMessage.status == MessageStatus.SENT))
    twice = sum(1 for count in handler.recipients.values() if count > 1)
    people = len(handler.recipients)
    return f"{handler.count} received, {people} recipients, {twice} twice, {sent} rows sent"


class Run:
    """One phase's services: its own database and Redis number, the SMTP server, the app."""

    def __init__(self, stack: ExitStack, handler: CountingHandler, port: int) -> None:
        self.workdir = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        self.pg_url = stack.enter_context(postgres_database())
        self.redis_url = stack.enter_context(redis_database())
        config = bench_config(
            self.workdir,
            self.pg_url,
            CELERY_BROKER_URL=self.redis_url,
            REDIS_URL=self.redis_url,
            MAIL_SERVER="127.0.0.1",
            MAIL_PORT=port,
        )
        migrate_schema(create_app(config))
        self.app = create_app(config)
        stack.enter_context(self.app.app_context())
        self.settings = {
            "DATABASE_URL": self.pg_url,
            "CELERY_BROKER_URL": self.redis_url,
            "REDIS_URL": self.redis_url,
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": str(port),
            "SECRET_KEY": "bench-secret-key",
            "EVENTHUB_BASE_URL": "http://eventhub.test",
            "EVENTHUB_INSTANCE_PATH": str(self.workdir),
            "EVENTHUB_ENV": "production-like",
        }

    def worker(self, stack: ExitStack, concurrency: int) -> WorkerProcess:
        log = self.workdir / "worker.log"
        return stack.enter_context(celery_worker(self.settings, log, concurrency=concurrency))

    def queued_tasks(self) -> int:
        import redis

        client = redis.Redis.from_url(self.redis_url)
        try:
            return int(client.llen("celery"))
        finally:
            client.close()


def backlog(args: argparse.Namespace, handler: CountingHandler, port: int) -> None:
    n = args.signups
    with ExitStack() as stack:
        run = Run(stack, handler, port)
        session_id = seed_open_session("opening", args.seats)
        started = time.perf_counter()
        sign_up_all(run.app, session_id, range(n), args.threads)
        signing = time.perf_counter() - started
        queued = run.queued_tasks()
        messages = baseline_messages()
        assert len(messages) == n
        handler.reset()
        before = smtplib_loop(messages, port)
        handler.wait_for(n, 120)

        handler.reset()
        load_before = load()
        worker = run.worker(stack, args.concurrency)
        ready = time.time()
        with sampled(worker) as rss:
            handler.wait_for(n, 900)
            time.sleep(1.0)  # a duplicate would arrive here
        elapsed = handler.last - ready
        db.session.rollback()
        report = delivered(handler, n)
        tasks = len(TASK_RECEIVED.findall(worker.log()))
        load_after = load()
        handler.reset()
        after = smtplib_loop(messages, port)
        handler.wait_for(n, 120)
        baseline = (before + after) / 2
        print(f"backlog: {n} sign-ups ({args.seats} seats) in {signing:.1f} s before the worker")
        print(f"  wake-ups queued by the sign-ups  {queued}")
        print(
            f"  pipeline                         {elapsed:.2f} s worker ready -> last message "
            f"({n / elapsed:.0f} msg/s; {report})"
        )
        print(f"  deliver_due tasks run            {tasks}")
        print(
            f"  smtplib loop                     {before:.0f} msg/s before, {after:.0f} after "
            f"(baseline {baseline:.0f} msg/s)"
        )
        print(f"  ratio                            {n / elapsed / baseline:.2f}")
        print(f"  worker peak RSS                  {rss[0]:.0f} MB all, {rss[1]:.0f} MB largest")
        print(f"  load                             {load_before} -> {load_after}")


def live(args: argparse.Namespace, handler: CountingHandler, port: int) -> None:
    n = args.signups
    with ExitStack() as stack:
        run = Run(stack, handler, port)
        session_id = seed_open_session("opening", args.seats)
        worker = run.worker(stack, args.concurrency)
        time.sleep(1.0)  # let the pool children finish importing
        handler.reset()
        load_before = load()
        with sampled(worker) as rss:
            started = time.time()
            last_signup = sign_up_all(run.app, session_id, range(n), args.threads)
            handler.wait_for(n, 900)
            time.sleep(1.0)
        db.session.rollback()
        first_row = db.session.scalar(select(func.min(OutboxMessage.created_at)))
        assert first_row is not None
        report = delivered(handler, n)
        tasks = len(TASK_RECEIVED.findall(worker.log()))
        print(
            f"live: {n} sign-ups ({args.seats} seats) from {args.threads} threads in "
            f"{last_signup - started:.1f} s ({n / (last_signup - started):.0f}/s), worker running"
        )
        print(
            f"  first outbox row -> last message {handler.last - first_row.timestamp():.2f} s "
            f"({report})"
        )
        after_last = handler.last - last_signup
        print(f"  last sign-up -> last message     {after_last:.2f} s (target < 60)")
        print(f"  deliver_due tasks run            {tasks}")
        print(f"  worker peak RSS                  {rss[0]:.0f} MB all, {rss[1]:.0f} MB largest")
        print(f"  load                             {load_before} -> {load()}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--signups", type=int, default=10_000)
    parser.add_argument("--seats", type=int, default=1_000)
    parser.add_argument("--concurrency", type=int, default=2, help="worker pool children")
    parser.add_argument("--threads", type=int, default=4, help="threads signing people up")
    parser.add_argument("--phase", choices=["backlog", "live", "both"], default="both")
    args = parser.parse_args()
    handler = CountingHandler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        print(f"code {code_version()}, load {load()}")
        if args.phase in ("backlog", "both"):
            backlog(args, handler, port)
        if args.phase in ("live", "both"):
            live(args, handler, port)
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
