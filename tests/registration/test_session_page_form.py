"""The session page's form is made per request on a cached page, from a shared form class."""

from __future__ import annotations

from typing import Any

import pytest
from flask import g
from flask.testing import FlaskClient
from sqlalchemy import insert

from eventhub.clock import utcnow
from eventhub.extensions import db
from eventhub.registration.models import QuestionKind, Registration, RegistrationStatus
from tests.support.factories import Factories
from tests.support.statements import count_statements


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    return {**app_config, "EVENTHUB_PUBLIC_CACHE": "simple", "WTF_CSRF_ENABLED": True}


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
    # the seats come from the session row on every request.
    with db.engine.begin() as connection:
        connection.execute(
            insert(Registration).values(
                session_id=session.id,
                email="behind@example.org",
                name="Behind",
                timezone="UTC",
                status=RegistrationStatus.CONFIRMED,
                consented_at=utcnow(),
            )
        )
    db.session.remove()  # as a new request would: a fresh snapshot
    with count_statements(db.engine) as log:
        page = other.get("/series/s/w").get_data(as_text=True)
    assert "4 seats left" in page
    # The form's part of a cached page: the session with its series, and the questions.
    assert log.count <= 3, "\n".join(s[:100] for s in log.statements)


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
