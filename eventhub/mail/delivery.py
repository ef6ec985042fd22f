"""Deliver due outbox rows: claim a batch, send it over one connection, record each outcome."""

from __future__ import annotations

import logging
import os
import random
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import or_, select, update

from eventhub.clock import utcnow
from eventhub.database import begin_immediate_options
from eventhub.extensions import db
from eventhub.mail.compose import build_message
from eventhub.mail.models import MessageStatus, OutboxMessage
from eventhub.mail.transport import PermanentDeliveryError, TransientDeliveryError, open_transport

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
BASE_BACKOFF_SECONDS = 30
MAX_BACKOFF_SECONDS = 6 * 3600
DELIVERABLE = (MessageStatus.QUEUED, MessageStatus.DEFERRED)


@dataclass
class BatchResult:
    claimed: int = 0
    sent: int = 0
    deferred: int = 0
    failed: int = 0


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def backoff(attempts: int) -> timedelta:
    """Exponential backoff with full jitter, capped."""
    ceiling = min(MAX_BACKOFF_SECONDS, BASE_BACKOFF_SECONDS * 2 ** max(attempts - 1, 0))
    return timedelta(seconds=random.uniform(ceiling / 2, ceiling))


def claim_batch(limit: int, now: datetime | None = None) -> list[int]:
    """Mark up to `limit` due rows `sending` for this worker and commit; return their ids.

    PostgreSQL skips rows another worker has locked; SQLite serialises claimers with
    BEGIN IMMEDIATE. Either way a row is claimed by one worker only.
    """
    now = now or utcnow()
    if db.session.get_bind().dialect.name == "sqlite":
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
            .values(status=MessageStatus.SENDING, claimed_at=now, claimed_by=worker_name())
        )
    db.session.commit()
    return ids


def deliver_claimed(ids: list[int]) -> BatchResult:
    """Send claimed rows over one connection, committing each outcome as it happens."""
    result = BatchResult(claimed=len(ids))
    if not ids:
        return result
    sender = current_app.config["MAIL_DEFAULT_SENDER"]
    rows = list(
        db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.id.in_(ids)).order_by(OutboxMessage.id)
        )
    )
    try:
        with open_transport() as transport:
            for row in rows:
                _send_one(row, transport, sender, result)
    except TransientDeliveryError as exc:
        # The connection itself failed: every row not yet sent waits for the next attempt.
        for row in rows:
            if row.status is MessageStatus.SENDING:
                _defer(row, str(exc), result)
        db.session.commit()
    return result


def _send_one(row: OutboxMessage, transport: object, sender: str, result: BatchResult) -> None:
    try:
        transport.send(build_message(row, sender), row.id)  # type: ignore[attr-defined]
    except PermanentDeliveryError as exc:
        row.status = MessageStatus.FAILED
        row.attempts += 1
        row.last_error = str(exc)
        result.failed += 1
    except TransientDeliveryError as exc:
        if "connection error" in str(exc):
            raise
        _defer(row, str(exc), result)
    else:
        row.status = MessageStatus.SENT
        row.attempts += 1
        row.sent_at = utcnow()
        row.last_error = ""
        result.sent += 1
    db.session.commit()


def _defer(row: OutboxMessage, error: str, result: BatchResult) -> None:
    row.attempts += 1
    row.last_error = error
    if row.attempts >= MAX_ATTEMPTS:
        row.status = MessageStatus.FAILED
        result.failed += 1
        return
    row.status = MessageStatus.DEFERRED
    row.due_at = utcnow() + backoff(row.attempts)
    result.deferred += 1


def requeue_stale(older_than: timedelta = timedelta(minutes=10)) -> int:
    """Put back rows a dead worker left `sending`; the sweep calls this."""
    cutoff = utcnow() - older_than
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
