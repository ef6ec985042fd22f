"""Read models for public pages: each loads a page's data in a fixed number of statements."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from eventhub.clock import utcnow
from eventhub.extensions import db
from eventhub.scheduling.models import Series, Session, SessionStatus
from eventhub.speakers.models import SessionSpeaker

PUBLIC_STATUSES = (SessionStatus.PUBLISHED, SessionStatus.CANCELLED, SessionStatus.ENDED)


def _with_speakers() -> object:
    return selectinload(Session.speaker_links).selectinload(SessionSpeaker.speaker)


def published_series() -> list[Series]:
    return list(
        db.session.scalars(
            select(Series).where(Series.is_published.is_(True)).order_by(Series.title)
        )
    )


def upcoming_sessions(limit: int = 12) -> list[Session]:
    query = (
        select(Session)
        .join(Series)
        .where(
            Series.is_published.is_(True),
            Session.status == SessionStatus.PUBLISHED,
            Session.starts_at >= utcnow(),
        )
        .order_by(Session.starts_at)
        .limit(limit)
        .options(selectinload(Session.series), _with_speakers())  # type: ignore[arg-type]
    )
    return list(db.session.scalars(query))


def series_page(slug: str) -> Series | None:
    series = db.session.scalar(
        select(Series).where(Series.slug == slug, Series.is_published.is_(True))
    )
    if series is None:
        return None
    return series


def public_sessions(series: Series) -> list[Session]:
    query = (
        select(Session)
        .where(Session.series_id == series.id, Session.status.in_(PUBLIC_STATUSES))
        .order_by(Session.number)
        .options(_with_speakers())  # type: ignore[arg-type]
    )
    return list(db.session.scalars(query))
