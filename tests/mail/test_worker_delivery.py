"""The real parts: a Celery worker on Redis and PostgreSQL delivering to aiosmtpd on loopback."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from datetime import timedelta

import pytest
from flask import Flask
from icalendar import Calendar
from sqlalchemy import func, select

from eventhub.clock import utcnow
from eventhub.extensions import db
from eventhub.mail.models import MessageKind, MessageStatus, OutboxMessage
from eventhub.mail.outbox import Attachment, Envelope, RenderedEmail, queue_message
from eventhub.registration.models import RegistrationStatus
from eventhub.scheduling.calendar import Attendee, invitation
from eventhub.scheduling.models import Session
from tests.support.factories import Factories
from tests.support.smtp import SmtpServer
from tests.support.worker import WorkerProcess

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.worker, pytest.mark.smtp]


def send_task(app: Flask, name: str, **kwargs: object) -> str:
    result = app.extensions["celery"].send_task(name, kwargs=kwargs)
    return str(result.id)


def wait_until(check: Callable[[], bool], timeout: float = 30.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        db.session.rollback()  # see the worker's commits
        if check():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what or check}")


def task_finished(worker: WorkerProcess, task_id: str) -> Callable[[], bool]:
    return lambda: re.search(rf"\[{re.escape(task_id)}\] succeeded", worker.log()) is not None


def _row(row_id: int) -> OutboxMessage:
    row = db.session.get(OutboxMessage, row_id)
    assert row is not None
    return row


def _session(days: float = 3) -> Session:
    make = Factories()
    start = (utcnow() + timedelta(days=days)).replace(second=0, microsecond=0)
    session = make.session(starts_at=start, title="AI and industry")
    db.session.commit()
    return session


def test_confirmation_arrives_with_its_ics(
    make: Factories, stack_app: Flask, worker: WorkerProcess, smtp: SmtpServer
) -> None:
    session = _session()
    registration = make.registration(session, email="ada@example.org", name="Ada Lovelace")
    queue_message(
        Envelope(
            kind=MessageKind.CONFIRMATION,
            dedupe_key=f"confirmation:{session.id}:{registration.id}",
            recipient_email=registration.email,
            recipient_name=registration.name,
            session_id=session.id,
            registration_id=registration.id,
            attachments=[
                Attachment(
                    "webinar.ics",
                    "text/calendar; charset=utf-8; method=REQUEST",
                    invitation(session, Attendee(registration.name, registration.email)),
                )
            ],
        ),
        RenderedEmail(
            subject="You're registered: AI and industry", html="<p>See you</p>", text="See you"
        ),
    )
    db.session.commit()
    [mail] = smtp.wait_for(1)
    message = mail.message
    assert mail.recipients == ["ada@example.org"]
    assert message["Subject"] == "You're registered: AI and industry"
    [ics] = [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]
    event = Calendar.from_ical(ics.get_content()).walk("VEVENT")[0]
    assert str(event["UID"]) == f"{session.calendar_uid}@eventhub"
    assert event.decoded("DTSTART") == session.starts_at


def test_reminders_once_per_confirmed_registrant_through_the_worker(
    make: Factories, stack_app: Flask, worker: WorkerProcess, smtp: SmtpServer
) -> None:
    session = _session(days=5)
    confirmed = {
        make.registration(session, at=utcnow() - timedelta(days=1)).email for _ in range(3)
    }
    make.registration(
        session, status=RegistrationStatus.WAITLISTED, at=utcnow() - timedelta(days=1)
    )
    db.session.commit()
    day_before = (session.starts_at - timedelta(hours=24)).isoformat()

    first = send_task(stack_app, "eventhub.mail.create_reminders", now=day_before)
    received = smtp.wait_for(3)
    assert {m.recipients[0] for m in received} == confirmed
    assert all(
        "Reminder: AI and industry starts tomorrow" in m.message["Subject"] for m in received
    )
    wait_until(task_finished(worker, first), what="first beat")

    again = send_task(stack_app, "eventhub.mail.create_reminders", now=day_before)
    wait_until(task_finished(worker, again), what="second beat")
    sweep = send_task(stack_app, "eventhub.mail.sweep_outbox")
    wait_until(task_finished(worker, sweep), what="sweep")
    time.sleep(0.5)  # a straggling delivery would show up here; there is none to wait for
    assert len(smtp.received) == 3
    count = db.session.scalar(
        select(func.count()).where(OutboxMessage.kind == MessageKind.REMINDER)
    )
    assert count == 3


def _queue_one(key: str) -> int:
    row_id = queue_message(
        Envelope(
            kind=MessageKind.ORGANISER_MESSAGE, dedupe_key=key, recipient_email="x@example.org"
        ),
        RenderedEmail(subject=f"About {key}", html="<p>Hi</p>", text="Hi"),
    )
    assert row_id is not None
    db.session.commit()
    return row_id


def test_451_once_is_delivered_after_retry(
    stack_app: Flask, worker: WorkerProcess, smtp: SmtpServer
) -> None:
    smtp.reply_next("451 4.7.1 Greylisted, try again later")
    row_id = _queue_one("greylisted")
    wait_until(lambda: _row(row_id).status is MessageStatus.DEFERRED, what="deferred")
    row = _row(row_id)
    assert row.last_error == "451 4.7.1 Greylisted, try again later"
    assert row.due_at > utcnow()
    # The periodic sweep, an hour later (the worker's clock is passed, not moved).
    send_task(
        stack_app, "eventhub.mail.sweep_outbox", now=(utcnow() + timedelta(hours=1)).isoformat()
    )
    [mail] = smtp.wait_for(1)
    assert mail.message["Subject"] == "About greylisted"
    wait_until(lambda: _row(row_id).status is MessageStatus.SENT, what="sent")
    assert _row(row_id).attempts == 2


def test_550_leaves_it_failed_with_the_reply(
    stack_app: Flask, worker: WorkerProcess, smtp: SmtpServer
) -> None:
    smtp.reply_next("550 5.1.1 <x@example.org>: Recipient address rejected")
    row_id = _queue_one("rejected")
    wait_until(lambda: _row(row_id).status is MessageStatus.FAILED, what="failed")
    assert _row(row_id).last_error == "550 5.1.1 <x@example.org>: Recipient address rejected"
    assert smtp.received == []
