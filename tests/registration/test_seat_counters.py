"""The session's seat counters equal the counts of its registrations after every kind of change.

The registration POST decides a seat from `sessions.seats_held` and `waitlisted_count` (kept
by triggers on `registrations`, migration 0017); these tests drive every path that moves a seat
and compare the counters with COUNT(*). The concurrent version is in test_concurrency.py.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, func, insert, select, update

from eventhub.clock import utcnow
from eventhub.extensions import db
from eventhub.registration import seats, services
from eventhub.registration.models import SEAT_HOLDING, Registration, RegistrationStatus
from eventhub.registration.tasks import pass_on_lapsed_offers
from eventhub.scheduling.models import Session
from tests.registration.conftest import applicant
from tests.support.factories import Factories

S = RegistrationStatus


def counters_match_counts(session_id: int) -> tuple[int, int]:
    """Assert the counters of a session equal its counts (read fresh); return them."""
    db.session.commit()
    held, waiting = db.session.execute(
        select(Session.seats_held, Session.waitlisted_count).where(Session.id == session_id)
    ).one()
    of_session = Registration.session_id == session_id
    counted_held = db.session.scalar(
        select(func.count()).where(of_session, Registration.status.in_(SEAT_HOLDING))
    )
    counted_waiting = db.session.scalar(
        select(func.count()).where(of_session, Registration.status == S.WAITLISTED)
    )
    assert (held, waiting) == (counted_held, counted_waiting)
    return held, waiting


def _register(session_id: int) -> Registration:
    outcome = services.register(session_id, applicant())
    db.session.commit()
    return outcome.registration


def test_counters_follow_registration_cancellation_and_promotion(make: Factories) -> None:
    session = make.session(capacity=2)
    db.session.commit()
    a, b, c, d = (_register(session.id) for _ in range(4))
    assert counters_match_counts(session.id) == (2, 2)
    services.cancel(a)
    assert counters_match_counts(session.id) == (2, 1)
    assert db.session.get(Registration, c.id).status is S.CONFIRMED  # type: ignore[union-attr]
    # A waitlisted person leaving frees no seat.
    services.cancel(d)
    assert counters_match_counts(session.id) == (2, 0)
    # Registering again after cancelling counts once more.
    services.register(session.id, applicant(a.email))
    assert counters_match_counts(session.id) == (2, 1)
    seats.change_capacity(db.session.get(Session, session.id), 5)  # type: ignore[arg-type]
    assert counters_match_counts(session.id) == (3, 0)
    services.cancel(b)
    assert counters_match_counts(session.id) == (2, 0)


def test_counters_follow_offers_approvals_and_declines(make: Factories) -> None:
    offered = make.session(capacity=1, seat_offer_hours=2)
    approval = make.session(capacity=1, requires_approval=True)
    db.session.commit()
    a, b, c = (_register(offered.id) for _ in range(3))
    services.cancel(a)
    assert counters_match_counts(offered.id) == (1, 1)  # b holds an offer
    pass_on_lapsed_offers(now=utcnow() + timedelta(hours=3))
    assert counters_match_counts(offered.id) == (1, 0)  # b lapsed, c offered
    services.accept_offer(db.session.get(Registration, c.id))  # type: ignore[arg-type]
    assert counters_match_counts(offered.id) == (1, 0)
    p, q = _register(approval.id), _register(approval.id)
    assert counters_match_counts(approval.id) == (1, 1)  # p pending, q waiting
    services.decline(p)
    assert counters_match_counts(approval.id) == (1, 0)  # q pending now
    services.approve(db.session.get(Registration, q.id))  # type: ignore[arg-type]
    assert counters_match_counts(approval.id) == (1, 0)
    assert b.id and c.id


def test_counters_follow_changes_made_outside_the_services(make: Factories) -> None:
    """Rows written by any other means (imports, organiser tools, SQL) keep the counters right."""
    session = make.session(capacity=10)
    other = make.session(capacity=10)
    for n in range(4):
        make.registration(session, email=f"c{n}@example.org")
    make.registration(session, email="w@example.org", status=S.WAITLISTED, waitlisted_at=utcnow())
    make.registration(session, email="x@example.org", status=S.CANCELLED)
    assert counters_match_counts(session.id) == (4, 1)
    db.session.execute(
        update(Registration)
        .where(Registration.email == "c0@example.org")
        .values(status=S.DECLINED)
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        update(Registration)
        .where(Registration.email == "c1@example.org")
        .values(session_id=other.id)
        .execution_options(synchronize_session=False)
    )
    assert counters_match_counts(session.id) == (2, 1)
    assert counters_match_counts(other.id) == (1, 0)
    db.session.execute(delete(Registration).where(Registration.email == "w@example.org"))
    assert counters_match_counts(session.id) == (2, 0)
    # Writing the same status again moves nothing.
    db.session.execute(
        update(Registration)
        .where(Registration.session_id == session.id)
        .values(status=Registration.status)
        .execution_options(synchronize_session=False)
    )
    assert counters_match_counts(session.id) == (2, 0)


def test_the_seat_decision_reads_the_counters(make: Factories) -> None:
    """Proof the POST decides from the counters: a counter saying "full" waitlists a newcomer."""
    session = make.session(capacity=3)
    db.session.commit()
    _register(session.id)
    db.session.execute(update(Session).where(Session.id == session.id).values(seats_held=3))
    db.session.commit()
    assert _register(session.id).status is S.WAITLISTED


def test_counters_follow_a_bulk_insert_of_one_statement(make: Factories) -> None:
    """Thousands of rows in one INSERT (as a seeding script writes them) count once each."""
    session = make.session(capacity=None)
    db.session.commit()
    now = utcnow()
    rows = [
        {
            "session_id": session.id,
            "email": f"bulk{n}@example.org",
            "name": f"Bulk {n}",
            "timezone": "UTC",
            "status": S.WAITLISTED if n % 4 == 0 else S.CONFIRMED,
            "waitlisted_at": now if n % 4 == 0 else None,
            "consented_at": now,
        }
        for n in range(4000)
    ]
    db.session.execute(insert(Registration), rows)
    assert counters_match_counts(session.id) == (3000, 1000)
