"""Reminders are data: each beat looks at upcoming sessions and queues what is due.

One outbox row per (session, sequence, offset, confirmed registration), under a unique dedupe
key: a second beat, a retried task or two workers racing create nothing twice. A reschedule
raises the session's sequence, so the new time gets its own reminders; the old ones are
suppressed (receivers.py) and re-checked at delivery (guards.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select
from sqlalchemy.orm import load_only, selectinload

from eventhub.emails.content import reply_to
from eventhub.extensions import db
from eventhub.i18n import language
from eventhub.mail.dedupe import DedupeKey
from eventhub.mail.merge import MailMerge
from eventhub.mail.models import MessageKind
from eventhub.mail.outbox import Envelope, RenderedEmail, commit_each_chunk
from eventhub.registration.manage_links import manage_url
from eventhub.registration.messages import (
    confirmed_not_yet_mailed,
    queue_in_chunks,
    registrant_envelope,
)
from eventhub.registration.models import Registration
from eventhub.scheduling.models import Series, Session, SessionStatus
from eventhub.speakers.mail_context import per_reader
from eventhub.speakers.models import SessionSpeaker

CHUNK = 500
# A session's context for a reader's zone, in the language being rendered (`per_reader`).
SessionContexts = Callable[[str | None], dict[str, Any]]


def reminder_key(session: Session, offset: int) -> DedupeKey:
    """ "reminder:<session>:<sequence>:<offset>", each registration's key its child."""
    return DedupeKey("reminder", session.id, session.sequence, offset)


def due_offset(session: Session, now: datetime) -> int | None:
    """The offset to send now: the most recent one whose moment has come, if the session is ahead.

    Older offsets that a down beat missed are not sent as well: one reminder, the latest.
    A moment before the last reschedule is skipped (the "rescheduled" email told them).
    """
    if session.starts_at <= now:
        return None
    due = [
        offset
        for offset in session.effective_reminder_offsets
        if offset > 0 and session.starts_at - timedelta(minutes=offset) <= now
    ]
    if not due:
        return None
    offset = min(due)
    moment = session.starts_at - timedelta(minutes=offset)
    if session.sequence > 0 and session.rescheduled_at and moment < session.rescheduled_at:
        return None
    return offset


def sessions_with_due_reminders(now: datetime) -> list[tuple[Session, int]]:
    """Upcoming sessions with an offset due now, with that offset.

    The scan reads a few columns of upcoming sessions only; full rows (series, speakers) are
    loaded for the few that are due, so the minute-by-minute beat stays cheap as data grows.
    """
    candidates = db.session.scalars(
        select(Session)
        .where(Session.status == SessionStatus.PUBLISHED, Session.starts_at > now)
        .options(
            load_only(
                Session.id,
                Session.series_id,
                Session.starts_at,
                Session.sequence,
                Session.rescheduled_at,
                Session.reminder_offsets_minutes,
            ),
            selectinload(Session.series).load_only(Series.id, Series.reminder_offsets_minutes),
        )
    ).all()
    due = {s.id: offset for s in candidates if (offset := due_offset(s, now)) is not None}
    if not due:
        return []
    sessions = db.session.scalars(
        select(Session)
        .where(Session.id.in_(due))
        .order_by(Session.starts_at)
        .execution_options(populate_existing=True)
        .options(
            selectinload(Session.series).selectinload(Series.organiser),
            selectinload(Session.speaker_links).selectinload(SessionSpeaker.speaker),
        )
    ).all()
    return [(s, due[s.id]) for s in sessions]


def registrations_due(
    session: Session, offset: int, after_id: int = 0, limit: int | None = None
) -> list[Registration]:
    """Confirmed before the offset's moment and not yet reminded for it (one indexed probe each).

    `after_id` / `limit` page through them by id, so a fan-out holds one chunk in memory.
    """
    moment = session.starts_at - timedelta(minutes=offset)
    confirmed_in_time = func.coalesce(Registration.confirmed_at, Registration.created_at) <= moment
    return confirmed_not_yet_mailed(
        session, reminder_key(session, offset), after_id, limit, confirmed_in_time
    )


def _lead_time(offset: int) -> str:
    if offset % 1440 == 0:
        days = offset // 1440
        return _("tomorrow") if days == 1 else ngettext("in %(num)d day", "in %(num)d days", days)
    if offset % 60 == 0:
        return ngettext("in %(num)d hour", "in %(num)d hours", offset // 60)
    return ngettext("in %(num)d minute", "in %(num)d minutes", offset)


def reminder_merge() -> MailMerge:
    return MailMerge("reminder", fields=("name", "manage_url"))


def build_reminder(
    session: Session,
    offset: int,
    registration: Registration,
    contexts: SessionContexts,
    merge: MailMerge | None = None,
) -> tuple[Envelope, RenderedEmail]:
    """One reminder, in the reader's language; pass one `contexts` (`per_reader`) and one
    `merge` for a whole fan-out (a context and a render per zone and language)."""
    with language(registration.language):
        return _reminder(session, offset, registration, contexts=contexts, merge=merge)


def _reminder(
    session: Session,
    offset: int,
    registration: Registration,
    *,
    contexts: SessionContexts,
    merge: MailMerge | None,
) -> tuple[Envelope, RenderedEmail]:
    series = session.series
    shared = contexts(registration.timezone)
    context = {
        **shared,
        "join_url": session.join_url,
        "lead_time": _lead_time(offset),
        "primary_url": session.join_url or shared["session_url"],
        "primary_label": _("Join the webinar") if session.join_url else _("See the webinar"),
        "unsubscribe_url": None,
    }
    email = (merge or reminder_merge()).render(
        (session.id, offset, registration.timezone, registration.language),
        context,
        name=registration.name,
        manage_url=manage_url(registration),
    )
    envelope = registrant_envelope(
        registration,
        session,
        MessageKind.REMINDER,
        reminder_key(session, offset).child(registration.id),
        reply_to=reply_to(series),
        headers={"Auto-Submitted": "auto-generated"},
    )
    return envelope, email


def reminder_chunks(now: datetime, chunk: int = CHUNK) -> Iterator[int]:
    """Queue due reminders chunk by chunk, yielding each chunk's new-row count.

    The caller commits after each chunk, so delivery starts while the rest are written.
    """
    for session, offset in sessions_with_due_reminders(now):
        yield from queue_in_chunks(
            partial(registrations_due, session, offset),
            partial(
                _reminder, session, offset, contexts=per_reader(session), merge=reminder_merge()
            ),
            chunk,
        )


def create_due_reminders(now: datetime) -> int:
    """The beat's entry point: queue and commit every due reminder; return how many were new."""
    return commit_each_chunk(reminder_chunks(now))
