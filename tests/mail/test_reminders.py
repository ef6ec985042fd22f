"""Reminders computed from data: exactly once per (session, offset, confirmed registration)."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

from eventhub import signals
from eventhub.clock import utcnow
from eventhub.emails import reminders
from eventhub.extensions import db
from eventhub.mail import delivery
from eventhub.mail.models import MessageKind, MessageStatus
from eventhub.mail.transport import LazyTransport
from eventhub.registration.models import RegistrationStatus
from eventhub.scheduling.models import Session, SessionStatus
from tests.mail.support import outbox
from tests.support.factories import Factories
from tests.support.statements import count_statements


def _session(make: Factories, days: int = 7, **fields: Any) -> Session:
    start = (utcnow() + timedelta(days=days)).replace(second=0, microsecond=0)
    return make.session(starts_at=start, **fields)


def test_one_reminder_per_confirmed_registrant_and_a_second_beat_creates_none(
    make: Factories,
) -> None:
    session = _session(make)
    confirmed = [make.registration(session, at=utcnow() - timedelta(days=1)) for _ in range(3)]
    for status in (
        RegistrationStatus.WAITLISTED,
        RegistrationStatus.PENDING,
        RegistrationStatus.CANCELLED,
    ):
        make.registration(session, status=status, at=utcnow() - timedelta(days=1))
    db.session.commit()
    day_before = session.starts_at - timedelta(hours=24)

    assert reminders.create_due_reminders(day_before - timedelta(minutes=1)) == 0
    assert reminders.create_due_reminders(day_before) == 3
    assert reminders.create_due_reminders(day_before + timedelta(minutes=1)) == 0

    rows = outbox(MessageKind.REMINDER)
    assert Counter(r.registration_id for r in rows) == Counter(r.id for r in confirmed)
    assert {r.dedupe_key.split(":")[3] for r in rows} == {"1440"}
    row = rows[0]
    assert "starts tomorrow" in row.subject
    assert session.join_url in row.body_text and session.join_url in row.body_html
    # The reader's zone (Europe/London) and the series' zone, both named.
    assert "GMT" in row.body_text and "HKT" in row.body_text
    assert row.headers.get("Auto-Submitted") == "auto-generated"


def test_the_hour_before_gets_its_own_reminder(make: Factories) -> None:
    session = _session(make)
    make.registration(session, at=utcnow() - timedelta(days=2))
    db.session.commit()
    assert reminders.create_due_reminders(session.starts_at - timedelta(hours=24)) == 1
    assert reminders.create_due_reminders(session.starts_at - timedelta(minutes=60)) == 1
    assert reminders.create_due_reminders(session.starts_at - timedelta(minutes=30)) == 0
    offsets = sorted(r.dedupe_key.split(":")[3] for r in outbox(MessageKind.REMINDER))
    assert offsets == ["1440", "60"]


def test_no_late_copy_for_a_registration_made_after_the_moment(make: Factories) -> None:
    session = _session(make)
    day_before = session.starts_at - timedelta(hours=24)
    early = make.registration(session, at=day_before - timedelta(hours=1))
    late = make.registration(session, at=day_before + timedelta(hours=2))
    db.session.commit()
    assert reminders.create_due_reminders(day_before + timedelta(hours=3)) == 1
    assert [r.registration_id for r in outbox(MessageKind.REMINDER)] == [early.id]
    # The hour-before reminder reaches both.
    assert reminders.create_due_reminders(session.starts_at - timedelta(minutes=59)) == 2
    assert late.id in {r.registration_id for r in outbox(MessageKind.REMINDER)}


def test_a_beat_that_was_down_sends_only_the_latest_due_offset(make: Factories) -> None:
    session = _session(make)
    make.registration(session, at=utcnow() - timedelta(days=3))
    db.session.commit()
    assert reminders.create_due_reminders(session.starts_at - timedelta(minutes=30)) == 1
    assert [r.dedupe_key.split(":")[3] for r in outbox(MessageKind.REMINDER)] == ["60"]
    # Once it has started, nothing more.
    assert reminders.create_due_reminders(session.starts_at + timedelta(minutes=1)) == 0


def test_session_offsets_override_the_series(make: Factories) -> None:
    series = make.series(reminder_offsets_minutes=[2 * 1440, 15])
    session = _session(make, series=series, reminder_offsets_minutes=[180])
    make.registration(session, at=utcnow() - timedelta(days=3))
    db.session.commit()
    assert reminders.create_due_reminders(session.starts_at - timedelta(days=2)) == 0
    assert reminders.create_due_reminders(session.starts_at - timedelta(hours=3)) == 1
    assert "in 3 hours" in outbox(MessageKind.REMINDER)[0].subject


def test_reschedule_suppresses_old_reminders_and_the_new_time_gets_its_own(
    make: Factories,
) -> None:
    session = _session(make)
    make.registration(session, at=utcnow() - timedelta(days=3))
    db.session.commit()
    day_before = session.starts_at - timedelta(hours=24)
    assert reminders.create_due_reminders(day_before) == 1

    # What the scheduling domain does: move, raise the sequence, signal.
    previous = session.starts_at
    session.starts_at = previous + timedelta(days=2)
    session.sequence += 1
    session.rescheduled_at = day_before + timedelta(minutes=5)
    signals.session_rescheduled.send(session, previous_starts_at=previous, reason="speaker ill")
    db.session.commit()

    [old] = outbox(MessageKind.REMINDER)
    assert old.status is MessageStatus.SUPPRESSED and "rescheduled" in old.last_error
    assert reminders.create_due_reminders(session.starts_at - timedelta(hours=24)) == 1
    new = [r for r in outbox(MessageKind.REMINDER) if r.status is MessageStatus.QUEUED]
    assert len(new) == 1 and new[0].dedupe_key.split(":")[2] == "1"


def test_a_reminder_for_an_old_sequence_is_suppressed_at_delivery(make: Factories) -> None:
    """A beat that raced the reschedule cannot deliver a reminder for the old time."""
    session = _session(make)
    make.registration(session, at=utcnow() - timedelta(days=3))
    db.session.commit()
    day_before = session.starts_at - timedelta(hours=24)
    reminders.create_due_reminders(day_before)
    session.sequence += 1  # no signal: as if the reschedule committed after the beat read
    db.session.commit()
    ids = delivery.claim_batch(10, now=day_before)
    with LazyTransport() as transport:
        result = delivery.deliver_claimed(ids, transport, now=day_before)
    assert result.suppressed == 1 and result.sent == 0
    [row] = outbox(MessageKind.REMINDER)
    assert row.status is MessageStatus.SUPPRESSED


def test_cancelled_session_gets_no_reminders(make: Factories) -> None:
    session = _session(make)
    make.registration(session, at=utcnow() - timedelta(days=3))
    db.session.commit()
    reminders.create_due_reminders(session.starts_at - timedelta(hours=24))
    session.status = SessionStatus.CANCELLED
    signals.session_cancelled.send(session, reason="no speakers", was_public=True)
    db.session.commit()
    assert [r.status for r in outbox(MessageKind.REMINDER)] == [MessageStatus.SUPPRESSED]
    assert reminders.create_due_reminders(session.starts_at - timedelta(minutes=60)) == 0


def test_a_cancelled_registration_is_not_reminded_even_if_queued(make: Factories) -> None:
    session = _session(make)
    registration = make.registration(session, at=utcnow() - timedelta(days=3))
    db.session.commit()
    day_before = session.starts_at - timedelta(hours=24)
    reminders.create_due_reminders(day_before)
    registration.status = RegistrationStatus.CANCELLED
    db.session.commit()
    ids = delivery.claim_batch(10, now=day_before)
    with LazyTransport() as transport:
        assert delivery.deliver_claimed(ids, transport, now=day_before).suppressed == 1


def _beat_statements(make: Factories, sessions: int, days: int) -> tuple[int, int]:
    series = make.series()
    starts = (utcnow() + timedelta(days=days)).replace(second=0, microsecond=0)
    due = None
    for n in range(sessions):
        session = make.session(series=series, starts_at=starts + timedelta(hours=n))
        make.registration(session, at=utcnow() - timedelta(days=1))
        due = due or session
    db.session.commit()
    assert due is not None
    with count_statements(db.engine) as idle:
        assert reminders.create_due_reminders(utcnow()) == 0
    db.session.expire_all()
    with count_statements(db.engine) as busy:
        assert reminders.create_due_reminders(due.starts_at - timedelta(hours=24)) == 1
    return idle.count, busy.count


def test_the_beat_costs_the_same_statements_with_2_or_40_sessions(make: Factories) -> None:
    small = _beat_statements(make, 2, days=10)
    large = _beat_statements(make, 40, days=20)
    assert small == large, (small, large)
