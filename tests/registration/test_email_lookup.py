"""A sign-up never reads every registration of its session to find one email (PostgreSQL).

Without statistics — a new database, or a session newer than the last ANALYZE, which is the
opening minute of every new webinar — PostgreSQL ranked the (session_id, status) index as cheap
as any other, and the sign-up statement read all of the session's registrations to find the
email's, under the seat lock: 0.4 ms at 3,000 registrations, 2 ms at 15,000. The newcomer's
statement now finds a repeat by its insert's unique index (ON CONFLICT), and every other lookup
goes through the email's index (queries.of_session_and_email).
"""

from __future__ import annotations

from typing import Any, cast

import pytest
from flask import Flask
from sqlalchemy import Table, select, text

from eventhub.clock import utcnow
from eventhub.extensions import db
from eventhub.registration import services, signup_rows
from eventhub.registration.locking import (
    _lock_parameters,
    _postgres_signup_decision_query,
    _postgres_signup_lock_query,
)
from eventhub.registration.models import Registration
from eventhub.registration.queries import of_session_and_email
from tests.registration.conftest import applicant
from tests.support.factories import Factories

pytestmark = pytest.mark.postgres

CROWD = 3000


def _crowded_session(make: Factories) -> int:
    """A session with CROWD registrations, never analyzed (as a new session's are not)."""
    session = make.session()
    first = make.registration(session, email="first@example.org")
    db.session.commit()
    table = cast(Table, Registration.__table__)
    copied = [c.name for c in table.columns if c.name not in ("id", "email")]
    names = ", ".join(copied)
    db.session.execute(
        text(
            f"INSERT INTO registrations (email, {names}) "  # noqa: S608 (the model's columns)
            f"SELECT 'crowd' || g || '@example.org', {names} "
            f"FROM registrations, generate_series(1, {CROWD}) AS g WHERE id = :id"
        ),
        {"id": first.id},
    )
    db.session.commit()
    assert db.session.scalar(
        text(
            "SELECT last_analyze IS NULL AND last_autoanalyze IS NULL FROM pg_stat_user_tables "
            "WHERE relname = 'registrations'"
        )
    ) in (True, None), "the table was analyzed: the test would prove nothing"
    return session.id


def _plan(statement: Any, parameters: dict[str, Any]) -> str:
    """EXPLAIN ANALYZE of `statement` with `parameters`, converted as its execution would."""
    compiled = statement.compile(dialect=db.engine.dialect)
    processors = compiled._bind_processors
    values = {
        name: processors[name](value) if name in processors else value
        for name, value in compiled.construct_params(parameters).items()
    }
    sql = "EXPLAIN (ANALYZE, FORMAT TEXT) " + compiled.string
    rows = db.session.connection().exec_driver_sql(sql, values)
    return "\n".join(row[0] for row in rows)


def _reads_the_whole_session(plan: str) -> bool:
    return "ix_registrations_session_status" in plan or "Seq Scan on registrations" in plan


def test_the_email_lookups_use_the_email_index(app: Flask, make: Factories) -> None:
    session_id = _crowded_session(make)
    lookup = select(Registration.id).where(*of_session_and_email(session_id, "first@example.org"))
    plan = _plan(lookup, {})
    assert not _reads_the_whole_session(plan), plan
    assert "ix_registrations_email" in plan, plan
    parameters = {**_lock_parameters(session_id), "email": "first@example.org"}
    plan = _plan(_postgres_signup_decision_query(), parameters)
    db.session.rollback()  # EXPLAIN ANALYZE took the lock
    assert not _reads_the_whole_session(plan), plan


def test_the_newcomers_statement_finds_a_repeat_by_its_unique_index(
    app: Flask, make: Factories
) -> None:
    session_id = _crowded_session(make)
    now = utcnow()
    registration = services._new_registration(applicant("crowd7@example.org"), now)
    newcomer = signup_rows.newcomer(registration, session_id, now)
    assert newcomer is not None
    parameters = {**_lock_parameters(session_id), "email": "crowd7@example.org"}
    parameters.update(newcomer.parameters)
    plan = _plan(newcomer.statement(_postgres_signup_lock_query()), parameters)
    db.session.rollback()
    assert not _reads_the_whole_session(plan), plan
    assert "Conflict Arbiter Indexes: uq_registrations_session_id_email" in plan, plan
    assert "Conflicting Tuples: 1" in plan, plan  # the repeat: nothing written
    # And through the service: a repeat, decided under the lock, no second registration.
    outcome = services.register(session_id, applicant("crowd7@example.org"))
    db.session.commit()
    assert not outcome.is_new
    count = db.session.scalar(
        select(Registration.id).where(*of_session_and_email(session_id, "crowd7@example.org"))
    )
    assert count is not None
