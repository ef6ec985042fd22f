"""Celery tasks for scheduling: thin wrappers over the lifecycle functions."""

from __future__ import annotations

from celery import shared_task

from eventhub.extensions import db
from eventhub.scheduling import lifecycle


@shared_task(name="eventhub.scheduling.end_past_sessions", ignore_result=True)
def end_past_sessions() -> int:
    """Periodic: mark published sessions that are over as ended (safe to run twice)."""
    ended = lifecycle.end_past_sessions()
    db.session.commit()
    return ended
