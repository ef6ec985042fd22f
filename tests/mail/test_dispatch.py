"""A broker that is down never fails or stalls the request that wrote an outbox row."""

from __future__ import annotations

import time
from typing import Any

import pytest
from flask import Flask

from eventhub import create_app
from eventhub.extensions import db
from eventhub.mail.models import MessageKind, MessageStatus, OutboxMessage
from eventhub.mail.outbox import Envelope, RenderedEmail, queue_message
from tests.support.services import free_port


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    # Nothing listens on this port: every publish is refused.
    app_config["CELERY_BROKER_URL"] = f"redis://127.0.0.1:{free_port()}/0"
    return app_config


def test_commit_succeeds_quickly_while_the_broker_is_down(app: Flask) -> None:
    started = time.monotonic()
    for i in range(3):
        queue_message(
            Envelope(kind=MessageKind.CONFIRMATION, dedupe_key=f"k{i}", recipient_email="a@b.org"),
            RenderedEmail(subject="s", html="h", text="t"),
        )
        db.session.commit()
    assert time.monotonic() - started < 1.5  # no publish retries, no connect waits
    rows = db.session.query(OutboxMessage).all()
    assert [r.status for r in rows] == [MessageStatus.QUEUED] * 3


def test_no_wake_up_without_a_new_row(app_config: dict[str, Any], monkeypatch: Any) -> None:
    calls: list[int] = []
    from eventhub.mail import outbox

    monkeypatch.setattr(outbox, "wake_delivery", lambda: calls.append(1))
    application = create_app(app_config)
    with application.app_context():
        envelope = Envelope(
            kind=MessageKind.CONFIRMATION, dedupe_key="x", recipient_email="a@b.org"
        )
        email = RenderedEmail(subject="s", html="h", text="t")
        queue_message(envelope, email)
        db.session.rollback()  # rolled back: no wake-up
        assert calls == []
        queue_message(envelope, email)
        db.session.commit()
        assert calls == [1]
        assert queue_message(envelope, email) is None  # deduplicated: nothing to wake for
        db.session.commit()
        assert calls == [1]
        db.session.remove()
