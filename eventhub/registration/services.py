"""Registration rules: sign up, repeat, cancel, switch, details, seat offers, approvals."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from eventhub.clock import utcnow
from eventhub.extensions import db
from eventhub.refusal import Refusal
from eventhub.registration import notify, seats, signup_rows
from eventhub.registration.locking import (
    SessionFacts,
    begin_writer,
    loaded_session,
    lock_session,
)
from eventhub.registration.models import (
    ACTIVE,
    Registration,
    RegistrationStatus,
    SeriesRegistration,
)
from eventhub.registration.queries import of_session_and_email
from eventhub.scheduling.models import Session, SessionStatus

# Re-exported: the scheduling edit form calls it after raising a capacity.
fill_free_seats = seats.fill_free_seats


class RegistrationError(Refusal):
    """A refused registration operation; the message is meant for the attendee."""


class RegistrationClosed(RegistrationError):
    """Outside the registration window, or the session is not open for sign-ups."""

    status_code = 409  # the API's "Registration is not open for this session."


class NotAllowed(RegistrationError):
    """The registration is not in a state that allows this."""


@dataclass
class Applicant:
    name: str
    email: str
    timezone: str
    organisation: str = ""
    answers: dict[str, Any] = field(default_factory=dict)
    is_marketing_consent: bool = False
    # The language of every email to this person ("en" / "zh-Hant").
    language: str = "en"


@dataclass(frozen=True)
class Outcome:
    registration: Registration
    # False for a repeat: the same email already held a live registration.
    is_new: bool


def window_problem(session: Session | SessionFacts, now: datetime) -> str | None:
    """Why a session takes no registrations right now, or None."""
    if session.status is SessionStatus.CANCELLED:
        return _("This session has been cancelled.")
    if session.status is not SessionStatus.PUBLISHED or not session.series.is_published:
        return _("This session is not open for registration.")
    if session.ends_at <= now:
        return _("This session is over.")
    if session.registration_opens_at and now < session.registration_opens_at:
        return _("Registration has not opened yet.")
    if session.registration_closes_at and now >= session.registration_closes_at:
        return _("Registration for this session has closed.")
    return None


def _only_not_open_yet(session: Session | SessionFacts, now: datetime) -> bool:
    opens = session.registration_opens_at
    return opens is not None and now < opens and window_problem(session, opens) is None


def find_registration(session_id: int, email: str) -> Registration | None:
    return db.session.scalar(select(Registration).where(*of_session_and_email(session_id, email)))


def register(
    session_id: int,
    applicant: Applicant,
    *,
    series_registration: SeriesRegistration | None = None,
    now: datetime | None = None,
    via_series: bool = False,
) -> Outcome:
    """Give the applicant a seat, a waitlist place or a pending approval — never a second one."""
    now = now or utcnow()
    newcomer = None
    if series_registration is None and not via_series:
        # A new sign-up is written by the seat lock's own statement where it can be (one round
        # trip under the lock: signup_rows.Newcomer); anything else is decided below.
        newcomer = signup_rows.newcomer(_new_registration(applicant, now), session_id, now)
    # On PostgreSQL's first lock of the transaction the session comes as plain values
    # (locking.SessionFacts); `loaded_session` gives the ORM object where one is needed.
    session, count, row = seats.lock_and_count_for_signup(session_id, applicant.email, newcomer)
    written = newcomer.written(row) if newcomer is not None else None
    if written is not None:
        return Outcome(written, is_new=True)
    existing = None
    if count.registration_id:
        # The repeat's and the revival's mails read the session through the registration.
        loaded_session(session)
        existing = db.session.get(Registration, count.registration_id)
    if existing is not None and existing.status in (*ACTIVE, RegistrationStatus.DECLINED):
        # Whoever typed this address gets nothing; its owner gets their email again.
        notify.resend(existing, now)
        return Outcome(existing, is_new=False)
    problem = window_problem(session, now)
    # Whole-series registrants join a session published later even before its window opens.
    if problem and not (via_series and _only_not_open_yet(session, now)):
        raise RegistrationClosed(problem)
    registration = existing or _new_registration(applicant, now)
    if existing is not None:
        # A cancelled registration comes back to life; old manage links stop working.
        existing.token_version += 1
        existing.cancelled_at = None
        existing.cancel_reason = ""
        existing.is_attended = False
        existing.attended_at = None
        apply_applicant(registration, applicant, now)
    registration.series_registration = series_registration
    _place(registration, session, count, now)
    if existing is None and signup_rows.can_write(registration):
        # The registration and its email in one statement (PostgreSQL), still under the lock.
        signup_rows.write(registration, session)
        return Outcome(registration, is_new=True)
    if existing is None:
        registration.session = loaded_session(session)
    db.session.add(registration)
    db.session.flush()
    notify.status_mail(registration)
    return Outcome(registration, is_new=True)


def _new_registration(applicant: Applicant, now: datetime) -> Registration:
    registration = Registration(email=applicant.email)
    apply_applicant(registration, applicant, now)
    return registration


def register_after_a_twin(session_id: int, applicant: Applicant) -> Outcome:
    """register(), run once more if the same email's sign-up committed while this one waited.

    On PostgreSQL the lock query's subquery reads the snapshot taken before the lock wait (see
    locking.lock_for_signup): a registration of the same email committed by the previous lock
    holder is missed, and the insert fails on the (session, email) unique constraint. The failed
    flush has lost the transaction, so it is rolled back and the sign-up runs again, and this time
    finds that registration (the owner gets their email again, nobody gets a second seat).
    """
    try:
        return register(session_id, applicant)
    except IntegrityError:
        db.session.rollback()
        begin_writer()
        return register(session_id, applicant)


def apply_applicant(
    registration: Registration | SeriesRegistration, applicant: Applicant, now: datetime
) -> None:
    """What the applicant entered, and their consent as of `now`, onto a (series) registration."""
    registration.name = applicant.name
    registration.organisation = applicant.organisation
    registration.timezone = applicant.timezone
    registration.language = applicant.language
    registration.answers = dict(applicant.answers)
    registration.is_marketing_consent = applicant.is_marketing_consent
    registration.consented_at = now


def applicant_from(registration: Registration | SeriesRegistration) -> Applicant:
    """Who made a (series) registration, to register them again elsewhere."""
    return Applicant(
        name=registration.name,
        email=registration.email,
        timezone=registration.timezone,
        language=registration.language,
        organisation=registration.organisation,
        answers=dict(registration.answers or {}),
        is_marketing_consent=registration.is_marketing_consent,
    )


def _place(
    registration: Registration,
    session: Session | SessionFacts,
    count: seats.SeatCount,
    now: datetime,
) -> None:
    registration.offer_expires_at = None
    registration.confirmed_at = None
    registration.waitlisted_at = None
    if seats.has_free_seat(session, count):
        if session.requires_approval:
            registration.status = RegistrationStatus.PENDING
        else:
            seats.confirm(registration, now)
    else:
        registration.status = RegistrationStatus.WAITLISTED
        registration.waitlisted_at = now


def cancel(
    registration: Registration,
    *,
    by_organiser: bool = False,
    reason: str = "",
    now: datetime | None = None,
    tell_them: bool = True,
) -> list[Registration]:
    """Cancel a live registration; a freed seat goes to the waitlist. Returns who moved up."""
    now = now or utcnow()
    lock_session(registration.session_id)
    db.session.refresh(registration)
    if registration.status not in ACTIVE:
        raise NotAllowed(_("This registration is already cancelled."))
    held_seat = registration.holds_seat
    had_invite = registration.status is RegistrationStatus.CONFIRMED
    registration.status = RegistrationStatus.CANCELLED
    registration.cancelled_at = now
    registration.cancel_reason = reason.strip()
    registration.offer_expires_at = None
    db.session.flush()
    if tell_them and by_organiser:
        notify.cancelled_by_organiser(registration, had_invite=had_invite)
    elif tell_them:
        notify.cancelled_by_attendee(registration, had_invite=had_invite)
    if held_seat:
        return seats.fill_free_seats(registration.session, now)
    return []


# Places that are only worth something if the person can be written to: a waitlist place
# (promoted by email), a held offer (accepted from an email), an approval awaited (announced
# by email).
AWAITING_WORD = (
    RegistrationStatus.WAITLISTED,
    RegistrationStatus.OFFERED,
    RegistrationStatus.PENDING,
)


def withdraw_unreachable(registration_ids: Collection[int], now: datetime | None = None) -> int:
    """Give up the places of people about to be erased on sessions that have not started.

    An erased person can no longer be written to, so a waitlist place, a seat offer or a
    pending approval of theirs would hold up real people (an erased waitlister would be
    promoted into a seat nobody uses). Confirmed seats stay, and so does everything past:
    the figures organisers report on do not move. Nobody is told of the cancellation itself;
    whoever moves up into a freed seat is. Returns how many places were given up.
    """
    now = now or utcnow()
    if not registration_ids:
        return 0
    waiting = db.session.scalars(
        select(Registration)
        .join(Session, Session.id == Registration.session_id)
        .where(
            Registration.id.in_(registration_ids),
            Registration.status.in_(AWAITING_WORD),
            Session.starts_at > now,
        )
        .order_by(Registration.session_id, Registration.id)
    ).all()
    for registration in waiting:
        cancel(registration, by_organiser=True, now=now, tell_them=False)
    return len(waiting)


def accept_offer(registration: Registration, now: datetime | None = None) -> None:
    """The attendee takes the seat held for them."""
    now = now or utcnow()
    lock_session(registration.session_id)
    db.session.refresh(registration)
    if registration.status is not RegistrationStatus.OFFERED:
        raise NotAllowed(_("There is no seat offer to accept."))
    if registration.offer_expires_at is None or registration.offer_expires_at <= now:
        raise NotAllowed(_("This seat offer has expired."))
    seats.confirm(registration, now)
    db.session.flush()
    notify.promoted(registration)


def approve(registration: Registration, now: datetime | None = None) -> None:
    """An organiser approves a pending registration: its held seat becomes a confirmed one."""
    now = now or utcnow()
    lock_session(registration.session_id)
    db.session.refresh(registration)
    if registration.status is not RegistrationStatus.PENDING:
        raise NotAllowed(_("%(email)s is not awaiting approval.", email=registration.email))
    seats.confirm(registration, now)
    db.session.flush()
    notify.status_mail(registration)


def decline(registration: Registration, now: datetime | None = None) -> list[Registration]:
    """An organiser declines a pending registration; its seat passes to the waitlist."""
    now = now or utcnow()
    lock_session(registration.session_id)
    db.session.refresh(registration)
    if registration.status is not RegistrationStatus.PENDING:
        raise NotAllowed(_("%(email)s is not awaiting approval.", email=registration.email))
    registration.status = RegistrationStatus.DECLINED
    registration.cancelled_at = now
    db.session.flush()
    notify.status_mail(registration)
    return seats.fill_free_seats(registration.session, now)


def switch(registration: Registration, target_id: int, now: datetime | None = None) -> Outcome:
    """Move to another session of the same series: cancel here, register there."""
    now = now or utcnow()
    target = db.session.get(Session, target_id)
    if target is None or target.series_id != registration.session.series_id:
        raise NotAllowed(_("Choose another session of this series."))
    if target.id == registration.session_id:
        raise NotAllowed(_("You are already registered for this session."))
    other = find_registration(target.id, registration.email)
    if other is not None and other.status in ACTIVE:
        raise NotAllowed(_("You are already registered for that session."))
    problem = window_problem(target, now)
    if problem:
        raise RegistrationClosed(problem)
    applicant = applicant_from(registration)
    # Lock both sessions in id order so two opposite switches cannot deadlock.
    for session_id in sorted((registration.session_id, target.id)):
        lock_session(session_id)
    cancel(registration, reason="Switched to another session.", now=now)
    return register(
        target.id, applicant, series_registration=registration.series_registration, now=now
    )


def update_details(registration: Registration, name: str, organisation: str) -> None:
    """The attendee corrects their name or organisation."""
    registration.name = name.strip()
    registration.organisation = organisation.strip()
    db.session.flush()
