"""A new sign-up on PostgreSQL is a transaction of its own: the seat lock ends with its statement.

Every sign-up of a session waits for the seat lock of the one before it, so the lock's hold time
is the session's sign-up rate. Sent outside a transaction, the sign-up's one statement commits
as it ends, and the server releases the lock then: not after the answer has travelled back to
Python and a COMMIT has travelled to the server (database.execute_alone).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import OperationalError

from eventhub.extensions import db
from eventhub.registration import services
from eventhub.registration.models import RegistrationStatus
from tests.registration.conftest import applicant
from tests.support.factories import Factories

pytestmark = pytest.mark.postgres


@pytest.fixture
def other(app: Flask) -> Iterator[Engine]:
    """Another client of the same database (its own pool: nothing shared with the app's)."""
    engine = create_engine(db.engine.url)
    yield engine
    engine.dispose()


def _lock_is_free(engine: Engine, session_id: int) -> bool:
    with engine.connect() as connection:
        try:
            connection.execute(
                text("SELECT id FROM sessions WHERE id = :id FOR UPDATE NOWAIT"), {"id": session_id}
            )
        except OperationalError:
            return False
        finally:
            connection.rollback()
    return True


def _seen_by(engine: Engine, email: str) -> int:
    with engine.connect() as connection:
        return int(
            connection.execute(
                text(
                    "SELECT count(*) FROM registrations r JOIN outbox_messages o "
                    "ON o.registration_id = r.id WHERE r.email = :email"
                ),
                {"email": email},
            ).scalar_one()
        )


def test_a_new_signup_is_committed_and_unlocked_when_its_statement_returns(
    app: Flask, make: Factories, other: Engine
) -> None:
    session_id = make.session(capacity=10).id
    db.session.commit()
    db.session.remove()  # the request's session, with no transaction open yet

    outcome = services.register(session_id, applicant("alone@example.org"))

    assert outcome.is_new and outcome.registration.status is RegistrationStatus.CONFIRMED
    # Before the request's boundary commits: the row and its email are already there for
    # everyone, and the next sign-up can take the lock at once.
    assert _seen_by(other, "alone@example.org") == 1
    assert _lock_is_free(other, session_id)
    db.session.commit()  # the boundary: nothing left to send
    assert _seen_by(other, "alone@example.org") == 1


def test_inside_an_open_transaction_the_signup_is_part_of_it(
    app: Flask, make: Factories, other: Engine
) -> None:
    """The control: the same call inside a transaction holds the lock until that commits."""
    session = make.session(capacity=10)
    db.session.commit()
    db.session.execute(text("SELECT 1"))  # a transaction is open

    services.register(session.id, applicant("inside@example.org"))

    assert _seen_by(other, "inside@example.org") == 0
    assert not _lock_is_free(other, session.id)
    db.session.commit()
    assert _seen_by(other, "inside@example.org") == 1
    assert _lock_is_free(other, session.id)


def test_a_repeat_after_a_statement_of_its_own_is_decided_under_the_lock(
    app: Flask, make: Factories, other: Engine
) -> None:
    """The statement writes nothing for a known email; the repeat then takes the lock again in
    the request's transaction and sends the registration's email again."""
    session_id = make.session(capacity=10).id
    db.session.commit()
    db.session.remove()
    services.register(session_id, applicant("twice@example.org"))
    db.session.commit()
    db.session.remove()

    again = services.register(session_id, applicant("twice@example.org"))

    assert not again.is_new
    assert not _lock_is_free(other, session_id)  # held by the request's transaction
    db.session.commit()
    assert _lock_is_free(other, session_id)
    assert _seen_by(other, "twice@example.org") == 2  # the confirmation, then its resend
