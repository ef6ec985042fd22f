"""What delivery asks the domains before a row goes out: stale reminders, organiser addresses."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select

from eventhub import signals
from eventhub.accounts.models import User
from eventhub.extensions import db
from eventhub.mail.compose import mailbox
from eventhub.mail.guards import SeriesSender
from eventhub.mail.models import MessageKind
from eventhub.registration.models import Registration, RegistrationStatus
from eventhub.scheduling.models import Series, Session, SessionStatus


def reminder_sequence(dedupe_key: str) -> int | None:
    """The session sequence a reminder was made for ("reminder:<session>:<seq>:<offset>:<reg>")."""
    parts = dedupe_key.split(":")
    if len(parts) == 5 and parts[0] == "reminder" and parts[2].isdigit():
        return int(parts[2])
    return None


def series_senders(_sender: object, *, series_ids: set[int]) -> dict[int, SeriesSender]:
    """Each series' title (the From name) and organiser address (the default Reply-To)."""
    rows = db.session.execute(
        select(Series.id, Series.title, User.display_name, User.email)
        .outerjoin(User, User.id == Series.organiser_id)
        .where(Series.id.in_(series_ids))
    )
    return {
        sid: SeriesSender(title, mailbox(name or title, email) if email else "")
        for sid, title, name, email in rows
    }


def stale_reminders(_sender: object, *, rows: Sequence[Any], now: datetime) -> dict[int, str]:
    """Reminders for a session that moved, was cancelled, started, or lost its registrant."""
    rows = [r for r in rows if r.kind is MessageKind.REMINDER]
    if not rows:
        return {}
    session_ids = {r.session_id for r in rows if r.session_id is not None}
    registration_ids = {r.registration_id for r in rows if r.registration_id is not None}
    sessions = {
        s.id: (s.status, s.sequence, s.starts_at)
        for s in db.session.execute(
            select(Session.id, Session.status, Session.sequence, Session.starts_at).where(
                Session.id.in_(session_ids)
            )
        )
    }
    statuses = dict(
        db.session.execute(
            select(Registration.id, Registration.status).where(
                Registration.id.in_(registration_ids)
            )
        ).all()
    )
    reasons: dict[int, str] = {}
    for row in rows:
        found = sessions.get(row.session_id) if row.session_id is not None else None
        if found is None:
            reasons[row.id] = "suppressed: the session no longer exists"
            continue
        status, sequence, starts_at = found
        if status is not SessionStatus.PUBLISHED:
            reasons[row.id] = f"suppressed: the session is {status.value}"
        elif reminder_sequence(row.dedupe_key) not in (None, sequence):
            reasons[row.id] = "suppressed: the session was rescheduled after this reminder"
        elif starts_at <= now:
            reasons[row.id] = "suppressed: the session had already started"
        elif statuses.get(row.registration_id) is not RegistrationStatus.CONFIRMED:
            reasons[row.id] = "suppressed: the registration is no longer confirmed"
    return reasons


def connect() -> None:
    """Answer mail delivery's questions (idempotent: blinker keeps one connection each)."""
    signals.checking_outbox_rows.connect(stale_reminders)
    signals.resolving_senders.connect(series_senders)
