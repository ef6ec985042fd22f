"""Celery tasks for delivery: thin wrappers over domain functions that tests call directly.

Tasks take ids and ISO timestamps (JSON), never objects. None is scheduled with an ETA or a
delay: scheduled work is data (due_at on the outbox rows) and the beat sweeps it.
"""

from __future__ import annotations

from datetime import datetime

from celery import shared_task

from eventhub.clock import utcnow
from eventhub.extensions import db
from eventhub.mail import delivery
from eventhub.mail.dispatch import delivery_woken, wake_delivery, wake_store

BATCH_SIZE = 200
MAX_BATCHES = 25
# After a claim that found fewer rows than a batch, wait this long before the next claim, so a
# trickle of sign-ups is sent in batches (delivery.deliver_due). Only where wake-ups are
# coalesced: without Redis every commit queues its own task anyway.
LINGER_SECONDS = 0.2


def moment(now: str | None) -> datetime:
    """Tests run the worker in another process: they pass the moved clock as an ISO string."""
    return datetime.fromisoformat(now) if now else utcnow()


@shared_task(name="eventhub.mail.deliver_due", acks_late=True, ignore_result=True)
def deliver_due(
    batch_size: int = BATCH_SIZE,
    max_batches: int = MAX_BATCHES,
    now: str | None = None,
    sibling: bool = False,
) -> int:
    """Send due rows batch by batch over one connection; hand on to a fresh task if more remain.

    Every row committed before the task starts is claimed by it (or by a task running beside
    it): the commits that found a wake-up pending sent none of their own (dispatch).
    """
    delivery_woken()
    on_backlog = None if now or sibling else _wake_sibling
    linger = LINGER_SECONDS if wake_store() is not None and not now else 0.0
    result, more = delivery.deliver_due(
        batch_size, max_batches, moment(now) if now else None, on_backlog, linger
    )
    db.session.remove()
    if more:
        deliver_due.delay(batch_size, max_batches, now)
    return result.sent


def _wake_sibling() -> None:
    """A backlog: a second pool child joins in. Only one: a sibling wakes no further sibling,
    so no woken task is left waiting in the broker while two send. None for a task on a test's
    moved clock either: the lease arithmetic of two clocks would let one take the other's rows
    in flight (sent twice); such a task hands on, one at a time, as before.
    """
    wake_delivery(sibling=True)


@shared_task(name="eventhub.mail.sweep_outbox", acks_late=True, ignore_result=True)
def sweep_outbox(now: str | None = None) -> int:
    """Periodic safety net: re-queue abandoned rows and deliver whatever is due."""
    at = moment(now)
    requeued = delivery.requeue_stale(at)
    db.session.commit()
    if requeued or delivery.has_due(at):
        deliver_due.delay(now=now)
    return requeued
