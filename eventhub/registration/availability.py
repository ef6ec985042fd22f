"""Seats left and what the public action is, for many sessions in one query."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from eventhub.clock import utcnow
from eventhub.extensions import db
from eventhub.registration.models import SEAT_HOLDING, Registration, RegistrationStatus
from eventhub.scheduling.models import Session, SessionStatus


class Action(enum.StrEnum):
    REGISTER = "register"
    WAITLIST = "waitlist"
    NOT_OPEN_YET = "not_open_yet"
    CLOSED = "closed"
    CANCELLED = "cancelled"
    PAST = "past"


# What the public action reads as, wherever a page or an email names it.
ACTION_LABELS = {
    Action.REGISTER: _l("Register"),
    Action.WAITLIST: _l("Join the waitlist"),
    Action.NOT_OPEN_YET: _l("Registration opens soon"),
    Action.CLOSED: _l("Registration closed"),
    Action.CANCELLED: _l("Cancelled"),
    Action.PAST: _l("This session is over"),
}


@dataclass(frozen=True)
class Availability:
    confirmed: int
    waitlisted: int
    # None when read from the seat counters (public pages do not show it).
    pending: int | None
    capacity: int | None
    action: Action

    @property
    def seats_left(self) -> int | None:
        if self.capacity is None:
            return None
        return max(self.capacity - self.confirmed, 0)


def counts_by_session(session_ids: Iterable[int]) -> dict[int, dict[RegistrationStatus, int]]:
    ids = list(session_ids)
    counts: dict[int, dict[RegistrationStatus, int]] = {i: {} for i in ids}
    if not ids:
        return counts
    rows = db.session.execute(
        select(Registration.session_id, Registration.status, func.count())
        .where(Registration.session_id.in_(ids))
        .group_by(Registration.session_id, Registration.status)
    )
    for session_id, status, count in rows:
        counts[session_id][status] = count
    return counts


def action_for(session: Session, confirmed: int, waitlisted: int = 0) -> Action:
    now = utcnow()
    if session.status is SessionStatus.CANCELLED:
        return Action.CANCELLED
    if session.status is SessionStatus.ENDED or session.ends_at <= now:
        return Action.PAST
    if session.registration_opens_at and now < session.registration_opens_at:
        return Action.NOT_OPEN_YET
    if (session.registration_closes_at and now >= session.registration_closes_at) or (
        session.status is not SessionStatus.PUBLISHED
    ):
        return Action.CLOSED
    # People already waiting come first, even if a seat is momentarily free (an open offer).
    if session.capacity is not None and (confirmed >= session.capacity or waitlisted):
        return Action.WAITLIST
    return Action.REGISTER


def availability_from_counters(sessions: Iterable[Session]) -> dict[int, Availability]:
    """Availability per session from the seat counters on the session rows: no statement.

    For public pages, which show seats left and the action; `pending` is not known here (the
    counters hold it among the seats held) and is None.
    """
    return {
        session.id: Availability(
            confirmed=session.seats_held,
            waitlisted=session.waitlisted_count,
            pending=None,
            capacity=session.capacity,
            action=action_for(session, session.seats_held, session.waitlisted_count),
        )
        for session in sessions
    }


def availability_for(sessions: Iterable[Session]) -> dict[int, Availability]:
    """Availability per session id, with a single COUNT … GROUP BY statement."""
    sessions = list(sessions)
    counts = counts_by_session(s.id for s in sessions)
    result: dict[int, Availability] = {}
    for session in sessions:
        by_status = counts[session.id]
        # Offered and pending seats are held too: showing them free would overpromise.
        seated = sum(by_status.get(status, 0) for status in SEAT_HOLDING)
        waitlisted = by_status.get(RegistrationStatus.WAITLISTED, 0)
        result[session.id] = Availability(
            confirmed=seated,
            waitlisted=waitlisted,
            pending=by_status.get(RegistrationStatus.PENDING, 0),
            capacity=session.capacity,
            action=action_for(session, seated, waitlisted),
        )
    return result
