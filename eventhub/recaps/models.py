"""A session's recap: article, per-speaker sections, pull quotes, photos, links."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from eventhub.db_types import UTCDateTime
from eventhub.extensions import Model
from eventhub.models_base import Ordered, Timestamped

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


class RecapPart(Ordered):
    """A row of a recap's page (section, quote, photo), in its order there."""

    id: Mapped[int] = mapped_column(primary_key=True)
    recap_id: Mapped[int] = mapped_column(ForeignKey("recaps.id", ondelete="CASCADE"), index=True)


class SpeakerPart(RecapPart):
    """A part about one speaker, or about none; it outlives the speaker's profile."""

    speaker_id: Mapped[int | None] = mapped_column(
        ForeignKey("speaker_profiles.id", ondelete="SET NULL")
    )

    @declared_attr
    def speaker(cls) -> Mapped[SpeakerProfile | None]:
        return relationship("SpeakerProfile")


class RecapSection(SpeakerPart, Model):
    """What one speaker said (or a free section when no speaker is named)."""

    __tablename__ = "recap_sections"

    heading: Mapped[str] = mapped_column(String(300), default="")
    body_markdown: Mapped[str] = mapped_column(Text, default="")
    heading_zh: Mapped[str] = mapped_column(String(300), default="", server_default="")
    body_markdown_zh: Mapped[str] = mapped_column(Text, default="", server_default="")


class RecapQuote(SpeakerPart, Model):
    __tablename__ = "recap_quotes"

    text: Mapped[str] = mapped_column(Text)
    text_zh: Mapped[str] = mapped_column(Text, default="", server_default="")


class RecapPhoto(RecapPart, Model):
    __tablename__ = "recap_photos"

    path: Mapped[str] = mapped_column(String(255))
    caption: Mapped[str] = mapped_column(String(500), default="")
