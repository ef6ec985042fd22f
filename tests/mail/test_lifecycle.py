"""With the scheduling domain's own reschedule and cancel: old reminders stop, new ones follow."""

from __future__ import annotations

from datetime import timedelta

from eventhub.clock import utcnow
from eventhub.emails import reminders
from eventhub.extensions import db
from eventhub.mail.models import MessageKind, MessageStatus
from eventhub.scheduling.lifecycle import cancel_session, reschedule_session
from tests.mail.support import outbox
from tests.support.factories import Factories


def test_reschedule_moves_reminders_to_the_new_time(make: Factories) -> None:
    session = make.session(starts_at=(utcnow() + timedelta(hours=20)).replace(microsecond=0))
    make.registration(session, at=utcnow() - timedelta(days=2))
    db.session.commit()
    assert reminders.create_due_reminders(utcnow()) == 1  # the 24 h reminder, due now

    new_start = (utcnow() + timedelta(days=4)).replace(microsecond=0)
    reschedule_session(session, new_start, 60, "The speaker's flight was cancelled")
    db.session.commit()
    old = outbox(MessageKind.REMINDER)
    assert [r.status for r in old] == [MessageStatus.SUPPRESSED]
    assert [r.kind for r in outbox(MessageKind.RESCHEDULED)] == [MessageKind.RESCHEDULED]

    assert reminders.create_due_reminders(utcnow()) == 0  # nothing due for the new time yet
    assert reminders.create_due_reminders(new_start - timedelta(hours=24)) == 1
    fresh = [r for r in outbox(MessageKind.REMINDER) if r.status is MessageStatus.QUEUED]
    assert len(fresh) == 1 and fresh[0].dedupe_key.split(":")[2] == str(session.sequence)


def test_cancel_stops_every_unsent_reminder(make: Factories) -> None:
    session = make.session(starts_at=(utcnow() + timedelta(hours=20)).replace(microsecond=0))
    make.registration(session, at=utcnow() - timedelta(days=2))
    db.session.commit()
    reminders.create_due_reminders(utcnow())
    cancel_session(session, "The speakers are unavailable")
    db.session.commit()
    assert [r.status for r in outbox(MessageKind.REMINDER)] == [MessageStatus.SUPPRESSED]
    assert reminders.create_due_reminders(session.starts_at - timedelta(minutes=60)) == 0
    assert len(outbox(MessageKind.SESSION_CANCELLED)) == 1
