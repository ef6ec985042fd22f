"""What an organiser sees of a series: each session's status, registrations and next step."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import case, func, select

from eventhub.clock import utcnow
from eventhub.extensions import db
from eventhub.recaps.queries import published_recap_session_ids
from eventhub.registration.availability import counts_by_session
from eventhub.registration.models import RegistrationStatus
from eventhub.scheduling.models import Series, Session, SessionStatus
from eventhub.teams.access import in_reach


@dataclass(frozen=True)
class SessionRow:
    session: Session
    confirmed: int
    waitlisted: int
    pending: int
    next_action: str


def next_action(session: Session, has_recap: bool, now: datetime) -> str:
    if session.status is SessionStatus.DRAFT:
        return _("Add speakers, then publish") if not session.speaker_links else _("Publish")
    if session.status is SessionStatus.CANCELLED:
        return _("None (cancelled)")
    if session.status is SessionStatus.PUBLISHED:
        if session.ends_at <= now:
            return _("Mark as ended")
        if session.registration_opens_at and session.registration_opens_at > now:
            return _("Wait for registration to open")
        return _("Taking registrations")
    return _("Recap published") if has_recap else _("Write the recap")


def series_rows(series: Series, now: datetime | None = None) -> list[SessionRow]:
    """One row per session, with counts from a single grouped query."""
    now = now or utcnow()
    sessions = list(series.sessions)
    counts = counts_by_session(s.id for s in sessions)
    recaps = published_recap_session_ids(s.id for s in sessions)
    rows = []
    for session in sessions:
        by_status = counts[session.id]
        rows.append(
            SessionRow(
                session=session,
                confirmed=by_status.get(RegistrationStatus.CONFIRMED, 0)
                + by_status.get(RegistrationStatus.OFFERED, 0),
                waitlisted=by_status.get(RegistrationStatus.WAITLISTED, 0),
                pending=by_status.get(RegistrationStatus.PENDING, 0),
                next_action=next_action(session, session.id in recaps, now),
            )
        )
    return rows


@dataclass(frozen=True)
class SeriesSummary:
    series: Series
    sessions: int
    upcoming: int


def all_series(now: datetime | None = None) -> list[SeriesSummary]:
    """Every series one belongs to, with how many sessions it has and how many are still to come."""
    now = now or utcnow()
    upcoming = func.sum(case((Session.starts_at >= now, 1), else_=0))
    query = (
        select(Series, func.count(Session.id), upcoming)
        .outerjoin(Session, Session.series_id == Series.id)
        .where(in_reach(Series.id))
        .group_by(Series.id)
        .order_by(Series.created_at.desc())
    )
    return [
        SeriesSummary(series=row[0], sessions=row[1], upcoming=int(row[2] or 0))
        for row in db.session.execute(query)
    ]
