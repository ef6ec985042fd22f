"""Read models for public pages: each loads a page's data in a fixed number of statements."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, bindparam, case, select
from sqlalchemy.orm import contains_eager, selectinload
from sqlalchemy.orm.interfaces import LoaderOption

from eventhub.clock import utcnow
from eventhub.extensions import db
from eventhub.recaps.queries import published_recap_session_ids
from eventhub.registration.availability import Availability, availability_from_counters
from eventhub.scheduling.models import PUBLIC_STATUSES, Series, Session, SessionStatus
from eventhub.speakers.models import SessionSpeaker


def _with_speakers() -> LoaderOption:
    return selectinload(Session.speaker_links).selectinload(SessionSpeaker.speaker)


@dataclass
class Programme:
    """Sessions with what their cards need: availability and whether a recap is out."""

    sessions: list[Session]
    availability: dict[int, Availability] = field(default_factory=dict)
    recap_ids: set[int] = field(default_factory=set)

    @classmethod
    def of(cls, sessions: Sequence[Session]) -> Programme:
        listed = list(sessions)
        ids = [s.id for s in listed]
        return cls(listed, availability_from_counters(listed), published_recap_session_ids(ids))

    def split(self, now: datetime | None = None) -> tuple[list[Session], list[Session]]:
        """Upcoming (soonest first) and past (latest first)."""
        now = now or utcnow()
        upcoming = [s for s in self.sessions if s.ends_at > now]
        past = [s for s in self.sessions if s.ends_at <= now]
        past.sort(key=lambda s: s.starts_at, reverse=True)
        return upcoming, past


# The series page shows the next UPCOMING_SHOWN webinars and folds the past after the latest
# PAST_SHOWN; the rest is on paged lists. A series of 200 webinars then costs about what one of
# 8 does (issue 15), in rows loaded, cards rendered and bytes sent.
UPCOMING_SHOWN = 12
PAST_SHOWN = 6
LIST_PAGE_SIZE = 24
# Webinars in progress have started (so are found among the past by start time) but are shown
# as upcoming until they end; this many extra past rows leave room for them.
IN_PROGRESS_SLACK = 4


@dataclass
class SeriesProgramme:
    """What the series page lists: the next webinars and the latest past ones, both limited."""

    programme: Programme
    upcoming: list[Session]
    past: list[Session]
    more_upcoming: bool
    more_past: bool


def _of_series(series: Series) -> Select[Any]:
    return (
        select(Session)
        .where(Session.series_id == series.id, Session.status.in_(PUBLIC_STATUSES))
        .options(_with_speakers())
    )


def series_programme(series: Series, now: datetime | None = None) -> SeriesProgramme:
    """The next and latest-past webinars of a series, each list limited in SQL."""
    now = now or utcnow()
    ahead = list(
        db.session.scalars(
            _of_series(series)
            .where(Session.starts_at >= now)
            .order_by(Session.starts_at, Session.number)
            .limit(UPCOMING_SHOWN + 1)
        )
    )
    behind = list(
        db.session.scalars(
            _of_series(series)
            .where(Session.starts_at < now)
            .order_by(Session.starts_at.desc(), Session.number.desc())
            .limit(PAST_SHOWN + 1 + IN_PROGRESS_SLACK)
        )
    )
    in_progress = [s for s in behind if s.ends_at > now]
    in_progress.sort(key=lambda s: s.starts_at)
    past = [s for s in behind if s.ends_at <= now]
    upcoming = [*in_progress, *ahead]
    shown_upcoming, shown_past = upcoming[:UPCOMING_SHOWN], past[:PAST_SHOWN]
    return SeriesProgramme(
        programme=Programme.of([*shown_upcoming, *shown_past]),
        upcoming=shown_upcoming,
        past=shown_past,
        more_upcoming=len(upcoming) > UPCOMING_SHOWN,
        more_past=len(past) > PAST_SHOWN,
    )


@dataclass
class SessionList:
    """One page of a series' upcoming (soonest first) or past (latest first) webinars."""

    programme: Programme
    sessions: list[Session]
    page: int
    has_next: bool


def series_session_page(
    series: Series, *, past: bool, page: int, now: datetime | None = None
) -> SessionList:
    """A page of upcoming or past webinars (those in progress are on the series page)."""
    now = now or utcnow()
    query = _of_series(series)
    if past:
        query = query.where(Session.starts_at < now).order_by(
            Session.starts_at.desc(), Session.number.desc()
        )
    else:
        query = query.where(Session.starts_at >= now).order_by(Session.starts_at, Session.number)
    rows = list(
        db.session.scalars(query.offset((page - 1) * LIST_PAGE_SIZE).limit(LIST_PAGE_SIZE + 1))
    )
    shown = rows[:LIST_PAGE_SIZE]
    if past:
        shown = [s for s in shown if s.ends_at <= now]
    return SessionList(Programme.of(shown), shown, page, has_next=len(rows) > LIST_PAGE_SIZE)


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
        .options(contains_eager(Session.series), _with_speakers())
    )
    return list(db.session.scalars(query))


def series_page(slug: str) -> Series | None:
    """A published series with its public sessions and their speakers (three statements)."""
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
        .options(_with_speakers())
    )
    return list(db.session.scalars(query))


def _one_public_session(*conditions: ColumnElement[bool]) -> Session | None:
    """The public session of a published series that `conditions` pick, series and speakers
    loaded with it."""
    query = (
        select(Session)
        .join(Series)
        .where(*conditions, Series.is_published.is_(True), Session.status.in_(PUBLIC_STATUSES))
        .options(contains_eager(Session.series), _with_speakers())
    )
    return db.session.scalar(query)


def public_session(series_slug: str, session_slug: str) -> Session | None:
    return _one_public_session(Series.slug == series_slug, Session.slug == session_slug)


def public_session_by_id(session_id: int) -> Session | None:
    return _one_public_session(Session.id == session_id)


def sibling_sessions(session: Session, limit: int = 3) -> list[Session]:
    """Other public sessions of the series for "More in this series": next ones, then latest past.

    Limited in SQL, so the cost stays flat however long the series' history grows.
    """
    now = utcnow()
    is_past = case((Session.starts_at < now, 1), else_=0)
    query = (
        select(Session)
        .where(
            Session.series_id == session.series_id,
            Session.id != session.id,
            Session.status.in_(PUBLIC_STATUSES),
        )
        .order_by(
            is_past,
            case((Session.starts_at >= now, Session.starts_at)),
            Session.starts_at.desc(),
        )
        .limit(limit)
        .options(_with_speakers())
    )
    return list(db.session.scalars(query))


def seat_counters(session_ids: Sequence[int]) -> dict[int, tuple[int, int]]:
    """Sessions' seat counters (seats held, waitlisted) by id, fresh from their rows."""
    # On a connection of its own rather than the request's ORM session: a cached page's one
    # statement then costs a third of what the ORM's bookkeeping around it did.
    with db.engine.connect() as connection:
        rows = connection.execute(_SEAT_COUNTERS, {"ids": list(session_ids)})
        return {row[0]: (row[1], row[2]) for row in rows}


_SEAT_COUNTERS = select(Session.id, Session.seats_held, Session.waitlisted_count).where(
    Session.id.in_(bindparam("ids", expanding=True))
)
