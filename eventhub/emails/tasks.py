"""Celery tasks for the email features: thin wrappers the beat calls every minute.

Task names keep their original "eventhub.mail." prefix so queued messages and beat entries
written before the move still find them.
"""

from __future__ import annotations

from celery import shared_task

from eventhub.emails import follow_ups, reminders
from eventhub.mail.tasks import moment


@shared_task(name="eventhub.mail.create_reminders", acks_late=True, ignore_result=True)
def create_reminders(now: str | None = None) -> int:
    """Every minute: one outbox row per due (session, offset, confirmed registration)."""
    return reminders.create_due_reminders(moment(now))


@shared_task(name="eventhub.mail.create_follow_ups", acks_late=True, ignore_result=True)
def create_follow_ups(now: str | None = None) -> int:
    """Every minute: follow-ups for sessions that ended (and whose recap is out)."""
    return follow_ups.create_due_follow_ups(moment(now))
