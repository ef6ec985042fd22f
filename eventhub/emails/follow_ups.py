"""Follow-ups after a session: "thank you" for those who came, "sorry we missed you" otherwise.

Due at the later of (end + the series' follow-up delay) and the recap's publication, so the
email can always link the recap. One per registration (dedupe key without the variant, so a
late attendance import cannot produce both).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from eventhub.emails.content import next_sessions, reply_to
from eventhub.emails.links import recap_url
from eventhub.emails.unsubscribe import list_unsubscribe_headers, unsubscribe_url
from eventhub.extensions import db
from eventhub.i18n import Deferred, localised
from eventhub.mail.dedupe import DedupeKey
from eventhub.mail.merge import MailMerge
from eventhub.mail.models import MessageKind
from eventhub.mail.outbox import Envelope, RenderedEmail, commit_each_chunk
from eventhub.recaps.models import Recap
from eventhub.registration.messages import (
    confirmed_not_yet_mailed,
    queue_in_chunks,
    registrant_envelope,
)
from eventhub.registration.models import Registration
from eventhub.scheduling.models import Session, SessionStatus
from eventhub.speakers.mail_context import per_reader
from eventhub.speakers.models import SessionSpeaker

CHUNK = 500
# A follow-up more than this late (the feature switched on, a recap published months later)
# would surprise people more than it helps.
MAX_LATENESS = timedelta(days=14)


def follow_up_due_at(session: Session, recap: Recap) -> datetime | None:
    if recap.published_at is None:
        return None
    after_session = session.ends_at + timedelta(minutes=session.series.follow_up_delay_minutes)
    return max(after_session, recap.published_at)


def due_sessions(now: datetime) -> list[tuple[Session, Recap]]:
    rows = db.session.execute(
        select(Session, Recap)
        .join(Recap, Recap.session_id == Session.id)
        .where(
            Session.status.in_((SessionStatus.PUBLISHED, SessionStatus.ENDED)),
            Recap.published_at.is_not(None),
            Session.starts_at <= now,
            Session.starts_at >= now - timedelta(days=120),
        )
        .options(
            selectinload(Session.series),
            selectinload(Session.speaker_links).selectinload(SessionSpeaker.speaker),
        )
    ).all()
    due = []
    for session, recap in rows:
        moment = follow_up_due_at(session, recap)
        if moment is not None and now - MAX_LATENESS <= moment <= now:
            due.append((session, recap))
    return due


def follow_up_key(session_id: int) -> DedupeKey:
    """ "follow-up:<session>", each registration's key its child (one, whichever variant)."""
    return DedupeKey("follow-up", session_id)


def registrations_to_follow_up(
    session: Session, after_id: int = 0, limit: int | None = None
) -> list[Registration]:
    """Confirmed registrations not yet followed up, paged by id."""
    return confirmed_not_yet_mailed(session, follow_up_key(session.id), after_id, limit)


def follow_up_merges() -> dict[MessageKind, MailMerge]:
    """One merge per variant: a render per (variant, time zone) for a whole session."""
    fields = ("name", "unsubscribe_url")
    return {
        kind: MailMerge(kind.value, fields)
        for kind in (MessageKind.FOLLOW_UP_ATTENDED, MessageKind.FOLLOW_UP_MISSED)
    }


def build_follow_up(
    session: Session,
    recap: Recap,
    registration: Registration,
    *,
    shared: dict[str, object],
    contexts: Callable[[str | None], dict[str, Any]],
    merges: dict[MessageKind, MailMerge],
) -> tuple[Envelope, RenderedEmail]:
    """One registrant's follow-up; called in their language (`queue_in_chunks`)."""
    series = session.series
    attended = registration.is_attended
    kind = MessageKind.FOLLOW_UP_ATTENDED if attended else MessageKind.FOLLOW_UP_MISSED
    recap_link = str(shared["recap_url"])
    if attended or not recap.recording_url:
        primary_url, primary_label = recap_link, _("Read the recap")
    else:
        primary_url, primary_label = recap.recording_url, _("Watch the recording")
    context = {
        **contexts(registration.timezone),
        **shared,
        "primary_url": primary_url,
        "primary_label": primary_label,
        "manage_url": None,
    }
    email = merges[kind].render(
        (registration.timezone, registration.language),
        context,
        name=registration.name,
        unsubscribe_url=unsubscribe_url(series.id, registration.email),
    )
    envelope = registrant_envelope(
        registration,
        session,
        kind,
        follow_up_key(session.id).child(registration.id),
        reply_to=reply_to(series),
        headers=list_unsubscribe_headers(series.id, registration.email),
    )
    return envelope, email


def follow_up_chunks(now: datetime, chunk: int = CHUNK) -> Iterator[int]:
    for session, recap in due_sessions(now):
        if not registrations_to_follow_up(session, limit=1):
            continue
        shared: dict[str, object] = {
            "join_url": session.join_url,
            "headline": Deferred(localised, recap, "headline"),
            "recap_url": recap_url(session),
            "recording_url": recap.recording_url,
            "slides_url": recap.slides_url,
            "next_sessions": next_sessions(session.series, session, now),
            "show_join_url": False,
        }
        yield from queue_in_chunks(
            partial(registrations_to_follow_up, session),
            partial(
                build_follow_up,
                session,
                recap,
                shared=shared,
                contexts=per_reader(session),
                merges=follow_up_merges(),
            ),
            chunk,
        )


def create_due_follow_ups(now: datetime) -> int:
    """The beat's entry point: queue and commit due follow-ups; return how many were new."""
    return commit_each_chunk(follow_up_chunks(now))
