"""Every form is CSRF-protected when protection is on (as it is outside tests)."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from eventhub.extensions import db
from tests.support.factories import PASSWORD, Factories


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    return {**app_config, "WTF_CSRF_ENABLED": True}


def test_login_without_token_is_refused(client: FlaskClient, make: Factories) -> None:
    make.organiser(email="org@example.org")
    db.session.commit()
    response = client.post("/login", data={"email": "org@example.org", "password": PASSWORD})
    assert response.status_code == 400


def test_logout_without_token_is_refused(client: FlaskClient) -> None:
    assert client.post("/logout").status_code == 400


def test_login_form_carries_a_token(client: FlaskClient) -> None:
    assert 'name="csrf_token"' in client.get("/login").get_data(as_text=True)
