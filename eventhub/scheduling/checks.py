"""Warnings shown before publishing: conflicts an organiser should see, not hard refusals."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import aliased, selectinload

from eventhub.clock import utcnow
from eventhub.extensions import db
from eventhub.i18n import localised, speaker_name
from eventhub.scheduling.models import Series, Session, SessionStatus
from eventhub.speakers.models import SessionSpeaker
from eventhub.timefmt import format_moment


@dataclass(frozen=True)
class Warning:
    code: str
    message: str


def _describe(session: Session) -> str:
    return _(
        "“%(title)s” (Webinar %(number)s of %(series)s, %(moment)s)",
        title=localised(session, "title"),
        number=session.number,
        series=localised(session.series, "title"),
        moment=format_moment(session.starts_at, session.series.timezone),
    )


def _overlaps(a_start: datetime, a_end: datetime, b: Session) -> bool:
    return a_start < b.ends_at and b.starts_at < a_end


def series_overlaps(session: Session) -> list[Warning]:
    return [
        Warning(
            "series_overlap",
            _("It overlaps %(session)s in the same series.", session=_describe(other)),
        )
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
                    _(
                        "%(speaker)s also speaks in %(session)s.",
                        speaker=speaker_name(link.speaker),
                        session=_describe(link.session),
                    ),
                )
            )
    return warnings


def reminder_warnings(session: Session, now: datetime) -> list[Warning]:
    warnings = []
    for minutes in session.effective_reminder_offsets:
        due = session.starts_at - timedelta(minutes=minutes)
        if due <= now:
            label = (
                _("%(hours)s h", hours=minutes // 60)
                if minutes % 60 == 0
                else _("%(minutes)s min", minutes=minutes)
            )
            warnings.append(
                Warning(
                    "reminder_in_past",
                    _(
                        "The %(label)s reminder would be due %(moment)s, which is already past: "
                        "it will not be sent.",
                        label=label,
                        moment=format_moment(due, session.timezone),
                    ),
                )
            )
    return warnings


def window_warnings(session: Session, series: Series, now: datetime) -> list[Warning]:
    warnings = []
    if session.registration_closes_at is not None and session.registration_closes_at <= now:
        warnings.append(Warning("registration_closed", _("Registration has already closed.")))
    if session.ends_at <= now:
        warnings.append(Warning("in_past", _("The session is already over.")))
    if not session.join_url:
        warnings.append(
            Warning("no_join_url", _("There is no join link yet; add it before reminders go out."))
        )
    if not series.is_published:
        warnings.append(
            Warning(
                "series_unpublished",
                _("The series is not published, so the session stays hidden until it is."),
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
