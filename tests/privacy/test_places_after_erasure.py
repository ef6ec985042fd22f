"""An erased person's places that need an email to be worth anything go to the people behind.

Nobody can write to an erased person, so their waitlist place, seat offer or pending approval
on a session yet to start would otherwise block real people: before the fix the erased
waitlister was promoted into a freed seat that nobody would use.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from eventhub.clock import utcnow
from eventhub.extensions import db
from eventhub.mail.models import MessageKind, OutboxMessage
from eventhub.privacy.erasure import SELF_ERASURE, erase_person
from eventhub.registration import services
from eventhub.registration.models import Registration, RegistrationStatus
from tests.support.factories import Factories

ERASED = "erase.me@example.org"


def _status(registration_id: int) -> RegistrationStatus:
    db.session.expire_all()
    registration = db.session.get(Registration, registration_id)
    assert registration is not None
    return registration.status


def _cancellation_notices() -> int:
    kinds = (MessageKind.CANCELLED_BY_ATTENDEE, MessageKind.CANCELLED_BY_ORGANISER)
    return len(db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind.in_(kinds))).all())


def _mail_to(email: str) -> list[str]:
    db.session.expire_all()
    return [
        m.kind.value
        for m in db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.recipient_email == email)
        )
    ]


def test_a_freed_seat_goes_to_the_next_real_person_not_the_erased_waitlister(
    make: Factories,
) -> None:
    session = make.session(capacity=1)
    db.session.commit()
    holder = services.register(
        session.id, services.Applicant("Holder", "holder@example.org", "UTC")
    )
    erased = services.register(session.id, services.Applicant("Erased", ERASED, "UTC"))
    behind = services.register(
        session.id, services.Applicant("Behind", "behind@example.org", "UTC")
    )
    db.session.commit()
    assert erased.registration.status is RegistrationStatus.WAITLISTED

    erase_person(ERASED, series_ids=None, actor=None, action=SELF_ERASURE)
    db.session.commit()
    # The erased person is not written to about losing the place: they asked to be forgotten.
    assert _cancellation_notices() == 0
    services.cancel(holder.registration)
    db.session.commit()

    assert _status(behind.registration.id) is RegistrationStatus.CONFIRMED
    assert _status(erased.registration.id) is RegistrationStatus.CANCELLED


def test_a_seat_offered_to_the_erased_person_is_offered_to_the_next(make: Factories) -> None:
    session = make.session(capacity=1, seat_offer_hours=4)
    db.session.commit()
    holder = services.register(
        session.id, services.Applicant("Holder", "holder@example.org", "UTC")
    )
    erased = services.register(session.id, services.Applicant("Erased", ERASED, "UTC"))
    behind = services.register(
        session.id, services.Applicant("Behind", "behind@example.org", "UTC")
    )
    services.cancel(holder.registration)
    db.session.commit()
    assert _status(erased.registration.id) is RegistrationStatus.OFFERED

    erase_person(ERASED, series_ids=None, actor=None, action=SELF_ERASURE)
    db.session.commit()

    assert _status(erased.registration.id) is RegistrationStatus.CANCELLED
    assert _status(behind.registration.id) is RegistrationStatus.OFFERED
    assert sorted(_mail_to("behind@example.org")) == ["seat_offered", "waitlisted"]
    assert _cancellation_notices() == 1  # the holder's own, nobody else's


def test_confirmed_seats_and_past_sessions_are_kept(make: Factories) -> None:
    upcoming = make.session(capacity=5)
    past_full = make.session(capacity=1, starts_at=utcnow() + timedelta(hours=1))
    db.session.commit()
    seat = services.register(upcoming.id, services.Applicant("Erased", ERASED, "UTC"))
    services.register(past_full.id, services.Applicant("Holder", "holder@example.org", "UTC"))
    waiting = services.register(past_full.id, services.Applicant("Erased", ERASED, "UTC"))
    db.session.commit()
    past_full.starts_at = utcnow() - timedelta(hours=2)
    db.session.commit()

    erase_person(ERASED, series_ids=None, actor=None, action=SELF_ERASURE)
    db.session.commit()

    # What organisers report on does not move: a seat taken, a past waitlist.
    assert _status(seat.registration.id) is RegistrationStatus.CONFIRMED
    assert _status(waiting.registration.id) is RegistrationStatus.WAITLISTED
