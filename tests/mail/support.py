"""Helpers for mail tests: reading the outbox (rows are made with tests/support/factories.py)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from eventhub.extensions import db
from eventhub.mail.models import MessageKind, MessageStatus, OutboxMessage


def outbox(kind: MessageKind | None = None, **filters: Any) -> list[OutboxMessage]:
    query = select(OutboxMessage).order_by(OutboxMessage.id)
    if kind is not None:
        query = query.where(OutboxMessage.kind == kind)
    for name, value in filters.items():
        query = query.where(getattr(OutboxMessage, name) == value)
    db.session.expire_all()
    return list(db.session.scalars(query))


def statuses(rows: list[OutboxMessage]) -> list[MessageStatus]:
    return [r.status for r in rows]
