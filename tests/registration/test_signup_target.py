"""A sign-up's pre-lock read is kept per content version: read once, re-read after any edit."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from eventhub.extensions import db
from eventhub.registration.models import QuestionKind
from eventhub.scheduling.models import Series
from tests.support.factories import Factories
from tests.support.statements import count_statements


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    return {**app_config, "EVENTHUB_PUBLIC_CACHE": "simple"}


def _post(client: FlaskClient, session_id: int, email: str, **extra: Any) -> tuple[int, int]:
    """The status and how many statements the POST ran (SQLite's BEGIN and pragmas aside)."""
    db.session.remove()
    body = {"name": "N", "email": email, "consent": True, **extra}
    with count_statements(db.engine) as log:
        response = client.post(f"/api/v1/sessions/{session_id}/registrations", json=body)
    db.session.remove()
    statements = [s for s in log.statements if not s.startswith(("BEGIN", "PRAGMA"))]
    return response.status_code, len(statements)


def _signup() -> int:
    """The sign-up's own statements: the seat lock and its writes (one statement on
    PostgreSQL, the lock and two inserts on SQLite)."""
    return 1 if db.engine.dialect.name == "postgresql" else 3


def test_the_target_is_read_once_per_content_version(client: FlaskClient, make: Factories) -> None:
    series = make.series()
    session = make.session(series)
    db.session.commit()
    session_id, series_id = session.id, series.id
    assert _post(client, session_id, "a@example.org") == (201, 1 + _signup())
    # The sign-up alone: the session, its series and questions are known.
    assert _post(client, session_id, "b@example.org") == (201, _signup())
    # An edit of the questions replaces the version: the next sign-up reads them afresh.
    series = db.session.get_one(Series, series_id)
    question = make.question(series, "Role?", is_required=True)
    db.session.commit()
    question_id = str(question.id)
    status, statements = _post(client, session_id, "c@example.org")
    assert (status, statements) == (422, 1)
    answered = {"answers": {question_id: "Engineer"}}
    assert _post(client, session_id, "c@example.org", **answered) == (201, _signup())
    # So does hiding the series: 404 at once, as before.
    db.session.get_one(Series, series_id).is_published = False
    db.session.commit()
    assert _post(client, session_id, "d@example.org", **answered)[0] == 404


def test_without_a_shared_cache_it_is_read_every_time(
    app_config: dict[str, Any], make: Factories
) -> None:
    from eventhub import create_app

    app = create_app({**app_config, "EVENTHUB_PUBLIC_CACHE": "null"})
    with app.app_context():
        session = make.session()
        make.question(session.series, "Sector?", QuestionKind.SHORT_TEXT)
        db.session.commit()
        client = app.test_client()
        assert _post(client, session.id, "a@example.org") == (201, 1 + _signup())
        assert _post(client, session.id, "b@example.org") == (201, 1 + _signup())
        db.session.remove()
