"""Forgetting an attendee in the outbox: unsent mail stops, sent mail keeps no personal data.

An erased registration's address is replaced by one in the reserved `.invalid` domain
(RFC 2606), which the outbox refuses to queue to: whatever later event would write to the
person (a reminder sweep, a reschedule, a promotion), no row is written.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, delete, func, select, update

from eventhub.extensions import db
from eventhub.mail.models import (
    ATTENDEE_MAIL,
    DevMailboxMessage,
    MessageStatus,
    OutboxMessage,
    Unsubscribe,
)

ERASED_DOMAIN = "erased.invalid"
# What sent rows keep as their recipient once scrubbed (the organiser's counts stay).
ERASED_RECIPIENT = f"erased@{ERASED_DOMAIN}"
UNSENT = (MessageStatus.QUEUED, MessageStatus.DEFERRED)
CANCEL_REASON = "suppressed: the recipient's personal data was erased"


def erased_address(reference: str) -> str:
    """A unique placeholder address for an erased row (unique keys include the address)."""
    return f"erased-{reference}@{ERASED_DOMAIN}"


def is_erased_address(address: str) -> bool:
    return address.strip().lower().endswith(f"@{ERASED_DOMAIN}")


def erased_address_clause(column: Any) -> ColumnElement[bool]:
    """SQL: the column holds an erased placeholder address."""
    return func.lower(column).like(f"%@{ERASED_DOMAIN}")


@dataclass(frozen=True)
class Forgotten:
    cancelled: int = 0
    scrubbed: int = 0


def forget_recipient(address: str, series_ids: Collection[int] | None = None) -> Forgotten:
    """Attendee mail to `address` (lower-cased), in `series_ids` or everywhere."""
    where: list[ColumnElement[bool]] = [func.lower(OutboxMessage.recipient_email) == address]
    if series_ids is not None:
        where.append(OutboxMessage.series_id.in_(series_ids))
    return _forget(where)


def forget_series_mail(series_id: int) -> Forgotten:
    """Every attendee row of a series not already scrubbed (retention of a finished series)."""
    where = [
        OutboxMessage.series_id == series_id,
        OutboxMessage.recipient_email != ERASED_RECIPIENT,
    ]
    return _forget(where)


def _forget(where: list[ColumnElement[bool]]) -> Forgotten:
    where = [OutboxMessage.kind.in_(ATTENDEE_MAIL), *where]
    cancelled = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.status.in_(UNSENT), *where)
        .values(status=MessageStatus.SUPPRESSED, last_error=CANCEL_REASON)
        .execution_options(synchronize_session=False)
    )
    rows = db.session.execute(
        select(OutboxMessage.id, OutboxMessage.dedupe_key, OutboxMessage.last_error).where(*where)
    ).all()
    changes = [_scrubbed(row_id, key, error) for row_id, key, error in rows]
    if changes:
        # By primary key, as plain statements: the activity recorder must not copy the old
        # values (the very data being erased) into the log.
        db.session.execute(update(OutboxMessage), changes)
        db.session.execute(
            delete(DevMailboxMessage).where(
                DevMailboxMessage.outbox_message_id.in_([c["id"] for c in changes])
            )
        )
    return Forgotten(cancelled=int(cancelled.rowcount or 0), scrubbed=len(changes))  # type: ignore[attr-defined]


def _scrubbed(row_id: int, key: str, error: str) -> dict[str, Any]:
    # Keys made from a registration id stay, so the sweeps do not write the message again;
    # keys that contain the address do not.
    if "@" in key:
        key = f"erased:{row_id}"
    if error != CANCEL_REASON:
        error = "" if "@" in error else error  # SMTP replies quote the address
    return {
        "id": row_id,
        "dedupe_key": key,
        "recipient_email": ERASED_RECIPIENT,
        "recipient_name": "",
        "body_html": "",
        "body_text": "",
        "render": None,
        "headers": {},
        "attachments": [],
        "last_error": error,
    }


def forget_unsubscribes(address: str, series_ids: Collection[int] | None = None) -> int:
    """The unsubscribe records of an address: with no registration left, nothing mails it."""
    statement = delete(Unsubscribe).where(Unsubscribe.email == address)
    if series_ids is not None:
        statement = statement.where(Unsubscribe.series_id.in_(series_ids))
    return int(db.session.execute(statement).rowcount or 0)  # type: ignore[attr-defined]


def forget_series_unsubscribes(series_id: int) -> int:
    statement = delete(Unsubscribe).where(Unsubscribe.series_id == series_id)
    return int(db.session.execute(statement).rowcount or 0)  # type: ignore[attr-defined]
