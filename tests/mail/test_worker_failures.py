"""Failures of the real parts: a worker SIGKILLed mid-batch, Redis stopped during registrations."""

from __future__ import annotations

import time
from collections import Counter
from contextlib import suppress
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select

from eventhub.clock import utcnow
from eventhub.emails import reminders
from eventhub.extensions import db
from eventhub.mail import delivery
from eventhub.mail.models import MessageKind, MessageStatus, OutboxMessage
from eventhub.mail.outbox import Envelope, RenderedEmail, queue_message
from eventhub.registration.models import Registration, RegistrationStatus
from tests.mail.stack import SlowHandler, private_stack
from tests.mail.test_worker_delivery import send_task, wait_until
from tests.support.factories import Factories
from tests.support.worker import celery_worker

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.worker, pytest.mark.smtp]


def _status_counts() -> dict[MessageStatus, int]:
    db.session.rollback()
    rows = db.session.execute(
        select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
    )
    return dict(rows.all())


def test_worker_killed_mid_batch_loses_nothing(pg_url: str, tmp_path: Path) -> None:
    with private_stack(pg_url, tmp_path, SlowHandler()) as (app, _redis, smtp, settings):
        session = Factories().session(
            starts_at=(utcnow() + timedelta(days=2)).replace(second=0, microsecond=0)
        )
        db.session.flush()
        db.session.execute(
            insert(Registration),
            [
                {
                    "session_id": session.id,
                    "email": f"person{i}@example.org",
                    "name": f"Person {i}",
                    "organisation": "",
                    "timezone": "Asia/Hong_Kong",
                    "answers": {},
                    "status": RegistrationStatus.CONFIRMED,
                    "is_marketing_consent": False,
                    "consented_at": utcnow() - timedelta(days=1),
                    "confirmed_at": utcnow() - timedelta(days=1),
                    "created_at": utcnow() - timedelta(days=1),
                    "updated_at": utcnow() - timedelta(days=1),
                    "is_attended": False,
                    "token_version": 0,
                    "cancel_reason": "",
                }
                for i in range(500)
            ],
        )
        db.session.commit()
        with celery_worker(settings, tmp_path / "first.log") as first:
            # The beat's task, on the worker, with the clock at 24 h before the start.
            day_before = (session.starts_at - timedelta(hours=24)).isoformat()
            send_task(app, "eventhub.mail.create_reminders", now=day_before)
            deadline = time.monotonic() + 60
            while len(smtp.received) < 120 and time.monotonic() < deadline:
                time.sleep(0.002)
            first.kill()
        at_kill = len(smtp.received)
        counts = _status_counts()
        assert 0 < at_kill < 500, "the kill must land in the middle of the fan-out"
        assert sum(counts.values()) == 500
        assert counts.get(MessageStatus.SENT, 0) < 500

        with celery_worker(settings, tmp_path / "second.log"):
            # The periodic sweep, past the stale-claim limit: it re-queues what the dead
            # worker held and delivers the rest.
            later = (utcnow() + delivery.STALE_AFTER + timedelta(minutes=1)).isoformat()
            send_task(app, "eventhub.mail.sweep_outbox", now=later)
            wait_until(
                lambda: _status_counts().get(MessageStatus.SENT, 0) == 500,
                timeout=90,
                what="all 500 sent",
            )
            smtp.wait_for(500)
        per_recipient = Counter(m.recipients[0] for m in smtp.received)
        duplicates = sum(n - 1 for n in per_recipient.values())
        assert len(per_recipient) == 500  # every registrant got their reminder
        # At most the rows sent but not yet marked when the kill came: one group per child.
        assert duplicates <= 2 * delivery.MARK_EVERY
        print(  # noqa: T201  (the figure the issue asks to report)
            f"\nSIGKILL after {at_kill} of 500 received: {duplicates} duplicate(s), "
            f"{len(smtp.received)} messages in all"
        )
        assert reminders.create_due_reminders(utcnow()) == 0


def test_redis_down_registrations_succeed_and_mail_follows(pg_url: str, tmp_path: Path) -> None:
    with private_stack(pg_url, tmp_path) as (app, redis, smtp, settings):
        session = Factories().session()
        db.session.commit()
        with celery_worker(settings, tmp_path / "worker.log"):
            redis.stop()
            durations = []
            for i in range(5):
                started = time.monotonic()
                # What a registration does: the registration and its confirmation, one commit.
                registration = Registration(
                    session_id=session.id,
                    email=f"during-outage{i}@example.org",
                    name=f"Person {i}",
                    timezone="Europe/London",
                    status=RegistrationStatus.CONFIRMED,
                    consented_at=utcnow(),
                    confirmed_at=utcnow(),
                )
                db.session.add(registration)
                db.session.flush()
                queue_message(
                    Envelope(
                        kind=MessageKind.CONFIRMATION,
                        dedupe_key=f"confirmation:{session.id}:{registration.id}",
                        recipient_email=registration.email,
                        session_id=session.id,
                        registration_id=registration.id,
                    ),
                    RenderedEmail(subject=f"Confirmed {i}", html="<p>ok</p>", text="ok"),
                )
                db.session.commit()  # the wake-up fails quietly after this
                durations.append(time.monotonic() - started)
            assert max(durations) < 1.0, durations
            assert _status_counts() == {MessageStatus.QUEUED: 5}
            assert smtp.received == []

            redis.start()  # same port: the worker reconnects
            # The beat's sweep once the broker is back (every minute in production).
            deadline = time.monotonic() + 60
            while len(smtp.received) < 5 and time.monotonic() < deadline:
                # The client may still hold the old connection for a moment.
                with suppress(Exception):
                    send_task(app, "eventhub.mail.sweep_outbox")
                time.sleep(1.0)
            assert sorted(m.message["Subject"] for m in smtp.wait_for(5, timeout=5)) == [
                f"Confirmed {i}" for i in range(5)
            ]
