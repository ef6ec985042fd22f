"""Capacity is never exceeded: real HTTP races against a live server, on SQLite and PostgreSQL.

Each race carries its negative control: with the seat lock swapped out in the test (and the first
sign-ups held together after their capacity check) the same race must overbook, proving the test
can fail.
"""

from __future__ import annotations

import http.client
import itertools
import threading
import time
from collections.abc import Callable
from functools import partial
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
from flask import Flask
from sqlalchemy import event, select, text

from eventhub.extensions import db
from eventhub.registration import seats, services
from eventhub.registration.locking import SignupLock
from eventhub.registration.manage_links import manage_token
from eventhub.registration.models import Registration, RegistrationStatus
from eventhub.scheduling.models import Session
from tests.registration.conftest import applicant
from tests.registration.test_seat_counters import counters_match_counts
from tests.support.factories import Factories
from tests.support.live import live_server

S = RegistrationStatus
SEATS = 10
CLIENTS = 50


def _post(base: str, path: str, form: dict[str, str]) -> int:
    parts = urlsplit(base)
    connection = http.client.HTTPConnection(parts.netloc, timeout=60)
    try:
        connection.request(
            "POST",
            path,
            body=urlencode(form),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        return connection.getresponse().status
    finally:
        connection.close()


def _all_at_once(calls: list[Callable[[], int]]) -> list[int]:
    """Run every call in its own thread, released together by a barrier."""
    barrier = threading.Barrier(len(calls))
    results: list[int] = [0] * len(calls)

    def run(index: int) -> None:
        barrier.wait()
        try:
            results[index] = calls[index]()
        except Exception:  # a refused connection counts as a server failure
            results[index] = 599

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def _form(n: int | str) -> dict[str, str]:
    return {
        "name": f"Racer {n}",
        "email": f"racer{n}@example.org",
        "timezone": "Europe/London",
        "consent": "y",
    }


def _statuses(session_id: int) -> list[S]:
    db.session.rollback()  # a fresh snapshot: the server committed in other connections
    return list(
        db.session.scalars(select(Registration.status).where(Registration.session_id == session_id))
    )


def _race(app: Flask, make: Factories) -> tuple[list[int], list[S]]:
    session = make.session(capacity=SEATS)
    db.session.commit()
    path = f"/sessions/{session.id}/register"
    with live_server(app) as server:
        codes = _all_at_once([partial(_post, server.url, path, _form(n)) for n in range(CLIENTS)])
    statuses = _statuses(session.id)
    # However the race went, the session's seat counters equal the counts.
    counters_match_counts(session.id)
    return codes, statuses


def _check_exact(codes: list[int], statuses: list[S]) -> None:
    assert all(code < 500 for code in codes), codes
    assert len(statuses) == CLIENTS
    assert statuses.count(S.CONFIRMED) == SEATS
    assert statuses.count(S.WAITLISTED) == CLIENTS - SEATS


def test_fifty_at_ten_seats_sqlite(app: Flask, make: Factories) -> None:
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("the SQLite variant")
    _check_exact(*_race(app, make))


@pytest.mark.postgres
def test_fifty_at_ten_seats_postgres(app: Flask, make: Factories) -> None:
    _check_exact(*_race(app, make))


@pytest.fixture
def unlocked(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """The sign-up path without its seat lock, its race window held open.

    The swap is made where the sign-up page and the seat decision look the lock up, so it
    follows the code wherever it lives. The first SEATS + 1 sign-ups wait for each other right
    after reading the free seats: each of them saw a seat free before any of them took one.
    """

    def no_writer_lock() -> None:
        return None

    arrivals = itertools.count()
    together = threading.Barrier(SEATS + 1)

    # `write` (the sign-up the real lock's statement makes) is left to the code after it.
    def read_without_lock(session_id: int, email: str, write: object = None) -> SignupLock:
        session = db.session.get(Session, session_id, populate_existing=True)
        assert session is not None
        mine = db.session.scalar(
            select(Registration.id).where(
                Registration.session_id == session_id, Registration.email == email
            )
        )
        if next(arrivals) <= SEATS:
            together.wait(timeout=60)
        return SignupLock(session, mine, is_fresh=True)

    view = app.view_functions["registration.register"]
    monkeypatch.setitem(view.__globals__, "begin_writer", no_writer_lock)
    decide = seats.lock_and_count_for_signup
    monkeypatch.setitem(decide.__globals__, "lock_for_signup", read_without_lock)


@pytest.mark.postgres
def test_negative_control_without_the_lock_overbooks_postgres(
    unlocked: None, app: Flask, make: Factories
) -> None:
    _codes, statuses = _race(app, make)
    assert statuses.count(S.CONFIRMED) > SEATS, "the race test could not have failed"


def test_negative_control_without_the_lock_fails_sqlite(
    unlocked: None, app: Flask, make: Factories
) -> None:
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("the SQLite variant")
    codes, statuses = _race(app, make)
    # Deferred SQLite transactions do not overbook silently: stale writers fail instead.
    # Either way the protected test's assertions would not hold.
    overbooked = statuses.count(S.CONFIRMED) > SEATS
    failed = any(code >= 500 for code in codes) or len(statuses) < CLIENTS
    assert overbooked or failed, "the race test could not have failed"


def _double_click(app: Flask, make: Factories) -> None:
    session = make.session(capacity=SEATS)
    db.session.commit()
    path = f"/sessions/{session.id}/register"
    with live_server(app) as server:
        codes = _all_at_once([lambda: _post(server.url, path, _form("same"))] * 10)
    assert all(code == 302 for code in codes), codes
    assert _statuses(session.id) == [S.CONFIRMED]


def test_double_click_leaves_one_registration_sqlite(app: Flask, make: Factories) -> None:
    _double_click(app, make)


@pytest.mark.postgres
def test_double_click_leaves_one_registration_postgres(app: Flask, make: Factories) -> None:
    _double_click(app, make)


def _cancel_while_registering(app: Flask, make: Factories) -> None:
    session = make.session(capacity=SEATS)
    db.session.commit()
    seated = [services.register(session.id, applicant()).registration for _ in range(SEATS)]
    waiting = [services.register(session.id, applicant()).registration for _ in range(10)]
    db.session.commit()
    assert all(r.status is S.WAITLISTED for r in waiting)
    leaving = seated[:5]
    tokens = [manage_token(r) for r in leaving]
    path = f"/sessions/{session.id}/register"
    with live_server(app) as server:
        calls: list[Callable[[], int]] = [
            partial(_post, server.url, f"/manage/{t}/cancel", {}) for t in tokens
        ]
        calls += [partial(_post, server.url, path, _form(f"late{n}")) for n in range(25)]
        codes = _all_at_once(calls)
    assert all(code < 500 for code in codes), codes
    db.session.rollback()  # a fresh snapshot: the server committed in other connections
    confirmed = set(
        db.session.scalars(
            select(Registration.email).where(
                Registration.session_id == session.id, Registration.status == S.CONFIRMED
            )
        )
    )
    assert len(confirmed) == SEATS
    # Exactly the earliest five on the waitlist moved up; no newcomer jumped the queue.
    expected = {r.email for r in seated[5:]} | {r.email for r in waiting[:5]}
    assert confirmed == expected
    assert {r.status for r in leaving} == {S.CANCELLED}
    assert counters_match_counts(session.id) == (SEATS, 10 - 5 + 25)


def test_cancellations_and_registrations_at_once_sqlite(app: Flask, make: Factories) -> None:
    _cancel_while_registering(app, make)


@pytest.mark.postgres
def test_cancellations_and_registrations_at_once_postgres(app: Flask, make: Factories) -> None:
    _cancel_while_registering(app, make)


def test_sqlite_writers_begin_immediate(app: Flask, make: Factories) -> None:
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("SQLite only")
    session = make.session()
    db.session.commit()
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement.strip().split("\n")[0])

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        response = app.test_client().post(f"/sessions/{session.id}/register", data=_form(1))
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert response.status_code == 302
    insert = next(i for i, s in enumerate(statements) if s.startswith("INSERT INTO registrations"))
    begins = [i for i, s in enumerate(statements[:insert]) if s.startswith("BEGIN")]
    assert statements[begins[-1]] == "BEGIN IMMEDIATE"
    # The write lock was taken before anything was read in that transaction.
    assert not any(s.startswith("SELECT") for s in statements[: begins[-1]] if "registrations" in s)


@pytest.mark.postgres
def test_lock_not_had_in_time_is_503_not_a_hang(
    app_config: dict[str, Any], make: Factories
) -> None:
    from eventhub import create_app

    app_config["EVENTHUB_LOCK_TIMEOUT_SECONDS"] = 0.5
    application = create_app(app_config)
    with application.app_context():
        session = make.session()
        db.session.commit()
        with db.engine.connect() as holder:
            holder.execute(text("BEGIN"))
            holder.execute(
                text("SELECT id FROM sessions WHERE id = :id FOR UPDATE"), {"id": session.id}
            )
            started = time.monotonic()
            response = application.test_client().post(
                f"/sessions/{session.id}/register", data=_form(1)
            )
            elapsed = time.monotonic() - started
            holder.execute(text("ROLLBACK"))
        assert response.status_code == 503
        assert response.headers["Retry-After"]
        assert elapsed < 5
        api = application.test_client()
        with db.engine.connect() as holder:
            holder.execute(text("BEGIN"))
            holder.execute(
                text("SELECT id FROM sessions WHERE id = :id FOR UPDATE"), {"id": session.id}
            )
            response = api.post(
                f"/api/v1/sessions/{session.id}/registrations",
                json={"name": "A", "email": "a@example.org", "consent": True},
            )
            holder.execute(text("ROLLBACK"))
        assert response.status_code == 503
        assert response.get_json()["code"] == 503
        db.session.remove()


def test_sqlite_write_lock_not_had_in_time_is_503(
    app_config: dict[str, Any], make: Factories
) -> None:
    import sqlite3

    from eventhub import create_app

    if not app_config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("SQLite only")
    app_config["EVENTHUB_LOCK_TIMEOUT_SECONDS"] = 0.5
    application = create_app(app_config)
    with application.app_context():
        session = make.session()
        db.session.commit()
        path = app_config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
        holder = sqlite3.connect(path, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        try:
            client = application.test_client()
            started = time.monotonic()
            page = client.post(f"/sessions/{session.id}/register", data=_form(1))
            api = client.post(
                f"/api/v1/sessions/{session.id}/registrations",
                json={"name": "A", "email": "a@example.org", "consent": True},
            )
            elapsed = time.monotonic() - started
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        assert page.status_code == 503 and "try again" in page.get_data(as_text=True).lower()
        assert api.status_code == 503 and api.get_json()["code"] == 503
        assert elapsed < 5
        # Once the other writer is gone, the same request goes through.
        ok = application.test_client().post(f"/sessions/{session.id}/register", data=_form(1))
        assert ok.status_code == 302
        db.session.remove()
