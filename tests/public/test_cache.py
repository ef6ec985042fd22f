"""The public cache: anonymous pages and API reads served from it until content changes."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient

from eventhub.clock import utcnow
from eventhub.extensions import db
from eventhub.public.cache import MAX_TTL_SECONDS, _next_change
from eventhub.scheduling import lifecycle
from tests.support.factories import Factories, LoginHelper
from tests.support.programme import add_registration
from tests.support.statements import count_statements


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    return {**app_config, "EVENTHUB_PUBLIC_CACHE": "simple"}


def test_series_page_is_served_from_cache_until_a_change(
    client: FlaskClient, make: Factories
) -> None:
    series = make.series(slug="s")
    session = make.session(series, title="First title", capacity=5)
    db.session.commit()

    first = client.get("/series/s")
    with count_statements(db.engine) as log:
        second = client.get("/series/s")
    assert (first.headers["X-Cache"], second.headers["X-Cache"]) == ("miss", "hit")
    assert first.data == second.data
    assert log.count == 0

    session.title = "Second title"
    db.session.commit()
    third = client.get("/series/s")
    assert third.headers["X-Cache"] == "miss"
    assert "Second title" in third.get_data(as_text=True)

    add_registration(session)
    db.session.commit()
    assert "4 seats left" in client.get("/series/s").get_data(as_text=True)


def test_api_session_is_cached_and_invalidated(client: FlaskClient, make: Factories) -> None:
    session = make.session(make.series(slug="s"))
    db.session.commit()
    url = f"/api/v1/sessions/{session.id}"
    assert client.get(url).headers["X-Cache"] == "miss"
    assert client.get(url).headers["X-Cache"] == "hit"
    lifecycle.cancel_session(session, "Speaker ill.")
    db.session.commit()
    response = client.get(url)
    assert response.headers["X-Cache"] == "miss"
    assert response.get_json()["status"] == "cancelled"


def test_logged_in_pages_are_never_shared(
    client: FlaskClient, make: Factories, login: LoginHelper
) -> None:
    make.series(slug="s")
    login(make.organiser())
    client.get("/series/s")
    response = client.get("/series/s")
    assert response.headers["X-Cache"] == "miss"
    assert "Log out" in response.get_data(as_text=True)


def test_entries_expire_when_the_page_would_change_by_itself(make: Factories) -> None:
    now = utcnow()
    closing = make.session(registration_closes_at=now + timedelta(seconds=30))
    assert _next_change([closing], now) == 30
    far = make.session(starts_at=now + timedelta(days=30))
    assert _next_change([far], now) == MAX_TTL_SECONDS
