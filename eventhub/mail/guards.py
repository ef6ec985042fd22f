"""Last checks before a row goes out: unsubscribes, and reminders the world has overtaken."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, tuple_

from eventhub.accounts.models import User
from eventhub.extensions import db
from eventhub.mail.compose import mailbox
from eventhub.mail.models import SERIES_MAIL, MessageKind, Unsubscribe
from eventhub.registration.models import Registration, RegistrationStatus
from eventhub.scheduling.models import Series, Session, SessionStatus


def reminder_sequence(dedupe_key: str) -> int | None:
    """The session sequence a reminder was made for ("reminder:<session>:<seq>:<offset>:<reg>")."""
    parts = dedupe_key.split(":")
    if len(parts) == 5 and parts[0] == "reminder" and parts[2].isdigit():
        return int(parts[2])
    return None


@dataclass(frozen=True)
class SeriesSender:
    """How a series' mail is signed: its title as the From name, its organiser as Reply-To."""

    name: str
    reply_to: str


def series_senders(series_ids: set[int]) -> dict[int, SeriesSender]:
    """The From name and organiser address of each series, in one query."""
    if not series_ids:
        return {}
    rows = db.session.execute(
        select(Series.id, Series.title, User.display_name, User.email)
        .outerjoin(User, User.id == Series.organiser_id)
        .where(Series.id.in_(series_ids))
    )
    return {
        sid: SeriesSender(title, mailbox(name or title, email) if email else "")
        for sid, title, name, email in rows
    }


def unsubscribed_pairs(pairs: set[tuple[int, str]]) -> set[tuple[int, str]]:
    """Which (series id, lower-cased email) pairs have unsubscribed, in one query."""
    if not pairs:
        return set()
    rows = db.session.execute(
        select(Unsubscribe.series_id, Unsubscribe.email).where(
            tuple_(Unsubscribe.series_id, Unsubscribe.email).in_(sorted(pairs))
        )
    )
    return {(series_id, email) for series_id, email in rows}


def suppression_reasons(rows: Sequence[Any], now: datetime) -> dict[int, str]:
    """Row id → why it must not be sent; rows not named go out. A fixed number of queries."""
    reasons: dict[int, str] = {}
    series_rows = [r for r in rows if r.kind in SERIES_MAIL and r.series_id is not None]
    pairs = {(r.series_id, r.recipient_email.lower()) for r in series_rows if r.series_id}
    unsubscribed = unsubscribed_pairs(pairs)
    for row in series_rows:
        if (row.series_id, row.recipient_email.lower()) in unsubscribed:
            reasons[row.id] = "suppressed: the recipient unsubscribed from this series"
    reminders = [r for r in rows if r.kind is MessageKind.REMINDER and r.id not in reasons]
    if reminders:
        reasons.update(_stale_reminders(reminders, now))
    return reasons


def _stale_reminders(rows: list[Any], now: datetime) -> dict[int, str]:
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
