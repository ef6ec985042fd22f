"""Seat rules in the domain services: capacity, waitlist, promotion, offers, approvals."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import update

from eventhub.clock import utcnow
from eventhub.extensions import db
from eventhub.mail.models import MessageKind
from eventhub.registration import services
from eventhub.registration.models import Registration, RegistrationStatus
from eventhub.registration.services import fill_free_seats
from eventhub.registration.tasks import pass_on_lapsed_offers
from eventhub.scheduling.models import Session, SessionStatus
from tests.registration.conftest import applicant, outbox
from tests.support.factories import Factories
from tests.support.rows import fresh

S = RegistrationStatus


def _register(session_id: int, email: str | None = None) -> Registration:
    outcome = services.register(session_id, applicant(email))
    db.session.commit()
    return outcome.registration


def test_capacity_confirms_then_waitlists(make: Factories) -> None:
    session = make.session(capacity=2)
    db.session.commit()
    statuses = [_register(session.id).status for _ in range(4)]
    assert statuses == [S.CONFIRMED, S.CONFIRMED, S.WAITLISTED, S.WAITLISTED]
    assert len(outbox(MessageKind.CONFIRMATION)) == 2
    assert len(outbox(MessageKind.WAITLISTED)) == 2


def test_no_capacity_means_no_limit(make: Factories) -> None:
    session = make.session(capacity=None)
    db.session.commit()
    assert {_register(session.id).status for _ in range(5)} == {S.CONFIRMED}


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"registration_opens_at": utcnow() + timedelta(days=1)}, "not opened yet"),
        ({"registration_closes_at": utcnow() - timedelta(minutes=1)}, "has closed"),
        ({"starts_at": utcnow() - timedelta(hours=3)}, "over"),
    ],
)
def test_registration_window(make: Factories, fields: dict[str, Any], message: str) -> None:
    session = make.session(**fields)
    db.session.commit()
    with pytest.raises(services.RegistrationClosed, match=message):
        services.register(session.id, applicant())


def test_draft_and_cancelled_sessions_refuse(make: Factories) -> None:
    from eventhub.scheduling.models import SessionStatus

    draft = make.session(status=SessionStatus.DRAFT)
    cancelled = make.session(status=SessionStatus.CANCELLED)
    db.session.commit()
    for session in (draft, cancelled):
        with pytest.raises(services.RegistrationClosed):
            services.register(session.id, applicant())


def test_repeat_email_gets_no_second_seat_but_its_confirmation_again(make: Factories) -> None:
    session = make.session(capacity=5)
    db.session.commit()
    first = services.register(session.id, applicant("same@example.org"))
    db.session.commit()
    again = services.register(session.id, applicant("same@example.org", name="Someone Else"))
    db.session.commit()
    assert first.is_new and not again.is_new
    assert again.registration.id == first.registration.id
    # The impostor's name does not overwrite the owner's.
    assert again.registration.name != "Someone Else"
    rows = outbox(MessageKind.CONFIRMATION, "same@example.org")
    assert len(rows) == 2
    assert rows[0].dedupe_key != rows[1].dedupe_key
    assert "again" in rows[1].subject
    # A third attempt in the same few minutes does not flood the inbox; later it resends.
    services.register(session.id, applicant("same@example.org"))
    db.session.commit()
    assert len(outbox(MessageKind.CONFIRMATION)) == 2
    services.register(
        session.id, applicant("same@example.org"), now=utcnow() + timedelta(minutes=6)
    )
    db.session.commit()
    assert len(outbox(MessageKind.CONFIRMATION)) == 3


def test_cancellation_promotes_the_earliest_waitlisted(make: Factories) -> None:
    session = make.session(capacity=1)
    db.session.commit()
    seated = _register(session.id)
    first_waiting = _register(session.id)
    second_waiting = _register(session.id)
    moved = services.cancel(seated)
    db.session.commit()
    assert [r.id for r in moved] == [first_waiting.id]
    db.session.refresh(first_waiting)
    db.session.refresh(second_waiting)
    assert first_waiting.status is S.CONFIRMED
    assert second_waiting.status is S.WAITLISTED
    promoted = outbox(MessageKind.PROMOTED)
    assert [m.recipient_email for m in promoted] == [first_waiting.email]
    assert promoted[0].attachments[0]["filename"].endswith(".ics")
    assert len(outbox(MessageKind.CANCELLED_BY_ATTENDEE)) == 1


def test_promoted_person_who_cancels_frees_the_seat_again(make: Factories) -> None:
    session = make.session(capacity=1)
    db.session.commit()
    a, b, c = (_register(session.id) for _ in range(3))
    services.cancel(a)
    db.session.commit()
    db.session.refresh(b)
    assert b.status is S.CONFIRMED
    services.cancel(b)
    db.session.commit()
    db.session.refresh(c)
    assert c.status is S.CONFIRMED
    seated = [r for r in db.session.scalars(db.select(Registration)) if r.holds_seat]
    assert [r.id for r in seated] == [c.id]


def test_waitlisted_cancelling_frees_no_seat(make: Factories) -> None:
    session = make.session(capacity=1)
    db.session.commit()
    _register(session.id)
    waiting = _register(session.id)
    assert services.cancel(waiting) == []
    assert not outbox(MessageKind.PROMOTED)


def test_raised_capacity_fills_free_seats(make: Factories) -> None:
    session = make.session(capacity=1)
    db.session.commit()
    regs = [_register(session.id) for _ in range(4)]
    session.capacity = 3
    moved = fill_free_seats(session)
    db.session.commit()
    assert [r.id for r in moved] == [regs[1].id, regs[2].id]
    db.session.refresh(regs[3])
    assert regs[3].status is S.WAITLISTED


def test_newcomer_does_not_jump_the_waitlist_during_an_offer(make: Factories) -> None:
    session = make.session(capacity=1, seat_offer_hours=4)
    db.session.commit()
    a, b, _c = (_register(session.id) for _ in range(3))
    services.cancel(a)
    db.session.commit()
    db.session.refresh(b)
    assert b.status is S.OFFERED
    # The seat is held for b; a newcomer queues behind c.
    assert _register(session.id).status is S.WAITLISTED


def test_seat_offer_accepted(make: Factories) -> None:
    session = make.session(capacity=1, seat_offer_hours=4)
    db.session.commit()
    a, b = _register(session.id), _register(session.id)
    services.cancel(a)
    db.session.commit()
    db.session.refresh(b)
    assert b.status is S.OFFERED
    assert b.offer_expires_at is not None
    assert outbox(MessageKind.SEAT_OFFERED)[0].recipient_email == b.email
    services.accept_offer(b)
    db.session.commit()
    assert fresh(b).status is S.CONFIRMED
    assert outbox(MessageKind.PROMOTED)[0].recipient_email == b.email


def test_seat_offer_not_taken_passes_to_the_next_person(make: Factories) -> None:
    session = make.session(capacity=1, seat_offer_hours=4)
    db.session.commit()
    a, b, c = (_register(session.id) for _ in range(3))
    services.cancel(a)
    db.session.commit()
    assert pass_on_lapsed_offers(now=utcnow() + timedelta(hours=1)) == 0
    assert pass_on_lapsed_offers(now=utcnow() + timedelta(hours=5)) == 1
    db.session.expire_all()
    assert b.status is S.CANCELLED and "not taken" in b.cancel_reason
    assert c.status is S.OFFERED
    # Too late to accept the lapsed offer.
    with pytest.raises(services.NotAllowed):
        services.accept_offer(b)
    db.session.rollback()
    # Running the sweep again changes nothing.
    assert pass_on_lapsed_offers(now=utcnow() + timedelta(hours=5)) == 0


def test_offer_never_outlives_the_session_start(make: Factories) -> None:
    session = make.session(
        capacity=1, seat_offer_hours=48, starts_at=utcnow() + timedelta(hours=10)
    )
    db.session.commit()
    a, b = _register(session.id), _register(session.id)
    services.cancel(a)
    db.session.commit()
    db.session.refresh(b)
    assert b.offer_expires_at == session.starts_at


def test_manual_approval_pending_then_approved_or_declined(make: Factories) -> None:
    session = make.session(capacity=2, requires_approval=True)
    db.session.commit()
    a, b, c = (_register(session.id) for _ in range(3))
    assert (a.status, b.status, c.status) == (S.PENDING, S.PENDING, S.WAITLISTED)
    assert len(outbox(MessageKind.PENDING)) == 2
    services.approve(a)
    db.session.commit()
    assert a.status is S.CONFIRMED
    assert outbox(MessageKind.CONFIRMATION)[0].recipient_email == a.email
    # A declined approval frees its seat: the waitlist moves up (into approval again).
    moved = services.decline(b)
    db.session.commit()
    assert b.status is S.DECLINED
    assert outbox(MessageKind.DECLINED)[0].recipient_email == b.email
    assert [r.id for r in moved] == [c.id]
    assert c.status is S.PENDING
    with pytest.raises(services.NotAllowed):
        services.approve(a)


def test_declined_person_registering_again_stays_declined(make: Factories) -> None:
    session = make.session(requires_approval=True)
    db.session.commit()
    reg = _register(session.id, "no@example.org")
    services.decline(reg)
    db.session.commit()
    again = services.register(session.id, applicant("no@example.org"))
    assert not again.is_new and again.registration.status is S.DECLINED


def test_cancelled_person_can_register_again_and_old_links_die(make: Factories) -> None:
    session = make.session(capacity=3)
    db.session.commit()
    reg = _register(session.id, "back@example.org")
    version = reg.token_version
    services.cancel(reg)
    db.session.commit()
    again = services.register(session.id, applicant("back@example.org"))
    db.session.commit()
    assert again.is_new and again.registration.id == reg.id
    assert again.registration.status is S.CONFIRMED
    assert again.registration.token_version == version + 1
    assert len(outbox(MessageKind.CONFIRMATION, "back@example.org")) == 2


def test_switch_to_another_session(make: Factories) -> None:
    series = make.series()
    first = make.session(series, capacity=1)
    second = make.session(series, capacity=5)
    db.session.commit()
    seated = _register(first.id)
    waiting = _register(first.id)
    outcome = services.switch(seated, second.id)
    db.session.commit()
    assert outcome.registration.session_id == second.id
    assert outcome.registration.status is S.CONFIRMED
    assert seated.status is S.CANCELLED
    db.session.refresh(waiting)
    assert waiting.status is S.CONFIRMED
    with pytest.raises(services.NotAllowed):
        services.switch(outcome.registration, make.session().id)


def test_a_cancelled_seat_confirms_the_next_in_line(app: Flask, make: Factories) -> None:
    session = make.session(capacity=1)
    db.session.commit()
    a, b = _register(session.id), _register(session.id)
    assert (a.status, b.status) == (S.CONFIRMED, S.WAITLISTED)
    services.cancel(a)
    db.session.commit()
    db.session.refresh(b)
    assert (a.status, b.status) == (S.CANCELLED, S.CONFIRMED)


def test_pending_waitlisted_and_offered_never_get_reminders(make: Factories) -> None:
    from eventhub.emails.reminders import create_due_reminders

    session = make.session(capacity=1, seat_offer_hours=2, starts_at=utcnow() + timedelta(days=3))
    approval = make.session(requires_approval=True, starts_at=utcnow() + timedelta(days=3))
    db.session.commit()
    seated, offered, waiting = (_register(session.id) for _ in range(3))
    pending = _register(approval.id)
    # A cancellation then a newcomer: one offer outstanding, one waiting behind it.
    services.cancel(seated)
    db.session.commit()
    late = _register(session.id)
    db.session.refresh(offered)
    assert (offered.status, waiting.status, late.status, pending.status) == (
        S.OFFERED,
        S.WAITLISTED,
        S.WAITLISTED,
        S.PENDING,
    )
    # The day-before reminder time comes; only confirmed people would get one.
    create_due_reminders(utcnow() + timedelta(days=2, hours=1))
    assert outbox(MessageKind.REMINDER) == []
    services.accept_offer(offered)
    db.session.commit()
    create_due_reminders(utcnow() + timedelta(days=2, hours=1))
    assert [m.recipient_email for m in outbox(MessageKind.REMINDER)] == [offered.email]


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("change", "outcome"),
    [
        ({"seats_held": 1}, S.WAITLISTED),  # someone took the last seat meanwhile
        ({"waitlisted_count": 1}, S.WAITLISTED),  # someone is waiting ahead
        ({"requires_approval": True}, S.PENDING),
        ({"capacity": 5, "seats_held": 1}, S.CONFIRMED),
        ({"status": SessionStatus.CANCELLED}, None),
    ],
)
@pytest.mark.parametrize("read_first", [True, False])
def test_a_session_read_before_the_lock_is_decided_on_as_it_stands_locked(
    app: Flask, make: Factories, change: dict[str, Any], outcome: S | None, read_first: bool
) -> None:
    """A sign-up reads the session, then locks it: what changed in between is what counts
    (the lock re-reads the decision's columns onto the objects already loaded, or makes them)."""
    session = make.session(capacity=1)
    db.session.commit()
    session_id = session.id
    if read_first:
        loaded = db.session.get(Session, session_id)
        assert loaded is not None and loaded.seats_held == 0  # in this transaction's map
    else:
        db.session.remove()  # nothing loaded: the API reads plain columns before the lock
    with db.engine.begin() as other:
        other.execute(update(Session).where(Session.id == session_id).values(**change))
    if outcome is None:
        with pytest.raises(services.RegistrationClosed):
            services.register(session_id, applicant())
        return
    registration = services.register(session_id, applicant()).registration
    assert registration.status is outcome
    # Whatever the lock did not read loads when asked for, as it stands.
    assert registration.session.title and registration.session.series.slug
    db.session.commit()
    assert fresh(registration).status is outcome
