"""Series and sessions. Times are stored in UTC; each carries the IANA zone it is shown in."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventhub.db_types import UTCDateTime
from eventhub.extensions import Model
from eventhub.models_base import Timestamped, str_enum

if TYPE_CHECKING:
    from eventhub.accounts.models import User

DEFAULT_REMINDER_OFFSETS = [24 * 60, 60]


class SessionStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    CANCELLED = "cancelled"
    ENDED = "ended"


class SpeakerName(Protocol):
    """What scheduling reads of a speaker's profile (the calendar's description line)."""

    @property
    def name_line(self) -> str: ...

    @property
    def name_zh(self) -> str: ...


class SpeakerLink(Protocol):
    """A speaker's part in a session, as scheduling reads it.

    The mapped class is `eventhub.speakers.models.SessionSpeaker`; speakers sits above
    scheduling, so scheduling names the shape it reads instead of importing the class. Code
    above speakers that needs the whole row reads `eventhub.speakers.models.lineup(session)`.
    """

    @property
    def role(self) -> enum.Enum: ...

    @property
    def speaker(self) -> SpeakerName: ...


# What a public page or the public API shows; a draft is the organisers' alone.
PUBLIC_STATUSES = (SessionStatus.PUBLISHED, SessionStatus.CANCELLED, SessionStatus.ENDED)

# The longest title a series or session may have, in either language.
TITLE_MAX = 200


class Series(Timestamped, Model):
    __tablename__ = "series"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    summary: Mapped[str] = mapped_column(Text, default="")
    # Traditional Chinese versions; pages fall back to the other language when one is empty.
    title_zh: Mapped[str] = mapped_column(String(TITLE_MAX), default="", server_default="")
    summary_zh: Mapped[str] = mapped_column(Text, default="", server_default="")
    # What readers with no preference of their own get ("en" / "zh-Hant").
    default_language: Mapped[str] = mapped_column(String(16), default="en", server_default="en")
    timezone: Mapped[str] = mapped_column(String(64))
    # Minutes before the start at which reminders go out; sessions may override.
    reminder_offsets_minutes: Mapped[list[int]] = mapped_column(
        JSON, default=lambda: list(DEFAULT_REMINDER_OFFSETS)
    )
    follow_up_delay_minutes: Mapped[int] = mapped_column(default=120)
    banner_path: Mapped[str | None] = mapped_column(String(255))
    privacy_statement: Mapped[str] = mapped_column(Text, default="")
    is_published: Mapped[bool] = mapped_column(default=False)
    organiser_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )

    organiser: Mapped[User | None] = relationship()
    sessions: Mapped[list[Session]] = relationship(
        back_populates="series", order_by="Session.number", cascade="all, delete-orphan"
    )

    __table_args__ = (
        CheckConstraint("follow_up_delay_minutes >= 0", name="follow_up_delay_non_negative"),
    )

    def __repr__(self) -> str:
        return f"<Series {self.slug}>"


def _new_calendar_uid() -> str:
    return str(uuid.uuid4())


class Session(Timestamped, Model):
    """One webinar of a series."""

    __tablename__ = "sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    series_id: Mapped[int] = mapped_column(ForeignKey("series.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    slug: Mapped[str] = mapped_column(String(120))
    abstract: Mapped[str] = mapped_column(Text, default="")
    title_zh: Mapped[str] = mapped_column(String(TITLE_MAX), default="", server_default="")
    abstract_zh: Mapped[str] = mapped_column(Text, default="", server_default="")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    duration_minutes: Mapped[int] = mapped_column(default=60)
    timezone: Mapped[str] = mapped_column(String(64))
    join_url: Mapped[str] = mapped_column(String(500), default="")
    # When set, the join link appears only in reminders, not in the confirmation.
    is_join_url_hidden_until_reminder: Mapped[bool] = mapped_column(default=False)
    capacity: Mapped[int | None]
    registration_opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    registration_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    requires_approval: Mapped[bool] = mapped_column(default=False)
    # Hours a freed seat is offered to the next waitlisted person; None = promote at once.
    seat_offer_hours: Mapped[int | None]
    # Registrations holding a seat (confirmed, offered, pending) and waitlisted ones, kept equal
    # to their counts by triggers on `registrations` (migration 0017): the seat decision reads
    # them from the row it locks. Never set them from Python.
    seats_held: Mapped[int] = mapped_column(default=0, server_default="0")
    waitlisted_count: Mapped[int] = mapped_column(default=0, server_default="0")
    reminder_offsets_minutes: Mapped[list[int] | None] = mapped_column(JSON)
    status: Mapped[SessionStatus] = mapped_column(
        str_enum(SessionStatus, "session_status"), default=SessionStatus.DRAFT, index=True
    )
    status_reason: Mapped[str] = mapped_column(Text, default="")
    # Raised on every reschedule; the iCalendar SEQUENCE.
    sequence: Mapped[int] = mapped_column(default=0)
    # The random half of the iCalendar UID: unique across installations, kept for life
    # (a copied session gets its own), whatever the base URL becomes.
    calendar_uid: Mapped[str] = mapped_column(String(36), unique=True, default=_new_calendar_uid)
    rescheduled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    series: Mapped[Series] = relationship(back_populates="sessions")
    speaker_links: Mapped[list[SpeakerLink]] = relationship(
        "SessionSpeaker",
        back_populates="session",
        order_by="SessionSpeaker.position",
        cascade="all, delete-orphan",
    )

    __table_args__ = (
        UniqueConstraint("series_id", "number"),
        UniqueConstraint("series_id", "slug"),
        CheckConstraint("duration_minutes > 0", name="duration_positive"),
        CheckConstraint("capacity IS NULL OR capacity >= 0", name="capacity_non_negative"),
        CheckConstraint("number >= 1", name="number_positive"),
        CheckConstraint("sequence >= 0", name="sequence_non_negative"),
        CheckConstraint(
            "seat_offer_hours IS NULL OR seat_offer_hours > 0", name="seat_offer_positive"
        ),
    )

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.duration_minutes)

    @property
    def effective_reminder_offsets(self) -> list[int]:
        offsets: Any = self.reminder_offsets_minutes
        if offsets is None:
            offsets = self.series.reminder_offsets_minutes
        return sorted({int(o) for o in offsets}, reverse=True)

    @property
    def is_public(self) -> bool:
        return self.status is not SessionStatus.DRAFT and self.series.is_published

    def __repr__(self) -> str:
        return f"<Session {self.series_id}#{self.number} {self.title!r}>"
