"""Celery tasks for mail: thin wrappers over the delivery functions."""

from __future__ import annotations

from celery import shared_task

from eventhub.extensions import db
from eventhub.mail import delivery

BATCH_SIZE = 200


@shared_task(name="eventhub.mail.deliver_due", acks_late=True, ignore_result=True)
def deliver_due(batch_size: int = BATCH_SIZE, max_batches: int = 50) -> int:
    """Send due rows batch by batch; a full last batch hands on to a fresh task."""
    sent = 0
    for _ in range(max_batches):
        ids = delivery.claim_batch(batch_size)
        if not ids:
            return sent
        sent += delivery.deliver_claimed(ids).sent
    db.session.remove()
    deliver_due.delay(batch_size, max_batches)
    return sent


@shared_task(name="eventhub.mail.sweep_outbox", ignore_result=True)
def sweep_outbox() -> int:
    """Periodic safety net: re-queue abandoned rows and deliver whatever is due."""
    requeued = delivery.requeue_stale()
    db.session.commit()
    if requeued or delivery.has_due():
        deliver_due.delay()
    return requeued
