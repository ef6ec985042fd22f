"""What every email about a session says: facts, times in two zones, the next sessions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from eventhub.emails.links import recap_url, register_url, session_url
from eventhub.extensions import db
from eventhub.mail.compose import mailbox
from eventhub.recaps.queries import published_recap_session_ids
from eventhub.registration.availability import Action, availability_for
from eventhub.scheduling.models import Series, Session, SessionStatus
from eventhub.speakers.models import SessionSpeaker
from eventhub.timefmt import format_duration, format_moment, is_valid_zone


@lru_cache(maxsize=4096)
def _moment(moment: datetime, zone: str) -> str:
    # A fan-out formats the same start time for thousands of readers in a handful of zones.
    return format_moment(moment, zone)


def when(moment: datetime, reader_zone: str | None, series_zone: str) -> dict[str, str]:
    """The reader's local time (zone named) and the series' time when it differs."""
    zone = reader_zone if reader_zone and is_valid_zone(reader_zone) else series_zone
    local = _moment(moment, zone)
    series_time = _moment(moment, series_zone)
    return {"local": local, "series": series_time if series_time != local else ""}


def speaker_lines(session: Session) -> list[str]:
    lines = []
    for link in session.speaker_links:
        speaker = link.speaker
        parts = [speaker.name_line]
        meta = ", ".join(p for p in (speaker.position, speaker.organisation) if p)
        if meta:
            parts.append(meta)
        if link.role.value == "moderator":
            parts.append("moderator")
        lines.append(" · ".join(parts))
    return lines


def session_facts(session: Session) -> dict[str, Any]:
    """The parts of the context that are the same for every reader of one session's mail."""
    series = session.series
    return {
        "series_title": series.title,
        "session_title": session.title,
        "session_number": session.number,
        "duration": format_duration(session.duration_minutes),
        "join_url": session.join_url,
        "speakers": speaker_lines(session),
        "session_url": session_url(session),
    }


@dataclass(frozen=True)
class NextSession:
    number: int
    title: str
    when: str
    url: str
    action_label: str
    action_url: str


def next_sessions(
    series: Series, after: Session, now: datetime, limit: int = 3
) -> list[NextSession]:
    """The series' other public sessions still ahead, each with "Read more" and an action."""
    sessions = list(
        db.session.scalars(
            select(Session)
            .where(
                Session.series_id == series.id,
                Session.id != after.id,
                Session.status == SessionStatus.PUBLISHED,
                Session.starts_at > now,
            )
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
            label, url = "Read more", recap_url(session)
        elif action in (Action.REGISTER, Action.WAITLIST):
            label = "Register" if action is Action.REGISTER else "Join the waitlist"
            url = register_url(session)
        else:
            label, url = "", ""  # registration not open: "Read more" alone
        cards.append(
            NextSession(
                number=session.number,
                title=session.title,
                when=_moment(session.starts_at, series.timezone),
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
