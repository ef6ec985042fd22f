"""Organiser forms that change or destroy something carry and need a CSRF token."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from eventhub.extensions import db
from eventhub.scheduling.models import Series, SessionStatus
from tests.support.factories import PASSWORD, Factories


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    return {**app_config, "WTF_CSRF_ENABLED": True}


def _login(client: FlaskClient, make: Factories) -> None:
    user = make.organiser()
    db.session.commit()
    page = client.get("/login").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    response = client.post(
        "/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302


def test_destructive_posts_without_a_token_are_refused(
    client: FlaskClient, make: Factories
) -> None:
    series = make.series()
    session = make.session(series)
    _login(client, make)
    assert client.post(f"/organiser/series/{series.id}/delete").status_code == 400
    response = client.post(
        f"/organiser/sessions/{session.id}/cancel", data={"reason": "x", "confirm": "y"}
    )
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(Series, series.id) is not None
    assert session.status is SessionStatus.PUBLISHED


def test_forms_carry_the_token(client: FlaskClient, make: Factories) -> None:
    series = make.series()
    session = make.session(series)
    _login(client, make)
    for url in (
        f"/organiser/series/{series.id}",
        f"/organiser/series/{series.id}/edit",
        f"/organiser/sessions/{session.id}",
        f"/organiser/sessions/{session.id}/cancel",
        f"/organiser/sessions/{session.id}/reschedule",
    ):
        html = client.get(url).get_data(as_text=True)
        assert 'name="csrf_token"' in html, url
