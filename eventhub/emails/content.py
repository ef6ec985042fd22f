"""What every email about a session says: facts, times in two zones, the next sessions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from eventhub.emails.links import recap_url, register_url, session_url
from eventhub.extensions import db
from eventhub.i18n import Deferred, localised
from eventhub.mail.compose import mailbox
from eventhub.recaps.queries import published_recap_session_ids
from eventhub.registration.availability import ACTION_LABELS, Action, availability_for
from eventhub.registration.messages import speaker_line
from eventhub.scheduling.models import Series, Session, SessionStatus
from eventhub.scheduling.queries import others_in_series
from eventhub.speakers.models import SessionSpeaker
from eventhub.timefmt import format_duration, format_moment_often, in_two_zones


def when(moment: datetime, reader_zone: str | None, series_zone: str) -> dict[str, str]:
    """The reader's local time (zone named) and the series' time when it differs."""
    times = in_two_zones(moment, reader_zone, series_zone)
    return {"local": times.local, "series": times.series}


def speaker_lines(session: Session) -> list[Deferred]:
    """One line per speaker, written when rendered (in the reader's language)."""
    return [Deferred(speaker_line, link) for link in session.speaker_links]


def session_facts(session: Session) -> dict[str, Any]:
    """The parts of the context that are the same for every reader of one session's mail."""
    series = session.series
    return {
        # Worked out per render: one context serves readers in either language.
        "series_title": Deferred(localised, series, "title"),
        "session_title": Deferred(localised, session, "title"),
        "session_number": session.number,
        "duration": Deferred(format_duration, session.duration_minutes),
        "join_url": session.join_url,
        "speakers": speaker_lines(session),
        "session_url": session_url(session),
    }


@dataclass(frozen=True)
class NextSession:
    number: int
    # Title, time and label are written when rendered, in the reader's language.
    title: str | Deferred
    when: str | Deferred
    url: str
    action_label: object
    action_url: str


def next_sessions(
    series: Series, after: Session, now: datetime, limit: int = 3
) -> list[NextSession]:
    """The series' other public sessions still ahead, each with "Read more" and an action."""
    sessions = list(
        db.session.scalars(
            others_in_series(after)
            .where(Session.status == SessionStatus.PUBLISHED, Session.starts_at > now)
            .order_by(Session.starts_at)
            .limit(limit)
            .options(selectinload(Session.speaker_links).selectinload(SessionSpeaker.speaker))
        )
    )
    availability = availability_for(sessions)
    recapped = published_recap_session_ids(s.id for s in sessions)
    cards = []
    for session in sessions:
        action = availability[session.id].action
        if session.id in recapped:
            label, url = _l("Read more"), recap_url(session)
        elif action in (Action.REGISTER, Action.WAITLIST):
            label = ACTION_LABELS[action]
            url = register_url(session)
        else:
            label, url = "", ""  # registration not open: "Read more" alone
        cards.append(
            NextSession(
                number=session.number,
                title=Deferred(localised, session, "title"),
                when=Deferred(format_moment_often, session.starts_at, series.timezone),
                url=session_url(session),
                action_label=label,
                action_url=url,
            )
        )
    return cards


def reply_to(series: Series) -> str | None:
    organiser = series.organiser
    if organiser is None:
        return None
    return mailbox(organiser.display_name or series.title, organiser.email)
