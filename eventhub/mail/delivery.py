"""Deliver due outbox rows: claim a batch, send it over one connection, record each outcome.

Outcomes are written in small groups (MARK_EVERY rows, one UPDATE and one commit each): a
worker killed mid-batch re-sends at most the rows it had sent but not yet marked, and the
per-message cost stays close to a plain smtplib loop.
"""

from __future__ import annotations

import logging
import os
import random
import socket
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import or_, select, update

from eventhub.clock import utcnow
from eventhub.database import begin_immediate_options
from eventhub.extensions import db
from eventhub.mail.compose import UnsendableMessage, build_message
from eventhub.mail.guards import suppression_reasons
from eventhub.mail.models import MessageStatus, OutboxMessage
from eventhub.mail.transport import (
    ConnectionLost,
    LazyTransport,
    PermanentDeliveryError,
    TransientDeliveryError,
)

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
BASE_BACKOFF_SECONDS = 30
MAX_BACKOFF_SECONDS = 2 * 3600
MARK_EVERY = 25
STALE_AFTER = timedelta(minutes=10)
DELIVERABLE = (MessageStatus.QUEUED, MessageStatus.DEFERRED)


@dataclass
class BatchResult:
    claimed: int = 0
    sent: int = 0
    deferred: int = 0
    failed: int = 0
    suppressed: int = 0
    released: int = 0

    def add(self, other: BatchResult) -> None:
        for name in ("claimed", "sent", "deferred", "failed", "suppressed", "released"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def backoff(attempts: int) -> timedelta:
    """Exponential backoff with jitter (half to the full ceiling), capped."""
    ceiling = min(MAX_BACKOFF_SECONDS, BASE_BACKOFF_SECONDS * 2 ** max(attempts - 1, 0))
    return timedelta(seconds=random.uniform(ceiling / 2, ceiling))


def claim_batch(limit: int, now: datetime | None = None) -> list[int]:
    """Mark up to `limit` due rows `sending` for this worker and commit; return their ids.

    PostgreSQL skips rows another worker has locked; SQLite serialises claimers with
    BEGIN IMMEDIATE. Either way a row is claimed by one worker only.
    """
    now = now or utcnow()
    if db.session.get_bind().dialect.name == "sqlite":
        # The claim must open its own transaction to take the write lock at BEGIN.
        if db.session().in_transaction():
            db.session.commit()
        db.session.connection(execution_options=begin_immediate_options())
    query = (
        select(OutboxMessage.id)
        .where(OutboxMessage.status.in_(DELIVERABLE), OutboxMessage.due_at <= now)
        .order_by(OutboxMessage.due_at, OutboxMessage.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    ids = list(db.session.scalars(query))
    if ids:
        db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(ids))
            .values(status=MessageStatus.SENDING, claimed_at=utcnow(), claimed_by=worker_name())
        )
    db.session.commit()
    return ids


@dataclass
class _Marks:
    """Outcomes not yet written; flushed every MARK_EVERY rows and at the end."""

    sent: list[int] = field(default_factory=list)

    def flush(self, now: datetime) -> None:
        if self.sent:
            db.session.execute(
                update(OutboxMessage)
                .where(
                    OutboxMessage.id.in_(self.sent), OutboxMessage.status == MessageStatus.SENDING
                )
                .values(
                    status=MessageStatus.SENT,
                    sent_at=now,
                    attempts=OutboxMessage.attempts + 1,
                    last_error="",
                )
            )
            self.sent.clear()
        db.session.commit()


def deliver_claimed(
    ids: list[int], transport: LazyTransport, now: datetime | None = None
) -> BatchResult:
    """Send claimed rows over the task's connection, recording each outcome."""
    result = BatchResult(claimed=len(ids))
    if not ids:
        return result
    now = now or utcnow()
    sender = current_app.config["MAIL_DEFAULT_SENDER"]
    # Plain rows, not ORM objects: the commits below expire nothing and reload nothing.
    rows: list[Any] = list(
        db.session.execute(
            select(OutboxMessage.__table__)
            .where(OutboxMessage.id.in_(ids))
            .order_by(OutboxMessage.id)
        )
    )
    reasons = suppression_reasons(rows, now)
    for row in rows:
        if row.id in reasons:
            _finish(row, MessageStatus.SUPPRESSED, reasons[row.id])
            result.suppressed += 1
    if reasons:
        db.session.commit()
    pending = [r for r in rows if r.id not in reasons]
    marks = _Marks()
    for index, row in enumerate(pending):
        try:
            connection = transport.get()
        except ConnectionLost as exc:
            # The server cannot be reached at all: everything left waits with backoff.
            for waiting in pending[index:]:
                _defer(waiting, str(exc), result)
            break
        try:
            connection.send(build_message(row, sender, utcnow()), row.id)
        except (PermanentDeliveryError, UnsendableMessage) as exc:
            _finish(row, MessageStatus.FAILED, str(exc), attempted=True)
            result.failed += 1
            marks.flush(utcnow())
        except ConnectionLost as exc:
            transport.drop()
            _defer(row, str(exc), result)
            # The rest were never tried: back to the queue for the next claim, no attempt spent.
            result.released += _release(pending[index + 1 :])
            break
        except TransientDeliveryError as exc:
            _defer(row, str(exc), result)
            marks.flush(utcnow())
        else:
            marks.sent.append(row.id)
            result.sent += 1
            if len(marks.sent) >= MARK_EVERY:
                marks.flush(utcnow())
    marks.flush(utcnow())
    return result


def _finish(row: Any, status: MessageStatus, error: str, attempted: bool = False) -> None:
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == row.id)
        .values(
            status=status,
            last_error=error,
            attempts=OutboxMessage.attempts + (1 if attempted else 0),
            claimed_at=None,
        )
    )


def _defer(row: Any, error: str, result: BatchResult) -> None:
    attempts = row.attempts + 1
    if attempts >= MAX_ATTEMPTS:
        _finish(row, MessageStatus.FAILED, f"gave up after {attempts} attempts: {error}", True)
        result.failed += 1
        return
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == row.id)
        .values(
            status=MessageStatus.DEFERRED,
            attempts=attempts,
            last_error=error,
            due_at=utcnow() + backoff(attempts),
            claimed_at=None,
        )
    )
    result.deferred += 1


def _release(rows: list[Any]) -> int:
    if not rows:
        return 0
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_([r.id for r in rows]))
        .values(status=MessageStatus.QUEUED, claimed_at=None, claimed_by=None)
    )
    return len(rows)


def deliver_due(
    batch_size: int, max_batches: int, now: datetime | None = None
) -> tuple[BatchResult, bool]:
    """Claim and send batch after batch over one connection; True when rows may remain."""
    total = BatchResult()
    with LazyTransport() as transport:
        for _ in range(max_batches):
            ids = claim_batch(batch_size, now)
            if not ids:
                return total, False
            result = deliver_claimed(ids, transport, now)
            total.add(result)
    return total, True


def requeue_stale(now: datetime | None = None, older_than: timedelta = STALE_AFTER) -> int:
    """Put back rows a dead worker left `sending`; the sweep calls this."""
    cutoff = (now or utcnow()) - older_than
    result = db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.status == MessageStatus.SENDING,
            or_(OutboxMessage.claimed_at.is_(None), OutboxMessage.claimed_at < cutoff),
        )
        .values(status=MessageStatus.QUEUED, claimed_at=None, claimed_by=None)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def has_due(now: datetime | None = None) -> bool:
    now = now or utcnow()
    query = (
        select(OutboxMessage.id)
        .where(OutboxMessage.status.in_(DELIVERABLE), OutboxMessage.due_at <= now)
        .limit(1)
    )
    return db.session.scalar(query) is not None


def retry(message_id: int, now: datetime | None = None) -> bool:
    """An organiser asks for a failed or deferred row to be tried again now."""
    result = db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == message_id,
            OutboxMessage.status.in_((MessageStatus.FAILED, MessageStatus.DEFERRED)),
        )
        .values(status=MessageStatus.QUEUED, due_at=now or utcnow(), attempts=0, claimed_at=None)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]
