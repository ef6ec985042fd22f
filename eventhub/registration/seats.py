"""Seats under the session lock: who gets one, and the waitlist moving up when one frees."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import exists, func, literal, select

from eventhub.clock import utcnow
from eventhub.extensions import db
from eventhub.refusal import Refusal
from eventhub.registration import notify
from eventhub.registration.locking import (
    SessionFacts,
    WrittenWithLock,
    lock_for_signup,
    lock_session,
)
from eventhub.registration.models import SEAT_HOLDING, Registration, RegistrationStatus
from eventhub.registration.queries import of_session_and_email
from eventhub.scheduling.models import Session, SessionStatus


@dataclass(frozen=True)
class SeatCount:
    held: int
    # 1 if anyone is on the waitlist, else 0 (whether, not how many, decides a newcomer's place).
    waiting: int
    registration_id: int | None = None


def count_seats(
    session_id: int, capacity: int | None, email: str | None = None, *, exact: bool = False
) -> SeatCount:
    """Seats held, whether anyone waits, and (given an email) its registration id: one statement.

    Call it with the session locked. Every part is an index probe bounded by the capacity, never
    a scan of the session's whole history: held seats are counted up to `capacity + 1` (enough to
    decide; `exact` counts them all), an unlimited session counts none, and waiting is a yes/no.
    """
    of_session = Registration.session_id == session_id
    if capacity is None and not exact:
        held: Any = literal(0)
    else:
        holders = select(literal(1)).where(of_session, Registration.status.in_(SEAT_HOLDING))
        if not exact and capacity is not None:
            holders = holders.limit(capacity + 1)
        held = select(func.count()).select_from(holders.subquery()).scalar_subquery()
    waiting = exists().where(of_session, Registration.status == RegistrationStatus.WAITLISTED)
    mine = (
        select(Registration.id).where(*of_session_and_email(session_id, email)).scalar_subquery()
        if email
        else literal(None)
    )
    row = db.session.execute(select(held, waiting, mine)).one()
    return SeatCount(held=int(row[0]), waiting=int(bool(row[1])), registration_id=row[2])


def lock_and_count_for_signup(
    session_id: int, email: str, write: WrittenWithLock | None = None
) -> tuple[Session | SessionFacts, SeatCount, Any]:
    """The seat lock and the count a newcomer's place is decided on, in one statement.

    The count comes from the counters on the locked session row (kept by triggers), not from
    counting registrations; if the transaction already held the lock, its own changes may have
    moved the counters since they were read, so the registrations are counted instead.
    The third value is the lock statement's row if it also made `write` (else None).
    """
    lock = lock_for_signup(session_id, email, write)
    session = lock.session
    if not lock.is_fresh:
        return session, count_seats(session.id, session.capacity, email), None
    count = SeatCount(
        held=session.seats_held,
        waiting=int(session.waitlisted_count > 0),
        registration_id=lock.registration_id,
    )
    return session, count, lock.written


def has_free_seat(session: Session | SessionFacts, count: SeatCount) -> bool:
    """A newcomer gets a seat only if one is free and nobody is waiting ahead of them."""
    if count.waiting:
        return False
    return session.capacity is None or count.held < session.capacity


def _free_seats(session: Session, count: SeatCount) -> int | None:
    if session.capacity is None:
        return None
    return max(session.capacity - count.held, 0)


def confirm(registration: Registration, now: datetime) -> None:
    registration.status = RegistrationStatus.CONFIRMED
    registration.confirmed_at = now
    registration.offer_expires_at = None


def fill_free_seats(session: Session, now: datetime | None = None) -> list[Registration]:
    """Give free seats to the earliest waitlisted people; returns those promoted or offered.

    Call it wherever seats may have freed: a cancellation, a decline, a raised capacity. It
    takes the session's seat lock (a no-op if this transaction already holds it). With
    `seat_offer_hours` set the seat is offered for that long instead of given at once.
    """
    now = now or utcnow()
    db.session.flush()
    session = lock_session(session.id)
    if session.status is not SessionStatus.PUBLISHED or session.starts_at <= now:
        return []
    free = _free_seats(session, count_seats(session.id, session.capacity))
    if free == 0:
        return []
    query = (
        select(Registration)
        .where(
            Registration.session_id == session.id,
            Registration.status == RegistrationStatus.WAITLISTED,
        )
        .order_by(Registration.waitlisted_at, Registration.id)
    )
    if free is not None:
        query = query.limit(free)
    moved = list(db.session.scalars(query))
    for registration in moved:
        _move_up(session, registration, now)
    db.session.flush()
    return moved


class SeatsAlreadyTaken(Refusal):
    """A capacity below the seats already held; the message is meant for the organiser."""


def change_capacity(
    session: Session, capacity: int | None, now: datetime | None = None
) -> list[Registration]:
    """Set a session's capacity under the seat lock and move the waitlist up into new seats.

    A capacity below the seats already held is refused: nobody loses a confirmed seat because
    a number was lowered. Returns the people promoted or offered a seat.
    """
    session = lock_session(session.id)
    held = count_seats(session.id, session.capacity, exact=True).held
    if capacity is not None and capacity < held:
        raise SeatsAlreadyTaken(
            f"{held} seats are already taken; lower the capacity only after cancelling some."
        )
    session.capacity = capacity
    return fill_free_seats(session, now)


def _move_up(session: Session, registration: Registration, now: datetime) -> None:
    if session.requires_approval:
        # The organiser still decides; the freed seat is held while they do.
        registration.status = RegistrationStatus.PENDING
        db.session.flush()
        notify.status_mail(registration)
        return
    if session.seat_offer_hours:
        registration.status = RegistrationStatus.OFFERED
        registration.offer_expires_at = min(
            now + timedelta(hours=session.seat_offer_hours), session.starts_at
        )
        db.session.flush()
        notify.status_mail(registration)
        return
    confirm(registration, now)
    db.session.flush()
    notify.promoted(registration)


def lapse_offers(session: Session, now: datetime | None = None) -> list[Registration]:
    """Offers past their time pass on: the holder leaves the waitlist, the next one is asked."""
    now = now or utcnow()
    session = lock_session(session.id)
    lapsed = list(
        db.session.scalars(
            select(Registration).where(
                Registration.session_id == session.id,
                Registration.status == RegistrationStatus.OFFERED,
                Registration.offer_expires_at <= now,
            )
        )
    )
    for registration in lapsed:
        registration.status = RegistrationStatus.CANCELLED
        registration.cancelled_at = now
        registration.cancel_reason = "The seat offer was not taken in time."
        registration.offer_expires_at = None
    if lapsed:
        fill_free_seats(session, now)
    return lapsed


def sessions_with_lapsed_offers(now: datetime) -> list[int]:
    return list(
        db.session.scalars(
            select(Registration.session_id)
            .where(
                Registration.status == RegistrationStatus.OFFERED,
                Registration.offer_expires_at <= now,
            )
            .distinct()
        )
    )
