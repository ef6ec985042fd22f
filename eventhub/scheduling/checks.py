"""Warnings shown before publishing: conflicts an organiser should see, not hard refusals."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import aliased, selectinload

from eventhub.clock import utcnow
from eventhub.extensions import db
from eventhub.scheduling.models import Series, Session, SessionStatus
from eventhub.speakers.models import SessionSpeaker
from eventhub.timefmt import format_moment


@dataclass(frozen=True)
class Warning:
    code: str
    message: str


def _describe(session: Session) -> str:
    return (
        f"“{session.title}” (Webinar {session.number} of {session.series.title}, "
        f"{format_moment(session.starts_at, session.series.timezone)})"
    )


def _overlaps(a_start: datetime, a_end: datetime, b: Session) -> bool:
    return a_start < b.ends_at and b.starts_at < a_end


def series_overlaps(session: Session) -> list[Warning]:
    return [
        Warning("series_overlap", f"It overlaps {_describe(other)} in the same series.")
        for other in session.series.sessions
        if other.id != session.id
        and other.status is not SessionStatus.CANCELLED
        and _overlaps(session.starts_at, session.ends_at, other)
    ]


def speaker_overlaps(session: Session) -> list[Warning]:
    speaker_ids = [link.speaker_id for link in session.speaker_links]
    if not speaker_ids:
        return []
    other = aliased(Session)
    # Candidates start within a day of this session; the exact overlap is checked in Python.
    query = (
        select(SessionSpeaker)
        .join(other, SessionSpeaker.session_id == other.id)
        .where(
            SessionSpeaker.speaker_id.in_(speaker_ids),
            other.id != session.id,
            other.status != SessionStatus.CANCELLED,
            other.starts_at < session.ends_at,
            other.starts_at > session.starts_at - timedelta(days=1),
        )
        .options(
            selectinload(SessionSpeaker.session).selectinload(Session.series),
            selectinload(SessionSpeaker.speaker),
        )
    )
    warnings = []
    for link in db.session.scalars(query):
        if _overlaps(session.starts_at, session.ends_at, link.session):
            warnings.append(
                Warning(
                    "speaker_overlap",
                    f"{link.speaker.name_line} also speaks in {_describe(link.session)}.",
                )
            )
    return warnings


def reminder_warnings(session: Session, now: datetime) -> list[Warning]:
    warnings = []
    for minutes in session.effective_reminder_offsets:
        due = session.starts_at - timedelta(minutes=minutes)
        if due <= now:
            label = f"{minutes // 60} h" if minutes % 60 == 0 else f"{minutes} min"
            warnings.append(
                Warning(
                    "reminder_in_past",
                    f"The {label} reminder would be due {format_moment(due, session.timezone)}, "
                    "which is already past: it will not be sent.",
                )
            )
    return warnings


def window_warnings(session: Session, series: Series, now: datetime) -> list[Warning]:
    warnings = []
    if session.registration_closes_at is not None and session.registration_closes_at <= now:
        warnings.append(Warning("registration_closed", "Registration has already closed."))
    if session.ends_at <= now:
        warnings.append(Warning("in_past", "The session is already over."))
    if not session.join_url:
        warnings.append(
            Warning("no_join_url", "There is no join link yet; add it before reminders go out.")
        )
    if not series.is_published:
        warnings.append(
            Warning(
                "series_unpublished",
                "The series is not published, so the session stays hidden until it is.",
            )
        )
    return warnings


def publish_warnings(session: Session, now: datetime | None = None) -> list[Warning]:
    """Everything worth a second look before `session` goes public."""
    now = now or utcnow()
    return [
        *speaker_overlaps(session),
        *series_overlaps(session),
        *reminder_warnings(session, now),
        *window_warnings(session, session.series, now),
    ]
