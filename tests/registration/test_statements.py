"""A registration costs a fixed handful of statements, however many came before it."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from eventhub.extensions import db
from eventhub.registration.models import RegistrationStatus
from tests.support.factories import Factories
from tests.support.statements import count_statements


def _statements(app: Flask, client: FlaskClient, session_id: int, email: str) -> list[str]:
    db.session.remove()
    with count_statements(db.engine) as log:
        response = client.post(
            f"/api/v1/sessions/{session_id}/registrations",
            json={"name": "N", "email": email, "consent": True},
        )
    assert response.status_code == 201
    # SQLite's BEGIN is a statement here; PostgreSQL's is sent by the driver.
    return [s for s in log.statements if not s.startswith("BEGIN")]


def test_registration_statements_stay_few_and_flat(
    app: Flask, client: FlaskClient, make: Factories
) -> None:
    small = make.session(capacity=1000)
    large = make.session(capacity=1000)
    make.link(small, make.speaker())
    make.link(large, make.speaker())
    for n in range(300):
        make.registration(large, email=f"old{n}@example.org")
        make.registration(large, email=f"wait{n}@example.org", status=RegistrationStatus.CANCELLED)
    db.session.commit()
    small_id, large_id = small.id, large.id
    _statements(app, client, small_id, "warm@example.org")
    few = _statements(app, client, small_id, "a@example.org")
    many = _statements(app, client, large_id, "b@example.org")
    # The session's sign-up columns and questions; then on PostgreSQL one statement: the seat
    # lock with the seat counters and the email's registration, and the registration and its
    # email (INSERTs inside WITH, signup_rows.Newcomer); on SQLite the lock and two inserts.
    # No count of registrations under the lock.
    expected = 2 if db.engine.dialect.name == "postgresql" else 4
    assert len(few) == len(many) == expected, "\n".join(s[:90] for s in few)
    assert not any("count(" in s.lower() for s in few + many)
