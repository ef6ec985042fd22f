"""The request boundary (eventhub.transaction.change) and the app's answers to refusals and to
lock timeouts that no view handled."""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest
from flask import Flask, get_flashed_messages
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError

from eventhub.extensions import db
from eventhub.refusal import GENERAL, Refusal
from eventhub.registration.services import RegistrationClosed
from eventhub.scheduling.errors import SchedulingError
from eventhub.scheduling.models import Series
from eventhub.teams.access import Need
from eventhub.transaction import (
    after_commit,
    after_rollback,
    at_transaction_end,
    before_commit,
    change,
    keep_quiet,
)
from tests.support.factories import Factories


def _titles() -> list[str]:
    db.session.rollback()  # a fresh look at what was committed
    return list(db.session.scalars(select(Series.title).order_by(Series.title)))


def test_a_change_is_committed_once_the_block_ends(app: Flask, make: Factories) -> None:
    with app.test_request_context(), change() as done:
        make.series(title="Kept")
    assert done.ok
    assert _titles() == ["Kept"]


def test_a_refusal_is_rolled_back_and_flashed(app: Flask, make: Factories) -> None:
    with app.test_request_context():
        with change() as done:
            make.series(title="Dropped")
            raise SchedulingError("Too late to change that.", "starts_at")
        assert not done.ok
        assert isinstance(done.refusal, SchedulingError)
        assert get_flashed_messages(with_categories=True) == [("error", "Too late to change that.")]
    assert _titles() == []


def test_show_receives_the_refusal_instead_of_a_flash(app: Flask, make: Factories) -> None:
    shown: list[Refusal] = []
    with app.test_request_context():
        with change(show=shown.append) as done:
            make.series(title="Dropped")
            raise RegistrationClosed("Registration has closed.")
        assert get_flashed_messages() == []
    assert shown == [done.refusal]
    assert _titles() == []


def test_other_errors_leave_the_block_uncommitted(app: Flask, make: Factories) -> None:
    with app.test_request_context(), pytest.raises(LookupError), change():
        make.series(title="Half done")
        raise LookupError("not a refusal")
    assert _titles() == []


def test_a_failed_commit_leaves_a_usable_session(app: Flask, make: Factories) -> None:
    make.series(slug="taken")
    db.session.commit()
    with app.test_request_context(), pytest.raises(IntegrityError), change(show=keep_quiet):
        db.session.add(Series(slug="taken", title="Twin", timezone="UTC"))
    # Rolled back by the boundary: the session answers the next query instead of raising.
    assert db.session.scalar(select(Series.title).where(Series.slug == "taken")) is not None


def test_refusal_field_errors() -> None:
    assert Refusal("Pick a later time.", field="starts_at").field_errors == {
        "starts_at": ["Pick a later time."]
    }
    refusal = Refusal(errors={"title": "Required.", GENERAL: ["Not now.", "Later."]})
    assert refusal.field_errors == {"title": ["Required."], GENERAL: ["Not now.", "Later."]}
    assert refusal.summary() == "Required. Not now. Later."
    assert Refusal("Whole change refused.").field_errors == {}
    assert Refusal("Whole change refused.").summary() == "Whole change refused."


def _locked() -> OperationalError:
    # What SQLAlchemy raises when SQLite's busy wait ran out (PostgreSQL: sqlstate 55P03).
    return OperationalError(
        "UPDATE sessions SET …", {}, sqlite3.OperationalError("database is locked")
    )


def _gone() -> OperationalError:
    return OperationalError(
        "SELECT 1", {}, sqlite3.OperationalError("unable to open database file")
    )


@pytest.fixture
def raising_app(app: Flask) -> Flask:
    """The app with routes that raise what no view handles (views exist only in this test)."""
    problems: dict[str, Any] = {
        "locked": _locked,
        "gone": _gone,
        "refused": lambda: SchedulingError({"title": ["Required."], GENERAL: ["Not now."]}),
        "closed": lambda: RegistrationClosed("Registration has closed."),
    }

    def raise_it(what: str) -> str:
        raise problems[what]()

    app.add_url_rule("/test-raise/<what>", "test_raise_page", raise_it)
    app.add_url_rule("/api/v1/test-raise/<what>", "test_raise_api", raise_it)
    # Every /api/ endpoint needs an access rule; these are open to anyone.
    app.extensions["access_needs"]["test_raise_api"] = Need.PUBLIC
    return app


@pytest.mark.parametrize("prefix", ["", "/api/v1"])
def test_a_lock_timeout_anywhere_is_503_with_retry_after(raising_app: Flask, prefix: str) -> None:
    response = raising_app.test_client().get(f"{prefix}/test-raise/locked")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    if prefix:
        assert response.get_json()["code"] == 503
        assert "busy" in response.get_json()["message"]
    else:
        assert "busy" in response.get_data(as_text=True)


def test_a_lost_database_is_still_an_outage_not_busy(raising_app: Flask) -> None:
    response = raising_app.test_client().get("/api/v1/test-raise/gone")
    assert response.status_code == 503
    assert "briefly unavailable" in response.get_json()["message"]


def test_an_unshown_refusal_is_a_json_4xx_naming_the_fields(raising_app: Flask) -> None:
    client = raising_app.test_client()
    refused = client.get("/api/v1/test-raise/refused")
    assert refused.status_code == 422
    assert refused.get_json()["errors"] == {"title": ["Required."], "_schema": ["Not now."]}
    closed = client.get("/api/v1/test-raise/closed")
    assert closed.status_code == 409
    assert closed.get_json()["message"] == "Registration has closed."
    page = client.get("/test-raise/refused")
    assert page.status_code == 422
    assert "Not now." in page.get_data(as_text=True)


def test_after_commit_runs_once_when_the_outer_transaction_commits(
    app: Flask, make: Factories
) -> None:
    # No request here: the same holds in a Celery task's unit of work.
    ran: list[str] = []
    make.series()
    after_commit(lambda: ran.append("wake"), key="wake")
    after_commit(lambda: ran.append("wake again"), key="wake")  # same key: one wake-up
    after_commit(lambda: ran.append("drop cache"))
    with db.session.begin_nested():
        make.series()
    assert ran == []  # a savepoint released is not the commit
    db.session.commit()
    assert ran == ["wake", "drop cache"]
    db.session.commit()
    assert ran == ["wake", "drop cache"]


def test_a_rollback_discards_after_commit_work_and_runs_the_rollback_work(
    app: Flask, make: Factories
) -> None:
    ran: list[str] = []
    make.series()
    after_commit(lambda: ran.append("committed"))
    after_rollback(lambda: ran.append("rolled back"))
    at_transaction_end(lambda: ran.append("ended"))
    db.session.rollback()
    assert ran == ["rolled back", "ended"]
    db.session.commit()  # the next transaction does not inherit anything
    assert ran == ["rolled back", "ended"]


def test_a_session_closed_without_commit_runs_the_rollback_work(
    app: Flask, make: Factories
) -> None:
    ran: list[str] = []
    make.series()
    after_commit(lambda: ran.append("committed"))
    after_rollback(lambda: ran.append("rolled back"))
    db.session.remove()  # the end of a request or task that never committed
    assert ran == ["rolled back"]


def test_a_failing_callback_does_not_undo_or_fail_the_commit(app: Flask, make: Factories) -> None:
    ran: list[str] = []

    def broken() -> None:
        raise ConnectionError("broker down")

    make.series(title="Saved anyway")
    after_commit(broken)
    after_commit(lambda: ran.append("still run"))
    db.session.commit()
    assert ran == ["still run"]
    assert _titles() == ["Saved anyway"]


def test_before_commit_work_is_part_of_the_transaction(app: Flask, make: Factories) -> None:
    make.series(title="Changed")
    before_commit(lambda: make.series(title="Logged with it"), key="log")
    before_commit(lambda: make.series(title="Logged twice"), key="log")  # same key: once
    db.session.commit()
    assert sorted(_titles()) == ["Changed", "Logged with it"]

    make.series(title="Refused")
    before_commit(lambda: make.series(title="Never logged"))
    db.session.rollback()
    db.session.commit()  # the next transaction does not inherit it
    assert sorted(_titles()) == ["Changed", "Logged with it"]


def test_a_failing_before_commit_callback_fails_the_commit(app: Flask, make: Factories) -> None:
    def broken() -> None:
        raise RuntimeError("cannot log")

    make.series(title="Not without its log")
    before_commit(broken)
    with pytest.raises(RuntimeError):
        db.session.commit()
    db.session.rollback()
    assert _titles() == []
