"""The session page is cached whole, its form included: each visitor gets their own CSRF token,
the seats are checked against the session row, and changes reach the page at once."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from flask import g
from flask.testing import FlaskClient
from sqlalchemy import insert, select

from eventhub import clock
from eventhub.clock import utcnow
from eventhub.extensions import cache, db
from eventhub.public.cache import VERSION_KEY
from eventhub.registration.models import QuestionKind, Registration, RegistrationStatus
from eventhub.scheduling.models import Session
from tests.support.factories import PASSWORD, Factories
from tests.support.statements import count_statements


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    # Seat counters checked on every request here (one test below leaves them a window).
    return {
        **app_config,
        "EVENTHUB_PUBLIC_CACHE": "simple",
        "WTF_CSRF_ENABLED": True,
        "EVENTHUB_SEAT_CHECK_SECONDS": 0,
    }


def _csrf(page: str) -> str:
    marker = 'name="csrf_token" type="hidden" value="'
    start = page.index(marker) + len(marker)
    return page[start : page.index('"', start)]


def test_a_cached_session_page_gets_its_own_token_and_a_fresh_seat_count(
    client: FlaskClient, make: Factories
) -> None:
    series = make.series(slug="s")
    session = make.session(series, slug="w", capacity=5)
    db.session.commit()
    first = client.get("/series/s/w")
    # The test's app context outlives requests, and Flask-WTF keeps a request's token in `g`.
    g.pop("csrf_token", None)
    # Another visitor (another cookie session) gets the cached page with a token of their own.
    other = client.application.test_client()
    second = other.get("/series/s/w")
    assert (first.headers["X-Cache"], second.headers["X-Cache"]) == ("miss", "hit")
    assert _csrf(first.get_data(as_text=True)) != _csrf(second.get_data(as_text=True))
    # A registration written behind the cache's back (no invalidation) still shows at once:
    # every request checks the cached page's seats against the session row's counters.
    _write_behind_the_cache(session.id, "behind@example.org")
    page = other.get("/series/s/w")
    assert page.headers["X-Cache"] == "miss"
    assert "4 seats left" in page.get_data(as_text=True)
    db.session.remove()
    with count_statements(db.engine) as log:
        page = other.get("/series/s/w")
    assert page.headers["X-Cache"] == "hit"
    assert "4 seats left" in page.get_data(as_text=True)
    # A cached page costs one statement: the seat counters (SQLite's BEGIN aside).
    statements = [s for s in log.statements if not s.startswith("BEGIN")]
    assert len(statements) == 1, "\n".join(s[:100] for s in log.statements)


def test_form_follows_edited_questions_and_the_language(
    client: FlaskClient, make: Factories
) -> None:
    series = make.series(slug="s")
    session = make.session(series, slug="w")
    question = make.question(
        series, "Sector?", QuestionKind.SINGLE_CHOICE, choices=[f"c{n}" for n in range(7)]
    )
    db.session.commit()
    url = f"/sessions/{session.id}/register"
    page = client.get(url).get_data(as_text=True)
    assert "Sector?" in page and "Choose…" in page
    question.label = "Which sector?"
    question.choices = ["Academia", "Industry"]
    db.session.commit()
    page = client.get(url).get_data(as_text=True)
    assert "Which sector?" in page and "Industry" in page and "c6" not in page
    # Two choices are radio buttons now: the new form class was built from the new question.
    assert 'type="radio"' in page
    chinese = client.get(url, headers={"Accept-Language": "zh-Hant"}).get_data(as_text=True)
    assert "Which sector?" in chinese and "Choose…" not in chinese


def _visitor(client: FlaskClient) -> FlaskClient:
    """A new browser: its own cookie session (and the test's `g` forgets the last token)."""
    g.pop("csrf_token", None)
    return client.application.test_client()


def _signup(token: str, email: str) -> dict[str, str]:
    return {
        "csrf_token": token,
        "name": "Ada Lovelace",
        "email": email,
        "timezone": "Europe/London",
        "consent": "y",
    }


def test_the_token_filled_into_a_cached_page_is_accepted(
    client: FlaskClient, make: Factories
) -> None:
    session = make.session(make.series(slug="s"), slug="w", capacity=5)
    db.session.commit()
    assert client.get("/series/s/w").headers["X-Cache"] == "miss"
    visitor = _visitor(client)
    page = visitor.get("/series/s/w")
    assert page.headers["X-Cache"] == "hit"
    html = page.get_data(as_text=True)
    assert "5 seats left" in html
    response = visitor.post(
        f"/sessions/{session.id}/register", data=_signup(_csrf(html), "ada@example.org")
    )
    assert response.status_code == 302 and response.location.startswith("/manage/")
    assert db.session.scalar(select(Registration.email)) == "ada@example.org"
    # The next visitor sees the seat taken.
    after = _visitor(client).get("/series/s/w")
    assert after.headers["X-Cache"] == "miss"
    assert "4 seats left" in after.get_data(as_text=True)


def test_a_visitor_never_gets_another_visitors_token(client: FlaskClient, make: Factories) -> None:
    session = make.session(make.series(slug="s"), slug="w", capacity=5)
    db.session.commit()
    first_token = _csrf(client.get("/series/s/w").get_data(as_text=True))
    second = _visitor(client)
    page = second.get("/series/s/w").get_data(as_text=True)
    assert first_token not in page
    assert _csrf(page) != first_token
    # The first visitor's token is no good in the second visitor's browser.
    refused = second.post(
        f"/sessions/{session.id}/register", data=_signup(first_token, "eve@example.org")
    )
    assert refused.status_code == 400
    assert db.session.scalar(select(Registration)) is None
    # A third visitor, from the cache again, gets a third token.
    third = _csrf(_visitor(client).get("/series/s/w").get_data(as_text=True))
    assert third not in (first_token, _csrf(page))


def test_a_full_session_never_looks_open_from_the_cache(
    client: FlaskClient, make: Factories
) -> None:
    session = make.session(make.series(slug="s"), slug="w", capacity=1)
    db.session.commit()
    page = client.get("/series/s/w").get_data(as_text=True)
    assert "1 seat left" in page and "Join the waitlist" not in page
    visitor = _visitor(client)
    html = visitor.get("/series/s/w").get_data(as_text=True)
    visitor.post(f"/sessions/{session.id}/register", data=_signup(_csrf(html), "a@example.org"))
    full = _visitor(client).get("/series/s/w").get_data(as_text=True)
    assert "seat left" not in full
    assert "Join the waitlist" in full and "Fully booked" in full


def test_changes_to_the_session_and_its_questions_reach_the_cached_page(
    client: FlaskClient, make: Factories
) -> None:
    series = make.series(slug="s")
    session = make.session(series, slug="w", title="Before")
    db.session.commit()
    client.get("/series/s/w")
    assert _visitor(client).get("/series/s/w").headers["X-Cache"] == "hit"
    session.title = "After"
    db.session.commit()
    page = _visitor(client).get("/series/s/w")
    assert page.headers["X-Cache"] == "miss" and "After" in page.get_data(as_text=True)
    make.question(series, "Which sector?")
    db.session.commit()
    page = _visitor(client).get("/series/s/w")
    assert page.headers["X-Cache"] == "miss" and "Which sector?" in page.get_data(as_text=True)


def test_each_language_has_its_own_cached_page(client: FlaskClient, make: Factories) -> None:
    make.session(make.series(slug="s"), slug="w")
    db.session.commit()
    chinese = {"Accept-Language": "zh-Hant"}
    for expected in ("miss", "hit"):
        english = _visitor(client).get("/series/s/w")
        assert english.headers["X-Cache"] == expected
        assert english.get_data(as_text=True).startswith('<!doctype html>\n<html lang="en">')
    for expected in ("miss", "hit"):
        page = _visitor(client).get("/series/s/w", headers=chinese)
        assert page.headers["X-Cache"] == expected
        html = page.get_data(as_text=True)
        assert html.startswith('<!doctype html>\n<html lang="zh-Hant">')
        assert _csrf(html) and "Your time zone" not in html
        assert {"Accept-Language", "Cookie"} <= set(page.vary)


def test_a_logged_in_reader_gets_the_page_with_their_own_token_everywhere(
    client: FlaskClient, make: Factories
) -> None:
    make.session(make.series(slug="s"), slug="w")
    user = make.organiser()
    db.session.commit()
    client.get("/series/s/w")  # an anonymous page in the cache
    login_page = client.get("/login").get_data(as_text=True)
    marker = 'name="csrf_token" type="hidden" value="'
    start = login_page.index(marker) + len(marker)
    token = login_page[start : login_page.index('"', start)]
    logged_in = client.post(
        "/login", data={"csrf_token": token, "email": user.email, "password": PASSWORD}
    )
    assert logged_in.status_code == 302
    g.pop("csrf_token", None)
    page = client.get("/series/s/w")
    html = page.get_data(as_text=True)
    assert page.headers["X-Cache"] == "miss" and "Log out" in html
    # The form's token and the log-out forms' tokens: one token, this reader's.
    tokens = {
        html[i : html.index('"', i)]
        for i in (m.end() for m in re.finditer(r'name="csrf_token"[^>]*value="', html))
    }
    assert len(tokens) == 1 and html.count(next(iter(tokens))) == 3


def _write_behind_the_cache(session_id: int, email: str) -> None:
    """A confirmed registration written without the ORM: the content version does not move."""
    with db.engine.begin() as connection:
        connection.execute(
            insert(Registration).values(
                session_id=session_id,
                email=email,
                name="Behind",
                timezone="UTC",
                status=RegistrationStatus.CONFIRMED,
                consented_at=utcnow(),
            )
        )
    db.session.remove()  # as a new request would: a fresh snapshot


def _cached_page(client: FlaskClient, make: Factories, window: float, capacity: int) -> Session:
    """Session "s/w" with its page cached, seat counters trusted for `window` seconds."""
    client.application.config["EVENTHUB_SEAT_CHECK_SECONDS"] = window
    session = make.session(make.series(slug="s"), slug="w", capacity=capacity)
    db.session.commit()
    assert client.get("/series/s/w").headers["X-Cache"] == "miss"
    return session


def test_seats_read_lately_spare_the_statement_for_a_moment_only(
    client: FlaskClient, make: Factories
) -> None:
    session = _cached_page(client, make, window=0.5, capacity=5)
    _write_behind_the_cache(session.id, "one@example.org")
    # Within the window a page agreeing with the counters read last is served as it is...
    with count_statements(db.engine) as log:
        page = _visitor(client).get("/series/s/w")
    assert page.headers["X-Cache"] == "hit" and log.count == 0
    assert "5 seats left" in page.get_data(as_text=True)
    # ...and after it the counters are read again: the write shows.
    clock.move(timedelta(seconds=0.6))
    page = _visitor(client).get("/series/s/w")
    assert page.headers["X-Cache"] == "miss"
    assert "4 seats left" in page.get_data(as_text=True)
    # A registration through the application is no different: it shows within the window.
    visitor = _visitor(client)
    html = visitor.get("/series/s/w").get_data(as_text=True)
    visitor.post(f"/sessions/{session.id}/register", data=_signup(_csrf(html), "a@example.org"))
    assert _visitor(client).get("/series/s/w").headers["X-Cache"] == "hit"
    clock.move(timedelta(seconds=0.6))
    page = _visitor(client).get("/series/s/w")
    assert page.headers["X-Cache"] == "miss"
    assert "3 seats left" in page.get_data(as_text=True)


def test_a_burst_of_sign_ups_rebuilds_the_page_once_a_window(
    client: FlaskClient, make: Factories
) -> None:
    # Issue 15: each sign-up replaced the content version, so the page (and every public page)
    # was rebuilt after each one, in the minute it is read most.
    session = _cached_page(client, make, window=1, capacity=100)
    version = cache.get(VERSION_KEY)
    states = []
    for n in range(5):
        visitor = _visitor(client)
        page = visitor.get("/series/s/w")
        states.append(page.headers["X-Cache"])
        signup = _signup(_csrf(page.get_data(as_text=True)), f"r{n}@example.org")
        assert visitor.post(f"/sessions/{session.id}/register", data=signup).status_code == 302
    assert states == ["hit"] * 5
    assert cache.get(VERSION_KEY) == version
    clock.move(timedelta(seconds=1))
    page = _visitor(client).get("/series/s/w")
    assert page.headers["X-Cache"] == "miss"
    assert "95 seats left" in page.get_data(as_text=True)
