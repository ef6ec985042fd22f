"""The production shape: a web app and a separate Celery worker on Redis and PostgreSQL."""

from __future__ import annotations

import os
import socket

import pytest
from flask import Flask
from sqlalchemy import select

from eventhub.extensions import db
from eventhub.mail.models import MessageKind, MessageStatus, OutboxMessage
from eventhub.mail.outbox import Envelope, RenderedEmail, queue_message
from tests.support.smtp import SmtpServer
from tests.support.worker import WorkerProcess

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.worker, pytest.mark.smtp]


def test_task_goes_through_redis_to_a_separate_worker_on_postgres(
    stack_app: Flask, worker: WorkerProcess, smtp: SmtpServer
) -> None:
    assert stack_app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql")
    assert stack_app.config["CELERY_BROKER_URL"].startswith("redis://")
    message_id = queue_message(
        Envelope(
            kind=MessageKind.ORGANISER_MESSAGE,
            dedupe_key="stack-test:1",
            recipient_email="attendee@example.org",
            recipient_name="An Attendee",
        ),
        RenderedEmail(subject="Hello from the stack", html="<p>Hello</p>", text="Hello"),
    )
    # The commit wakes the worker through Redis; nothing is sent before it.
    assert smtp.received == []
    db.session.commit()

    received = smtp.wait_for(1)
    assert received[0].message["Subject"] == "Hello from the stack"
    assert received[0].recipients == ["attendee@example.org"]

    db.session.expire_all()
    row = db.session.get(OutboxMessage, message_id)
    assert row is not None and row.status is MessageStatus.SENT
    # The worker process claimed it, not this one.
    assert row.claimed_by is not None
    assert row.claimed_by != f"{socket.gethostname()}:{os.getpid()}"


def test_duplicate_dedupe_key_inserts_nothing(stack_app: Flask) -> None:
    envelope = Envelope(
        kind=MessageKind.ORGANISER_MESSAGE, dedupe_key="same", recipient_email="a@example.org"
    )
    email = RenderedEmail(subject="s", html="h", text="t")
    assert queue_message(envelope, email) is not None
    assert queue_message(envelope, email) is None
    db.session.commit()
    assert len(db.session.scalars(select(OutboxMessage)).all()) == 1
