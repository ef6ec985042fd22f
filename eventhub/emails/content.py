"""What the fan-outs about a session add to its context (speakers/mail_context.py): the next
sessions, the organiser to reply to."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from eventhub.emails.links import recap_url, register_url, session_url
from eventhub.extensions import db
from eventhub.i18n import Deferred, localised
from eventhub.mail.compose import mailbox
from eventhub.recaps.queries import published_recap_session_ids
from eventhub.registration.availability import ACTION_LABELS, Action, availability_for
from eventhub.scheduling.models import Series, Session, SessionStatus
from eventhub.scheduling.queries import others_in_series
from eventhub.speakers.models import SessionSpeaker
from eventhub.timefmt import format_moment_often


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
