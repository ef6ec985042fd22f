"""Stopping unsent rows: the session moved or was cancelled, or someone unsubscribed."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, update

from eventhub.extensions import db
from eventhub.mail.models import SERIES_MAIL, MessageKind, MessageStatus, OutboxMessage

UNSENT = (MessageStatus.QUEUED, MessageStatus.DEFERRED)


def _suppress(where: Iterable[object], reason: str) -> int:
    result = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.status.in_(UNSENT), *where)  # type: ignore[arg-type]
        .values(status=MessageStatus.SUPPRESSED, last_error=reason)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def suppress_session_reminders(session_id: int, reason: str) -> int:
    """Unsent reminders of a session (every sequence up to now) stop here."""
    return _suppress(
        (OutboxMessage.session_id == session_id, OutboxMessage.kind == MessageKind.REMINDER),
        reason,
    )


def suppress_session_follow_ups(session_id: int, reason: str) -> int:
    return _suppress(
        (
            OutboxMessage.session_id == session_id,
            OutboxMessage.kind.in_((MessageKind.FOLLOW_UP_ATTENDED, MessageKind.FOLLOW_UP_MISSED)),
        ),
        reason,
    )


def suppress_pending_series_mail(series_id: int, email: str) -> int:
    return _suppress(
        (
            OutboxMessage.series_id == series_id,
            OutboxMessage.kind.in_(SERIES_MAIL),
            func.lower(OutboxMessage.recipient_email) == email,
        ),
        "suppressed: the recipient unsubscribed from this series",
    )
