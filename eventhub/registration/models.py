"""Registrations for sessions and whole series, and the organiser's own questions."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventhub.db_types import UTCDateTime
from eventhub.extensions import Model
from eventhub.models_base import Ordered, Timestamped, str_enum

if TYPE_CHECKING:
    from eventhub.scheduling.models import Series, Session


class RegistrationStatus(enum.StrEnum):
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    # A freed seat held for this person until `offer_expires_at`.
    OFFERED = "offered"
    PENDING = "pending"
    DECLINED = "declined"
    CANCELLED = "cancelled"


# Statuses that hold a seat against the session's capacity. A pending registration (manual
# approval) holds its seat while the organiser decides, so approving never overbooks and
# declining frees a seat for the waitlist.
SEAT_HOLDING = (
    RegistrationStatus.CONFIRMED,
    RegistrationStatus.OFFERED,
    RegistrationStatus.PENDING,
)
# Statuses of a live registration: a repeat with the same email gets no second one.
ACTIVE = (*SEAT_HOLDING, RegistrationStatus.WAITLISTED)


# A registrant's field sizes: the columns, and the limits the forms and the API check first.
EMAIL_MAX = 320
NAME_MAX = 200
ORGANISATION_MAX = 200


class QuestionKind(enum.StrEnum):
    SHORT_TEXT = "short_text"
    LONG_TEXT = "long_text"
    SINGLE_CHOICE = "single_choice"
    MULTIPLE_CHOICE = "multiple_choice"


class Registrant:
    """Who registered, as they wrote it on the form, and their consent: the same columns on a
    session registration and a whole-series one."""

    # Normalised (lower-cased) so one address holds one seat per session or series.
    email: Mapped[str] = mapped_column(String(EMAIL_MAX))
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    organisation: Mapped[str] = mapped_column(String(ORGANISATION_MAX), default="")
    timezone: Mapped[str] = mapped_column(String(64))
    # Every email to this person is in it ("en" / "zh-Hant").
    language: Mapped[str] = mapped_column(String(16), default="en", server_default="en")
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    is_marketing_consent: Mapped[bool] = mapped_column(default=False)
    consented_at: Mapped[datetime] = mapped_column(UTCDateTime())


class SeriesRegistration(Registrant, Timestamped, Model):
    """Someone registered for a whole series; sessions added later include them."""

    __tablename__ = "series_registrations"

    id: Mapped[int] = mapped_column(primary_key=True)
    series_id: Mapped[int] = mapped_column(ForeignKey("series.id", ondelete="CASCADE"))
    # Opted out of being added to sessions created after they registered.
    is_opted_out_of_new_sessions: Mapped[bool] = mapped_column(default=False)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    series: Mapped[Series] = relationship()

    __table_args__ = (UniqueConstraint("series_id", "email"),)


class Registration(Registrant, Timestamped, Model):
    __tablename__ = "registrations"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"))
    series_registration_id: Mapped[int | None] = mapped_column(
        ForeignKey("series_registrations.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[RegistrationStatus] = mapped_column(
        str_enum(RegistrationStatus, "registration_status")
    )
    # Waitlist order: earliest first; set when the person joins the waitlist.
    waitlisted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    offer_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancel_reason: Mapped[str] = mapped_column(Text, default="")
    attended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    is_attended: Mapped[bool] = mapped_column(default=False)
    # Bumped to invalidate every manage link issued so far.
    token_version: Mapped[int] = mapped_column(default=0)

    session: Mapped[Session] = relationship()
    series_registration: Mapped[SeriesRegistration | None] = relationship()

    __table_args__ = (
        UniqueConstraint("session_id", "email"),
        Index("ix_registrations_session_status", "session_id", "status"),
        Index("ix_registrations_email", "email"),
        CheckConstraint(
            "status <> 'waitlisted' OR waitlisted_at IS NOT NULL", name="waitlist_has_time"
        ),
        CheckConstraint(
            "status <> 'offered' OR offer_expires_at IS NOT NULL", name="offer_has_expiry"
        ),
    )

    @property
    def holds_seat(self) -> bool:
        return self.status in SEAT_HOLDING

    def __repr__(self) -> str:
        return f"<Registration {self.email} session={self.session_id} {self.status.value}>"


class RegistrationQuestion(Ordered, Model):
    """A question the organiser adds to a series' registration form."""

    __tablename__ = "registration_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    series_id: Mapped[int] = mapped_column(ForeignKey("series.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(300))
    help_text: Mapped[str] = mapped_column(String(500), default="")
    kind: Mapped[QuestionKind] = mapped_column(str_enum(QuestionKind, "question_kind"))
    choices: Mapped[list[str]] = mapped_column(JSON, default=list)
    is_required: Mapped[bool] = mapped_column(default=False)
