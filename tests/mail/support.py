"""Helpers for mail tests: registrations without the registration domain's services."""

from __future__ import annotations

import itertools
from datetime import datetime
from typing import Any

from sqlalchemy import select

from eventhub.clock import utcnow
from eventhub.extensions import db
from eventhub.mail.models import MessageKind, MessageStatus, OutboxMessage
from eventhub.registration.models import Registration, RegistrationStatus
from eventhub.scheduling.models import Session

_numbers = itertools.count(1)


def register(
    session: Session,
    email: str | None = None,
    *,
    status: RegistrationStatus = RegistrationStatus.CONFIRMED,
    at: datetime | None = None,
    **fields: Any,
) -> Registration:
    n = next(_numbers)
    moment = at or utcnow()
    values: dict[str, Any] = {
        "session": session,
        "email": email or f"attendee{n}@example.org",
        "name": f"Attendee {n}",
        "timezone": "Europe/London",
        "status": status,
        "consented_at": moment,
        "created_at": moment,
        "confirmed_at": moment if status is RegistrationStatus.CONFIRMED else None,
        "waitlisted_at": moment if status is RegistrationStatus.WAITLISTED else None,
    }
    values.update(fields)
    registration = Registration(**values)
    db.session.add(registration)
    db.session.flush()
    return registration


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
