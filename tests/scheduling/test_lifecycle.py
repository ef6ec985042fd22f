"""Publish, reschedule, cancel: reasons kept, SEQUENCE raised, signals sent, registrants told."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from icalendar import Calendar
from sqlalchemy import select

from eventhub import signals
from eventhub.clock import utcnow
from eventhub.extensions import db
from eventhub.mail.models import MessageKind, OutboxMessage
from eventhub.registration.models import RegistrationStatus
from eventhub.scheduling import lifecycle
from eventhub.scheduling.errors import SchedulingError
from eventhub.scheduling.models import SessionStatus
from tests.support.factories import Factories, LoginHelper

START = datetime(2027, 3, 12, 6, 30, tzinfo=UTC)


@pytest.fixture
def received() -> Iterator[list[tuple[str, Any, dict[str, Any]]]]:
    log: list[tuple[str, Any, dict[str, Any]]] = []
    handlers = {}
    for name in ("session_rescheduled", "session_cancelled", "session_published"):
        signal = getattr(signals, name)

        def handler(sender: Any, _name: str = name, **kwargs: Any) -> None:
            log.append((_name, sender, kwargs))

        handlers[name] = handler
        signal.connect(handler)
    yield log
    for name, handler in handlers.items():
        getattr(signals, name).disconnect(handler)


def _rows(kind: MessageKind) -> list[OutboxMessage]:
    query = select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id)
    return list(db.session.scalars(query))


def _invite(row: OutboxMessage) -> Any:
    (attachment,) = row.attachments
    (event,) = Calendar.from_ical(base64.b64decode(attachment["data_base64"])).walk("VEVENT")
    return attachment, event


def test_reschedule_tells_every_registrant_with_the_new_invite(
    make: Factories, received: list[Any]
) -> None:
    series = make.series(title="Re-industrialization", timezone="Asia/Hong_Kong")
    session = make.session(series, starts_at=START, title="AI in HK")
    hk = make.registration(session, timezone="Asia/Hong_Kong", name="Ada")
    paris = make.registration(
        session, status=RegistrationStatus.WAITLISTED, timezone="Europe/Paris"
    )
    make.registration(session, status=RegistrationStatus.CANCELLED)
    new_start = START + timedelta(days=7)

    lifecycle.reschedule_session(session, new_start, 90, "The panel moved a week.")
    db.session.commit()

    assert (session.sequence, session.status_reason) == (1, "The panel moved a week.")
    assert session.rescheduled_at is not None
    rows = _rows(MessageKind.RESCHEDULED)
    assert {r.recipient_email for r in rows} == {hk.email, paris.email}
    mine = next(r for r in rows if r.recipient_email == hk.email)
    assert mine.session_id == session.id and mine.registration_id == hk.id
    assert "Fri 19 Mar 2027, 14:30 HKT" in mine.subject
    assert "Fri 12 Mar 2027, 14:30 HKT" in mine.body_text
    assert "The panel moved a week." in mine.body_html
    theirs = next(r for r in rows if r.recipient_email == paris.email)
    assert "Fri 19 Mar 2027, 07:30 CET (Fri 19 Mar 2027, 14:30 HKT)" in theirs.body_text
    attachment, event = _invite(mine)
    assert attachment["content_type"].startswith("text/calendar")
    assert int(event["SEQUENCE"]) == 1
    assert event.decoded("DTSTART") == new_start
    assert event.decoded("DTEND") - event.decoded("DTSTART") == timedelta(minutes=90)
    ((name, sender, kwargs),) = received
    assert (name, sender) == ("session_rescheduled", session)
    assert kwargs == {"previous_starts_at": START, "reason": "The panel moved a week."}


def test_each_reschedule_is_its_own_message(make: Factories) -> None:
    session = make.session(starts_at=START)
    make.registration(session)
    lifecycle.reschedule_session(session, START + timedelta(hours=1), 60, "Later.")
    lifecycle.reschedule_session(session, START + timedelta(hours=2), 60, "Later still.")
    db.session.commit()
    assert len(_rows(MessageKind.RESCHEDULED)) == 2
    assert session.sequence == 2


def test_cancel_sends_a_cancelling_invite(make: Factories, received: list[Any]) -> None:
    session = make.session(starts_at=START)
    registration = make.registration(session)
    lifecycle.cancel_session(session, "The speaker is ill.")
    db.session.commit()
    assert session.status is SessionStatus.CANCELLED and session.cancelled_at is not None
    (row,) = _rows(MessageKind.SESSION_CANCELLED)
    assert row.recipient_email == registration.email
    assert "Cancelled:" in row.subject and "The speaker is ill." in row.body_text
    attachment, event = _invite(row)
    assert "method=CANCEL" in attachment["content_type"]
    assert str(event["STATUS"]) == "CANCELLED"
    assert [name for name, _, _ in received] == ["session_cancelled"]
    with pytest.raises(SchedulingError):
        lifecycle.cancel_session(session, "Again.")


def test_publish_sends_the_signal_once(make: Factories, received: list[Any]) -> None:
    session = make.session(status=SessionStatus.DRAFT)
    lifecycle.publish_session(session)
    assert [name for name, _, _ in received] == ["session_published"]
    with pytest.raises(SchedulingError):
        lifecycle.publish_session(session)


def test_reschedule_needs_a_reason_and_a_published_session(make: Factories) -> None:
    draft = make.session(status=SessionStatus.DRAFT)
    with pytest.raises(SchedulingError):
        lifecycle.reschedule_session(draft, START, 60, "Why not")
    published = make.session(starts_at=START)
    with pytest.raises(SchedulingError) as caught:
        lifecycle.reschedule_session(published, START + timedelta(days=1), 60, "  ")
    assert "reason" in caught.value.errors


def test_ended_sessions_are_marked_by_the_sweep(make: Factories) -> None:
    over = make.session(starts_at=utcnow() - timedelta(hours=3))
    running = make.session(over.series, starts_at=utcnow() - timedelta(minutes=10))
    assert lifecycle.end_past_sessions() == 1
    assert over.status is SessionStatus.ENDED
    assert running.status is SessionStatus.PUBLISHED


def test_reschedule_and_cancel_pages(
    client: FlaskClient, make: Factories, login: LoginHelper
) -> None:
    series = make.series(timezone="Europe/London")
    session = make.session(series, starts_at=datetime(2027, 6, 1, 9, 0, tzinfo=UTC))
    make.registration(session)
    login(make.organiser())
    url = f"/organiser/sessions/{session.id}/reschedule"
    page = client.get(url).get_data(as_text=True)
    assert 'value="2027-06-01T10:00"' in page and "1 registrant will get an email" in page
    html = client.post(
        url,
        data={
            "starts_at": "2027-06-02T10:00",
            "timezone": "Europe/London",
            "duration_minutes": "60",
            "reason": "",
        },
    ).get_data(as_text=True)
    assert "Say why; registrants will read it." in html
    response = client.post(
        url,
        data={
            "starts_at": "2027-06-02T10:00",
            "timezone": "Europe/London",
            "duration_minutes": "60",
            "reason": "Bank holiday.",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert session.starts_at == datetime(2027, 6, 2, 9, 0, tzinfo=UTC)
    assert len(_rows(MessageKind.RESCHEDULED)) == 1

    cancel = f"/organiser/sessions/{session.id}/cancel"
    html = client.post(cancel, data={"reason": "No speakers."}).get_data(as_text=True)
    assert "Tick the box to confirm." in html
    client.post(cancel, data={"reason": "No speakers.", "confirm": "y"})
    db.session.expire_all()
    assert session.status is SessionStatus.CANCELLED
    assert len(_rows(MessageKind.SESSION_CANCELLED)) == 1


def test_the_periodic_task_ends_sessions_and_commits(make: Factories) -> None:
    from eventhub.scheduling.tasks import end_past_sessions

    over = make.session(starts_at=utcnow() - timedelta(days=1))
    db.session.commit()
    assert end_past_sessions.run() == 1
    db.session.expire_all()
    assert over.status is SessionStatus.ENDED
