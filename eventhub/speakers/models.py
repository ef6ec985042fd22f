"""Speaker profiles, their links to sessions, invitations and profile history."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventhub.accounts.invitation_links import InvitationLink
from eventhub.clock import utcnow
from eventhub.db_types import UTCDateTime
from eventhub.extensions import Model
from eventhub.models_base import Ordered, Timestamped, str_enum

if TYPE_CHECKING:
    from eventhub.accounts.models import User
    from eventhub.scheduling.models import Session


class SpeakerRole(enum.StrEnum):
    SPEAKER = "speaker"
    PANELIST = "panelist"
    MODERATOR = "moderator"


class SpeakerProfile(Timestamped, Model):
    __tablename__ = "speaker_profiles"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), unique=True
    )
    email: Mapped[str | None] = mapped_column(String(320))
    honorific: Mapped[str] = mapped_column(String(40), default="")
    full_name: Mapped[str] = mapped_column(String(200))
    # The name in another script (the seed's audience reads English and Chinese) or a guide.
    alternate_name: Mapped[str] = mapped_column(String(200), default="")
    pronunciation: Mapped[str] = mapped_column(String(200), default="")
    position: Mapped[str] = mapped_column(String(200), default="")
    organisation: Mapped[str] = mapped_column(String(200), default="")
    short_bio: Mapped[str] = mapped_column(String(500), default="")
    long_bio_markdown: Mapped[str] = mapped_column(Text, default="")
    # Traditional Chinese versions (name in Chinese characters, bios), shown to Chinese readers.
    name_zh: Mapped[str] = mapped_column(String(200), default="", server_default="")
    short_bio_zh: Mapped[str] = mapped_column(String(500), default="", server_default="")
    long_bio_markdown_zh: Mapped[str] = mapped_column(Text, default="", server_default="")
    # [{"label": "Website", "url": "https://…"}]
    links: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    photo_path: Mapped[str | None] = mapped_column(String(255))
    thumbnail_path: Mapped[str | None] = mapped_column(String(255))

    user: Mapped[User | None] = relationship()
    session_links: Mapped[list[SessionSpeaker]] = relationship(back_populates="speaker")

    @property
    def name_line(self) -> str:
        return f"{self.honorific} {self.full_name}".strip()

    def __repr__(self) -> str:
        return f"<SpeakerProfile {self.slug}>"


class SessionSpeaker(Ordered, Model):
    """A speaker's part in one session: role and order on the card."""

    __tablename__ = "session_speakers"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"))
    speaker_id: Mapped[int] = mapped_column(
        ForeignKey("speaker_profiles.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[SpeakerRole] = mapped_column(
        str_enum(SpeakerRole, "speaker_role"), default=SpeakerRole.SPEAKER
    )

    session: Mapped[Session] = relationship(back_populates="speaker_links")
    speaker: Mapped[SpeakerProfile] = relationship(back_populates="session_links")

    __table_args__ = (UniqueConstraint("session_id", "speaker_id"),)


def lineup_of(session: Session) -> list[SessionSpeaker]:
    """The session's speaker rows in card order, typed as the rows they are.

    `Session.speaker_links` is typed with scheduling's `SpeakerLink` protocol (scheduling sits
    below speakers and does not import this module); the relationship maps `SessionSpeaker`.
    """
    return cast("list[SessionSpeaker]", session.speaker_links)


class SpeakerInvitation(InvitationLink, Timestamped, Model):
    """One invitation link; the signed token names this row, so it can be used once or revoked."""

    __tablename__ = "speaker_invitations"

    speaker_id: Mapped[int] = mapped_column(
        ForeignKey("speaker_profiles.id", ondelete="CASCADE"), index=True
    )

    speaker: Mapped[SpeakerProfile] = relationship()


class ProfileChange(Model):
    """What changed on a profile, when and by whom: the organisers' short history."""

    __tablename__ = "speaker_profile_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    speaker_id: Mapped[int] = mapped_column(
        ForeignKey("speaker_profiles.id", ondelete="CASCADE"), index=True
    )
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # {"field": {"old": …, "new": …}}; long texts are summarised by the service.
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    note: Mapped[str] = mapped_column(Text, default="")

    changed_by: Mapped[User | None] = relationship()
