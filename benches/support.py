"""The services a benchmark runs against, without pytest or the test suite.

A benchmark is run by hand from the checkout (`python benches/bench_….py`), so a missing service
stops it with the reason instead of skipping. The databases are the same as the tests use
(`EVENTHUB_TEST_PG_ADMIN_URL`, `EVENTHUB_TEST_REDIS_HOST`/`_PORT`, same defaults): each run
creates and drops its own PostgreSQL database and claims an empty Redis database number.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from flask import Flask

ROOT = Path(__file__).resolve().parents[1]
PG_ADMIN_URL = os.environ.get(
    "EVENTHUB_TEST_PG_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REDIS_HOST = os.environ.get("EVENTHUB_TEST_REDIS_HOST", "127.0.0.1")
REDIS_PORT = int(os.environ.get("EVENTHUB_TEST_REDIS_PORT", "6379"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def bench_config(instance: Path, database_url: str, **extra: Any) -> dict[str, Any]:
    """create_app() settings for the app a benchmark seeds and drives in its own process: its own
    instance folder and database, no rate limits (one client posting a lot), no public cache and
    errors raised (TESTING), mail to an SMTP server given in `extra`."""
    config: dict[str, Any] = {
        "TESTING": True,
        "SECRET_KEY": "bench-secret-key",
        "EVENTHUB_INSTANCE_PATH": str(instance),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "CELERY_BROKER_URL": "memory://",
        "MAIL_SERVER": None,
        "EVENTHUB_BASE_URL": "http://eventhub.test",
        "RATELIMIT_ENABLED": False,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_STORAGE_URI": "memory://",
    }
    config.update(extra)
    return config


def migrate_schema(app: Flask) -> None:
    from flask_migrate import upgrade

    from eventhub.extensions import db

    with app.app_context():
        upgrade()
        db.engine.dispose()


BASELINE_SENDER = "eventhub <no-reply@eventhub.localhost>"


def smtplib_loop(messages: list[dict[str, Any]], port: int) -> float:
    """The benches' baseline: build each EmailMessage (its extra headers, its .ics invites) and
    send it with smtplib over one reused connection; messages per second.

    Each message is a dict with to, name, subject, text, html, and optionally headers (name ->
    value) and attachments (dicts with filename and data_base64, sent as text/calendar).
    """
    import base64
    import smtplib
    from datetime import UTC, datetime
    from email.message import EmailMessage
    from email.utils import format_datetime

    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as connection:
        for n, m in enumerate(messages):
            message = EmailMessage()
            message["From"] = BASELINE_SENDER
            message["To"] = f"{m['name']} <{m['to']}>"
            message["Subject"] = m["subject"]
            message["Date"] = format_datetime(datetime.now(UTC))
            message["Message-ID"] = f"<bench-{n}@eventhub.localhost>"
            for name, value in m.get("headers", {}).items():
                message[name] = value
            message.set_content(m["text"])
            message.add_alternative(m["html"], subtype="html")
            for attachment in m.get("attachments", []):
                message.add_attachment(
                    base64.b64decode(attachment["data_base64"]),
                    maintype="text",
                    subtype="calendar",
                    filename=attachment["filename"],
                    params={"method": "REQUEST"},
                )
            connection.send_message(message)
    return len(messages) / (time.perf_counter() - started)


def seed_open_session(slug: str, seats: int) -> int:
    """One published series with one published session a week ahead; its id (app context)."""
    from datetime import timedelta

    from eventhub.clock import utcnow
    from eventhub.extensions import db
    from eventhub.scheduling.models import Series, Session, SessionStatus

    series = Series(slug=slug, title="Opening minute", timezone="Asia/Hong_Kong")
    series.is_published = True
    session = Session(
        series=series,
        number=1,
        title="How does AI reinvent industrialization?",
        slug=slug,
        starts_at=(utcnow() + timedelta(days=7)).replace(second=0, microsecond=0),
        timezone="Asia/Hong_Kong",
        join_url="https://meet.example.org/j/1",
        status=SessionStatus.PUBLISHED,
        capacity=seats,
    )
    db.session.add(session)
    db.session.commit()
    return session.id


@contextmanager
def postgres_database() -> Iterator[str]:
    """A database of this run's own, dropped afterwards."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import OperationalError

    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"eventhub_bench_{os.getpid()}_{secrets.token_hex(4)}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as exc:
        admin.dispose()
        sys.exit(f"PostgreSQL is not reachable at {PG_ADMIN_URL}: {exc.orig}")
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    try:
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def redis_database() -> Iterator[str]:
    """An empty Redis database number held by this run alone (a lock key claims it)."""
    import redis

    marker = f"eventhub-bench-run:{os.getpid()}:{secrets.token_hex(4)}"
    for number in range(15, 0, -1):
        client = redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=number)
        try:
            claimed = client.dbsize() == 0 and client.set(
                "eventhub-test-lock", marker, nx=True, ex=3600
            )
        except redis.ConnectionError as exc:
            client.close()
            sys.exit(f"Redis is not reachable at {REDIS_HOST}:{REDIS_PORT}: {exc}")
        if claimed:
            try:
                yield f"redis://{REDIS_HOST}:{REDIS_PORT}/{number}"
            finally:
                client.flushdb()
                client.close()
            return
        client.close()
    sys.exit("no free Redis database number (1-15) for this benchmark")


class WorkerProcess:
    def __init__(self, process: subprocess.Popen[bytes], log_path: Path) -> None:
        self.process = process
        self.log_path = log_path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        if self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            with suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)


@contextmanager
def celery_worker(
    settings: Mapping[str, str], log_path: Path, *, concurrency: int = 2
) -> Iterator[WorkerProcess]:
    """`celery -A wsgi.celery worker` (prefork) on this checkout, once it reports ready."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MAIL_", "EVENTHUB_"))}
    env.update(settings)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    command = [
        sys.executable, "-m", "celery", "-A", "wsgi.celery", "worker", "--loglevel=INFO",
        f"--concurrency={concurrency}", "--pool=prefork", "--without-gossip",
        "--without-mingle", "--without-heartbeat", "-n", f"bench-{os.getpid()}@%h",
    ]  # fmt: skip
    with log_path.open("wb") as log_file:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        worker = WorkerProcess(process, log_path)
        try:
            deadline = time.monotonic() + 60
            while "ready." not in worker.log():
                if process.poll() is not None:
                    sys.exit(f"celery worker exited early:\n{worker.log()}")
                if time.monotonic() > deadline:
                    sys.exit(f"celery worker not ready in 60 s:\n{worker.log()}")
                time.sleep(0.1)
            yield worker
        finally:
            worker.stop()


class CountingHandler:
    """An aiosmtpd handler that accepts everything; remembers how many arrived, when the last
    one did, and how often each recipient got mail (duplicates show as counts above 1)."""

    def __init__(self) -> None:
        self.count = 0
        self.last = 0.0
        self.recipients: Counter[str] = Counter()
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.count += 1
            self.last = time.time()
            self.recipients.update(envelope.rcpt_tos)
        return "250 OK"

    def reset(self) -> None:
        with self.lock:
            self.count = 0
            self.last = 0.0
            self.recipients.clear()

    def wait_for(self, n: int, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while self.count < n:
            if time.monotonic() > deadline:
                raise SystemExit(f"only {self.count} of {n} messages arrived in {timeout}s")
            time.sleep(0.01)


def peak_rss_mb(root_pid: int, stop: threading.Event, result: list[float]) -> None:
    """Largest summed RSS of the worker's process group, and of one process, while it runs."""
    peak = largest = 0.0
    while not stop.is_set():
        total = 0
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                stat = Path(f"/proc/{entry}/stat").read_text().split()
                if int(stat[4]) != root_pid:  # process group id
                    continue
                for line in Path(f"/proc/{entry}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
                        largest = max(largest, int(line.split()[1]) / 1024)
            except (OSError, IndexError, ValueError):
                continue
        peak = max(peak, total / 1024)
        time.sleep(0.2)
    result.extend([peak, largest])
