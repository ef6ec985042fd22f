"""What needs attention: each list is one bounded query, whatever the history's size."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from eventhub.extensions import db
from eventhub.mail.models import MessageStatus, OutboxMessage
from eventhub.recaps.models import Recap
from eventhub.registration.availability import counts_by_session
from eventhub.registration.models import Registration, RegistrationStatus
from eventhub.scheduling.models import Session, SessionStatus
from eventhub.teams.access import in_reach

# How many rows each list shows; each list links to the full page behind it.
LIST_LIMIT = 8


@dataclass(frozen=True)
class UpcomingSession:
    session: Session
    confirmed: int
    waitlisted: int
    pending: int

    @property
    def seats_left(self) -> int | None:
        if self.session.capacity is None:
            return None
        return max(self.session.capacity - self.confirmed, 0)


@dataclass(frozen=True)
class PendingApprovals:
    session: Session
    count: int


@dataclass(frozen=True)
class MailTrouble:
    status: MessageStatus
    count: int
    oldest_due: datetime


@dataclass(frozen=True)
class Attention:
    upcoming: list[UpcomingSession]
    pending: list[PendingApprovals]
    mail: list[MailTrouble]
    drafts: list[Session]
    recaps_due: list[Session]

    @property
    def is_quiet(self) -> bool:
        return not (self.pending or self.mail or self.drafts or self.recaps_due)


def upcoming_sessions(now: datetime) -> list[UpcomingSession]:
    """The next published sessions to start, with their seats, waitlists and pending approvals."""
    sessions = list(
        db.session.scalars(
            select(Session)
            .where(
                Session.status == SessionStatus.PUBLISHED,
                Session.starts_at >= now,
                in_reach(Session.series_id),
            )
            .order_by(Session.starts_at, Session.id)
            .limit(LIST_LIMIT)
        )
    )
    counts = counts_by_session(s.id for s in sessions)
    return [
        UpcomingSession(
            session=s,
            confirmed=counts[s.id].get(RegistrationStatus.CONFIRMED, 0)
            + counts[s.id].get(RegistrationStatus.OFFERED, 0),
            waitlisted=counts[s.id].get(RegistrationStatus.WAITLISTED, 0),
            pending=counts[s.id].get(RegistrationStatus.PENDING, 0),
        )
        for s in sessions
    ]


def pending_approvals() -> list[PendingApprovals]:
    """Sessions with registrations waiting for an organiser's approval, most waiting first."""
    waiting = func.count(Registration.id)
    rows = db.session.execute(
        select(Session, waiting)
        .join(Registration, Registration.session_id == Session.id)
        .where(Registration.status == RegistrationStatus.PENDING, in_reach(Session.series_id))
        .group_by(Session.id)
        .order_by(waiting.desc(), Session.starts_at)
        .limit(LIST_LIMIT)
    )
    return [PendingApprovals(session=session, count=count) for session, count in rows]


def mail_trouble() -> list[MailTrouble]:
    """Failed and deferred messages, counted by status."""
    troubled = (MessageStatus.FAILED, MessageStatus.DEFERRED)
    rows = db.session.execute(
        select(OutboxMessage.status, func.count(), func.min(OutboxMessage.due_at))
        .where(OutboxMessage.status.in_(troubled), in_reach(OutboxMessage.series_id))
        .group_by(OutboxMessage.status)
    )
    found = {status: MailTrouble(status, count, oldest) for status, count, oldest in rows}
    return [found[status] for status in troubled if status in found]


def drafts() -> list[Session]:
    """Sessions still in draft, soonest first."""
    return list(
        db.session.scalars(
            select(Session)
            .where(Session.status == SessionStatus.DRAFT, in_reach(Session.series_id))
            .order_by(Session.starts_at, Session.id)
            .limit(LIST_LIMIT)
        )
    )


def recaps_due(now: datetime) -> list[Session]:
    """Sessions that took place but have no published recap yet, most recent first."""
    published = select(Recap.session_id).where(Recap.published_at.is_not(None))
    started = db.session.scalars(
        select(Session)
        .where(
            Session.status.in_((SessionStatus.PUBLISHED, SessionStatus.ENDED)),
            Session.starts_at <= now,
            Session.id.not_in(published),
            in_reach(Session.series_id),
        )
        .order_by(Session.starts_at.desc(), Session.id)
        .limit(LIST_LIMIT + 1)
    )
    # At most one of them can still be running (LIST_LIMIT + 1 covers it).
    return [s for s in started if s.ends_at <= now][:LIST_LIMIT]


def attention(now: datetime) -> Attention:
    return Attention(
        upcoming=upcoming_sessions(now),
        pending=pending_approvals(),
        mail=mail_trouble(),
        drafts=drafts(),
        recaps_due=recaps_due(now),
    )
