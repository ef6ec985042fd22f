"""Status changes: publish, reschedule, cancel, end. Each records why and tells registrants."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from eventhub import signals
from eventhub.clock import utcnow
from eventhub.extensions import db
from eventhub.scheduling.errors import SchedulingError, status_word
from eventhub.scheduling.models import Session, SessionStatus
from eventhub.scheduling.services.session import SessionData, check_session


def publish_session(session: Session) -> Session:
    """Make a draft public (once its series is published too)."""
    if session.status is not SessionStatus.DRAFT:
        raise SchedulingError(
            _(
                "Only a draft can be published; this one is %(status)s.",
                status=status_word(session.status),
            )
        )
    session.status = SessionStatus.PUBLISHED
    session.published_at = session.published_at or utcnow()
    db.session.flush()
    signals.session_published.send(session)
    return session


def reschedule_session(
    session: Session, starts_at: datetime, duration_minutes: int, reason: str
) -> Session:
    """Move a published session; SEQUENCE goes up and every registrant is told."""
    if session.status is not SessionStatus.PUBLISHED:
        raise SchedulingError(
            _(
                "Only a published session can be rescheduled; this one is %(status)s.",
                status=status_word(session.status),
            )
        )
    if starts_at == session.starts_at and duration_minutes == session.duration_minutes:
        raise SchedulingError(_("That is the current time; nothing to reschedule."), "starts_at")
    if not reason.strip():
        raise SchedulingError(_("Say why the time changes; registrants will read it."), "reason")
    if starts_at + timedelta(minutes=duration_minutes) <= utcnow():
        raise SchedulingError(_("The new time is already over."), "starts_at")
    proposed = SessionData(
        title=session.title,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        timezone=session.timezone,
        registration_opens_at=session.registration_opens_at,
        registration_closes_at=session.registration_closes_at,
    )
    _move_window(session, proposed)
    check_session(session, proposed)
    previous_starts_at = session.starts_at
    session.starts_at = starts_at
    session.duration_minutes = duration_minutes
    session.registration_closes_at = proposed.registration_closes_at
    session.status_reason = reason.strip()
    session.sequence += 1
    session.rescheduled_at = utcnow()
    db.session.flush()
    signals.session_rescheduled.send(
        session, previous_starts_at=previous_starts_at, reason=session.status_reason
    )
    return session


def _move_window(session: Session, proposed: SessionData) -> None:
    # A closing time set relative to the old start moves with it, so an earlier date stays valid.
    closes = session.registration_closes_at
    if closes is not None and closes > proposed.ends_at:
        proposed.registration_closes_at = proposed.starts_at


def cancel_session(session: Session, reason: str) -> Session:
    """Cancel a draft or published session; registrants get a cancellation with the .ics."""
    if session.status not in (SessionStatus.DRAFT, SessionStatus.PUBLISHED):
        raise SchedulingError(
            _(
                "A session that is %(status)s cannot be cancelled.",
                status=status_word(session.status),
            )
        )
    if not reason.strip():
        raise SchedulingError(
            _("Say why the session is cancelled; registrants will read it."), "reason"
        )
    was_public = session.status is SessionStatus.PUBLISHED
    session.status = SessionStatus.CANCELLED
    session.status_reason = reason.strip()
    session.cancelled_at = utcnow()
    # Calendar clients apply a CANCEL only when its SEQUENCE is not older than what they hold.
    session.sequence += 1
    db.session.flush()
    signals.session_cancelled.send(session, reason=session.status_reason, was_public=was_public)
    return session


def end_session(session: Session, now: datetime | None = None) -> Session:
    """Mark a published session as held, once it is over."""
    now = now or utcnow()
    if session.status is not SessionStatus.PUBLISHED:
        raise SchedulingError(
            _(
                "Only a published session can end; this one is %(status)s.",
                status=status_word(session.status),
            )
        )
    if session.ends_at > now:
        raise SchedulingError(_("The session has not finished yet."))
    session.status = SessionStatus.ENDED
    db.session.flush()
    return session


def end_past_sessions(now: datetime | None = None) -> int:
    """Mark every published session that is over as ended (the periodic task calls this)."""
    now = now or utcnow()
    candidates = db.session.scalars(
        select(Session).where(Session.status == SessionStatus.PUBLISHED, Session.starts_at < now)
    )
    ended = 0
    for session in candidates:
        if session.ends_at <= now:
            session.status = SessionStatus.ENDED
            ended += 1
    db.session.flush()
    return ended
