"""The outbox: every email is a row first, written in the transaction that caused it."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from eventhub.clock import utcnow
from eventhub.db_types import UTCDateTime
from eventhub.extensions import Model
from eventhub.models_base import Timestamped, str_enum


class MessageKind(enum.StrEnum):
    CONFIRMATION = "confirmation"
    WAITLISTED = "waitlisted"
    PENDING = "pending"
    PROMOTED = "promoted"
    SEAT_OFFERED = "seat_offered"
    DECLINED = "declined"
    CANCELLED_BY_ATTENDEE = "cancelled_by_attendee"
    CANCELLED_BY_ORGANISER = "cancelled_by_organiser"
    SESSION_CANCELLED = "session_cancelled"
    RESCHEDULED = "rescheduled"
    REMINDER = "reminder"
    FOLLOW_UP_ATTENDED = "follow_up_attended"
    FOLLOW_UP_MISSED = "follow_up_missed"
    ANNOUNCEMENT = "announcement"
    SPEAKER_INVITATION = "speaker_invitation"
    ORGANISER_MESSAGE = "organiser_message"
    TEAM_INVITATION = "team_invitation"
    PASSWORD_RESET = "password_reset"  # noqa: S105 (a message kind)


# Series mail can be unsubscribed from; everything else is transactional and always goes.
SERIES_MAIL = frozenset(
    {MessageKind.FOLLOW_UP_ATTENDED, MessageKind.FOLLOW_UP_MISSED, MessageKind.ANNOUNCEMENT}
)

# Mail to attendees about their registrations and series (what an attendee's data request
# or erasure covers); the rest goes to organisers and speakers about their accounts.
ATTENDEE_MAIL = frozenset(MessageKind) - {
    MessageKind.SPEAKER_INVITATION,
    MessageKind.TEAM_INVITATION,
    MessageKind.PASSWORD_RESET,
}


class MessageStatus(enum.StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    DEFERRED = "deferred"
    FAILED = "failed"
    SUPPRESSED = "suppressed"


# What a claim reads, as literal SQL shared by the partial indexes below and the claim's
# queries (mail/delivery.py): the planner uses a partial index only when it can prove the
# query implies the index's predicate, which it cannot for bound parameters (psycopg prepares
# a statement run five times, and a generic plan sees only $1).
DUE_PREDICATE = "status IN ('queued', 'deferred')"
LEASED_PREDICATE = "status = 'sending'"
FAILED_PREDICATE = "status = 'failed'"


class OutboxMessage(Timestamped, Model):
    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[MessageKind] = mapped_column(str_enum(MessageKind, "message_kind"))
    # (recipient, session, kind[, offset]) made unique: a second dispatch inserts nothing.
    dedupe_key: Mapped[str] = mapped_column(String(255), unique=True)
    recipient_email: Mapped[str] = mapped_column(String(320))
    recipient_name: Mapped[str] = mapped_column(String(200), default="")
    reply_to: Mapped[str | None] = mapped_column(String(320))
    series_id: Mapped[int | None] = mapped_column(
        ForeignKey("series.id", ondelete="SET NULL"), index=True
    )
    session_id: Mapped[int | None] = mapped_column(
        ForeignKey("sessions.id", ondelete="SET NULL"), index=True
    )
    registration_id: Mapped[int | None] = mapped_column(
        ForeignKey("registrations.id", ondelete="SET NULL"), index=True
    )
    subject: Mapped[str] = mapped_column(String(300))
    body_html: Mapped[str] = mapped_column(Text)
    body_text: Mapped[str] = mapped_column(Text)
    # Set for mail rendered at send time (outbox.DeferredEmail): {"template", "context"} or
    # {"template", "build"} (the context built at send time), "attach" optional; subject and
    # bodies stay empty until the worker renders and stores them.
    render: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    # Extra headers (List-Unsubscribe, …) and attachments
    # [{"filename", "content_type", "data_base64"}].
    headers: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    attachments: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    status: Mapped[MessageStatus] = mapped_column(
        str_enum(MessageStatus, "message_status"), default=MessageStatus.QUEUED
    )
    # Not before this time (reminders, retries with backoff).
    due_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    claimed_by: Mapped[str | None] = mapped_column(String(200))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    # Partial indexes on what is still to do, not one on (status, due_at) over every row: a
    # sent row leaves an entry in an index at each status it passed through until autovacuum
    # comes, and during a burst the claim's bitmap scan of (status, due_at) visited the heap
    # for all of them (0.2 ms growing to 3 ms a claim). A plain index scan of a partial index
    # in the claim's order stops at its LIMIT and marks the dead entries it steps over, and
    # a sent row's versions add no entry at all.
    __table_args__ = (
        # Due rows, in the order they are claimed (and has_due, and the unsent-row cancels).
        Index(
            "ix_outbox_messages_due",
            "due_at",
            "id",
            postgresql_where=text(DUE_PREDICATE),
            sqlite_where=text(DUE_PREDICATE),
        ),
        # Leased rows by lease start: abandoned leases (claim, sweep) and renewals.
        Index(
            "ix_outbox_messages_leased",
            "claimed_at",
            "id",
            postgresql_where=text(LEASED_PREDICATE),
            sqlite_where=text(LEASED_PREDICATE),
        ),
        # Failed rows (the organisers' and admins' trouble lists); deferred ones are "due".
        Index(
            "ix_outbox_messages_failed",
            "due_at",
            postgresql_where=text(FAILED_PREDICATE),
            sqlite_where=text(FAILED_PREDICATE),
        ),
        CheckConstraint("attempts >= 0", name="attempts_non_negative"),
    )

    @property
    def is_series_mail(self) -> bool:
        return self.kind in SERIES_MAIL

    def __repr__(self) -> str:
        return f"<OutboxMessage {self.id} {self.kind.value} {self.status.value}>"


class Unsubscribe(Model):
    """An address that asked for no more series mail from one series."""

    __tablename__ = "unsubscribes"

    id: Mapped[int] = mapped_column(primary_key=True)
    series_id: Mapped[int] = mapped_column(ForeignKey("series.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(320))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (UniqueConstraint("series_id", "email"),)


class DevMailboxMessage(Model):
    """What the development mailbox received when no SMTP server is configured."""

    __tablename__ = "dev_mailbox_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    outbox_message_id: Mapped[int | None] = mapped_column(
        ForeignKey("outbox_messages.id", ondelete="SET NULL"), index=True
    )
    recipient_email: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(300))
    raw: Mapped[bytes] = mapped_column(LargeBinary)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
