"""A private stack for tests that stop Redis or kill workers: own redis-server, SMTP, worker."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from flask import Flask

from eventhub import clock, create_app
from eventhub.extensions import db
from tests.conftest import _empty_postgres, base_config
from tests.support.services import free_port, port_open, unavailable
from tests.support.smtp import RecordingHandler, SmtpServer


class RedisServer:
    """A redis-server of this test's own, so stopping it disturbs no one else."""

    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.workdir = workdir
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            unavailable("redis-server is not installed")
        assert binary is not None
        self.process = subprocess.Popen(
            [
                binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
                "--dir",
                str(self.workdir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while not port_open("127.0.0.1", self.port):
            if time.monotonic() > deadline:
                raise RuntimeError("redis-server did not start")
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


class SlowHandler(RecordingHandler):
    """Accepts like the shared server, a few milliseconds per message (a batch takes time)."""

    delay: float = 0.004

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        await asyncio.sleep(self.delay)
        return await super().handle_DATA(server, session, envelope)


@contextmanager
def smtp_server(handler: RecordingHandler) -> Iterator[SmtpServer]:
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield SmtpServer(handler, port)
    finally:
        controller.stop()


@contextmanager
def private_stack(
    pg_url: str, workdir: Path, handler: RecordingHandler | None = None
) -> Iterator[tuple[Flask, RedisServer, SmtpServer, dict[str, str]]]:
    """App + settings for a worker on PostgreSQL, a private Redis and a private SMTP server."""
    redis = RedisServer(workdir)
    redis.start()
    try:
        with smtp_server(handler or RecordingHandler()) as smtp:
            settings = {
                "DATABASE_URL": pg_url,
                "CELERY_BROKER_URL": redis.url,
                "REDIS_URL": redis.url,
                "MAIL_SERVER": smtp.host,
                "MAIL_PORT": str(smtp.port),
                "SECRET_KEY": "test-secret-key",
                "EVENTHUB_BASE_URL": "http://eventhub.test",
                "EVENTHUB_INSTANCE_PATH": str(workdir / "instance"),
            }
            app = create_app(
                base_config(
                    workdir / "instance",
                    pg_url,
                    CELERY_BROKER_URL=redis.url,
                    REDIS_URL=redis.url,
                    MAIL_SERVER=smtp.host,
                    MAIL_PORT=smtp.port,
                )
            )
            with app.app_context():
                try:
                    yield app, redis, smtp, settings
                finally:
                    db.session.remove()
            _empty_postgres(app)
            clock.reset()
    finally:
        redis.stop()
