"""The sign-up's single statement (PostgreSQL) writes the rows the ORM's flush wrote."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import inspect, select

from eventhub.clock import utcnow
from eventhub.extensions import db
from eventhub.mail.models import OutboxMessage
from eventhub.registration import services, signup_rows
from eventhub.registration.models import Registration, RegistrationStatus
from eventhub.scheduling.models import SessionStatus
from tests.registration.conftest import applicant
from tests.support.factories import Factories

pytestmark = pytest.mark.postgres

# Columns that differ between two registrations whatever wrote them.
_OWN = {"id", "session_id", "email", "created_at", "updated_at", "consented_at"}
_OWN_MAIL = {
    "id",
    "dedupe_key",
    "registration_id",
    "session_id",
    "recipient_email",
    "created_at",
    "updated_at",
    "due_at",
}


def _row(model: Any, own: set[str], **where: Any) -> dict[str, Any]:
    table = model.__table__
    query = select(table).where(*(table.c[k] == v for k, v in where.items()))
    row = db.session.execute(query).one()._asdict()
    return {k: v for k, v in row.items() if k not in own and not k.endswith("_at")}


@pytest.mark.parametrize(
    ("capacity", "approval", "status"),
    [
        (5, False, RegistrationStatus.CONFIRMED),
        (0, False, RegistrationStatus.WAITLISTED),
        (5, True, RegistrationStatus.PENDING),
    ],
)
def test_one_statement_writes_what_the_flush_wrote(
    app: Flask,
    make: Factories,
    monkeypatch: pytest.MonkeyPatch,
    capacity: int,
    approval: bool,
    status: RegistrationStatus,
) -> None:
    fast = make.session(capacity=capacity, requires_approval=approval)
    slow = make.session(fast.series, capacity=capacity, requires_approval=approval)
    db.session.commit()
    answers = {"role": "Analyst"}
    one = services.register(
        fast.id, applicant("one@example.org", name="Zoë", answers=answers, language="zh-Hant")
    ).registration
    # Persistent as if loaded: an id, nothing to flush, the defaults as written.
    assert one.id and inspect(one).persistent and not db.session.dirty
    assert (one.status, one.token_version, one.cancel_reason, one.is_attended) == (
        status,
        0,
        "",
        False,
    )
    monkeypatch.setattr(signup_rows, "can_write", lambda registration: False)
    two = services.register(
        slow.id, applicant("two@example.org", name="Zoë", answers=answers, language="zh-Hant")
    ).registration
    db.session.commit()
    assert _row(Registration, _OWN, id=one.id) == _row(Registration, _OWN, id=two.id)
    mail_one = _row(OutboxMessage, _OWN_MAIL, registration_id=one.id)
    assert mail_one == _row(OutboxMessage, _OWN_MAIL, registration_id=two.id)
    keys = db.session.scalars(select(OutboxMessage.dedupe_key).order_by(OutboxMessage.id)).all()
    template = {"confirmed": "confirmation"}.get(status.value, status.value)
    assert keys == [f"{template}:{one.id}:v0", f"{template}:{two.id}:v0"]
    # The seat counters' triggers fired for the statement as for the flush.
    db.session.refresh(fast)
    db.session.refresh(slow)
    assert (fast.seats_held, fast.waitlisted_count) == (slow.seats_held, slow.waitlisted_count)


def test_the_statement_refuses_a_second_registration_of_one_email(
    app: Flask, make: Factories
) -> None:
    """The (session, email) constraint fails it as it failed the flush: the caller retries."""
    from sqlalchemy.exc import IntegrityError

    from eventhub.registration.locking import begin_writer

    session = make.session(capacity=5)
    db.session.commit()
    services.register(session.id, applicant("same@example.org"))
    db.session.commit()
    registration = Registration(session=session, email="same@example.org")
    services.apply_applicant(registration, applicant("same@example.org"), session.starts_at)
    registration.status = RegistrationStatus.WAITLISTED
    registration.waitlisted_at = session.starts_at
    with pytest.raises(IntegrityError):
        signup_rows.write(registration, session)
    db.session.rollback()
    begin_writer()
    again = services.register_after_a_twin(session.id, applicant("same@example.org"))
    assert again.is_new is False


def _place_or_refusal(session_id: int, now: datetime) -> str:
    try:
        outcome = services.register(session_id, applicant(), now=now)
    except services.RegistrationClosed as refusal:
        db.session.rollback()
        return f"closed: {refusal}"
    status = outcome.registration.status.value
    db.session.commit()
    return status


_HOUR = timedelta(hours=1)
_SECOND = timedelta(seconds=1)


@pytest.mark.parametrize(
    "fields",
    [
        {"capacity": None},
        {"capacity": 1},
        {"capacity": 0},
        {"capacity": 0, "requires_approval": True},
        {"capacity": 3, "requires_approval": True},
        {"waiting": True, "capacity": 5},
        {"status": SessionStatus.CANCELLED},
        {"status": SessionStatus.DRAFT},
        {"unpublished": True},
        {"opens": _HOUR},
        {"opens": -_HOUR},
        {"closes": -_HOUR},
        {"closes": _HOUR},
        {"starts": -2 * _HOUR},
        {"starts": -_HOUR / 2},
        # Each boundary to the second, on both sides (the decision's `now` is the same in both).
        {"opens": 0 * _SECOND},
        {"opens": _SECOND},
        {"opens": -_SECOND},
        {"closes": 0 * _SECOND},
        {"closes": _SECOND},
        {"closes": -_SECOND},
        {"ends": 0 * _SECOND},
        {"ends": _SECOND},
        {"ends": -_SECOND},
    ],
    ids=repr,
)
def test_the_lock_statement_places_a_newcomer_as_the_service_does(
    app: Flask, make: Factories, monkeypatch: pytest.MonkeyPatch, fields: dict[str, Any]
) -> None:
    """The statement's place and window (SQL) against services._place and window_problem."""
    now = utcnow()

    def make_session() -> int:
        values = dict(fields)
        waiting = values.pop("waiting", False)
        series = make.series(is_published=not values.pop("unpublished", False))
        if "starts" in values:
            values["starts_at"] = now + values.pop("starts")
        if "ends" in values:
            values["starts_at"] = now + values.pop("ends") - timedelta(minutes=60)
            values["duration_minutes"] = 60
        if "opens" in values:
            values["registration_opens_at"] = now + values.pop("opens")
        if "closes" in values:
            values["registration_closes_at"] = now + values.pop("closes")
        session = make.session(series, **values)
        if waiting:
            make.registration(session, status=RegistrationStatus.WAITLISTED)
        db.session.commit()
        return session.id

    by_statement, by_service = make_session(), make_session()
    in_sql = [_place_or_refusal(by_statement, now) for _ in range(2)]
    monkeypatch.setattr(signup_rows, "newcomer", lambda *args: None)
    in_python = [_place_or_refusal(by_service, now) for _ in range(2)]
    assert in_sql == in_python


def test_the_lock_statement_stays_within_psycopgs_statement_cache(
    app: Flask, make: Factories
) -> None:
    """psycopg converts a statement's placeholders afresh on every call past 4096 bytes or 50
    parameters (more CPU than the round trip it saves): a column added must not tip it over."""
    from psycopg import _queries

    from eventhub.registration.locking import _lock_parameters, _postgres_signup_lock_query

    session = make.session(capacity=5)
    db.session.commit()
    registration = services._new_registration(
        applicant(answers={"role": "Analyst"}, organisation="Org"), utcnow()
    )
    newcomer = signup_rows.newcomer(registration, session.id, utcnow())
    assert newcomer is not None
    compiled = newcomer.statement(_postgres_signup_lock_query()).compile(dialect=db.engine.dialect)
    parameters = {**_lock_parameters(session.id), "email": "x@example.org"}
    parameters.update(newcomer.parameters)
    assert len(compiled.string.encode()) <= _queries.MAX_CACHED_STATEMENT_LENGTH
    assert len(compiled.construct_params(parameters)) <= _queries.MAX_CACHED_STATEMENT_PARAMS
