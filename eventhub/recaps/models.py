"""A session's recap: article, per-speaker sections, pull quotes, photos, links."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventhub.db_types import UTCDateTime
from eventhub.extensions import Model
from eventhub.models_base import Timestamped

if TYPE_CHECKING:
    from eventhub.scheduling.models import Session
    from eventhub.speakers.models import SpeakerProfile


class Recap(Timestamped, Model):
    __tablename__ = "recaps"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("sessions.id", ondelete="CASCADE"), unique=True
    )
    headline: Mapped[str] = mapped_column(String(300))
    lead: Mapped[str] = mapped_column(Text, default="")
    body_markdown: Mapped[str] = mapped_column(Text, default="")
    headline_zh: Mapped[str] = mapped_column(String(300), default="", server_default="")
    lead_zh: Mapped[str] = mapped_column(Text, default="", server_default="")
    body_markdown_zh: Mapped[str] = mapped_column(Text, default="", server_default="")
    recording_url: Mapped[str] = mapped_column(String(500), default="")
    slides_url: Mapped[str] = mapped_column(String(500), default="")
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    session: Mapped[Session] = relationship()
    sections: Mapped[list[RecapSection]] = relationship(
        order_by="RecapSection.position", cascade="all, delete-orphan"
    )
    quotes: Mapped[list[RecapQuote]] = relationship(
        order_by="RecapQuote.position", cascade="all, delete-orphan"
    )
    photos: Mapped[list[RecapPhoto]] = relationship(
        order_by="RecapPhoto.position", cascade="all, delete-orphan"
    )

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


class RecapSection(Model):
    """What one speaker said (or a free section when no speaker is named)."""

    __tablename__ = "recap_sections"

    id: Mapped[int] = mapped_column(primary_key=True)
    recap_id: Mapped[int] = mapped_column(ForeignKey("recaps.id", ondelete="CASCADE"), index=True)
    speaker_id: Mapped[int | None] = mapped_column(
        ForeignKey("speaker_profiles.id", ondelete="SET NULL")
    )
    heading: Mapped[str] = mapped_column(String(300), default="")
    body_markdown: Mapped[str] = mapped_column(Text, default="")
    heading_zh: Mapped[str] = mapped_column(String(300), default="", server_default="")
    body_markdown_zh: Mapped[str] = mapped_column(Text, default="", server_default="")
    position: Mapped[int] = mapped_column(default=0)

    speaker: Mapped[SpeakerProfile | None] = relationship()

    __table_args__ = (CheckConstraint("position >= 0", name="position_non_negative"),)


class RecapQuote(Model):
    __tablename__ = "recap_quotes"

    id: Mapped[int] = mapped_column(primary_key=True)
    recap_id: Mapped[int] = mapped_column(ForeignKey("recaps.id", ondelete="CASCADE"), index=True)
    speaker_id: Mapped[int | None] = mapped_column(
        ForeignKey("speaker_profiles.id", ondelete="SET NULL")
    )
    text: Mapped[str] = mapped_column(Text)
    text_zh: Mapped[str] = mapped_column(Text, default="", server_default="")
    position: Mapped[int] = mapped_column(default=0)

    speaker: Mapped[SpeakerProfile | None] = relationship()

    __table_args__ = (CheckConstraint("position >= 0", name="position_non_negative"),)


class RecapPhoto(Model):
    __tablename__ = "recap_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    recap_id: Mapped[int] = mapped_column(ForeignKey("recaps.id", ondelete="CASCADE"), index=True)
    path: Mapped[str] = mapped_column(String(255))
    caption: Mapped[str] = mapped_column(String(500), default="")
    position: Mapped[int] = mapped_column(default=0)

    __table_args__ = (CheckConstraint("position >= 0", name="position_non_negative"),)
