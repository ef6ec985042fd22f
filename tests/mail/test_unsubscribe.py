"""Unsubscribe: a confirmation page, RFC 8058 one-click, and resubscribe."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from eventhub.emails.unsubscribe import (
    is_unsubscribed,
    list_unsubscribe_headers,
    unsubscribe_token,
)
from eventhub.extensions import db
from tests.support.factories import Factories


def test_get_asks_and_post_unsubscribes(client: FlaskClient, make: Factories) -> None:
    series = make.series(title="Re-industrialization")
    db.session.commit()
    token = unsubscribe_token(series.id, "Ada@Example.org")
    page = client.get(f"/unsubscribe/{token}")
    assert page.status_code == 200 and "ada@example.org" in page.get_data(as_text=True)
    assert not is_unsubscribed(series.id, "ada@example.org")  # a link scanner changes nothing
    done = client.post(f"/unsubscribe/{token}")
    assert done.status_code == 200 and "You are unsubscribed" in done.get_data(as_text=True)
    assert is_unsubscribed(series.id, "ADA@example.org")
    client.post(f"/unsubscribe/{token}/resubscribe")
    assert not is_unsubscribed(series.id, "ada@example.org")


def test_bad_tokens_are_not_found(client: FlaskClient, make: Factories) -> None:
    series = make.series()
    db.session.commit()
    token = unsubscribe_token(series.id, "ada@example.org")
    assert client.get(f"/unsubscribe/{token}x").status_code == 404
    assert client.post(f"/unsubscribe/{token[:-3]}/one-click").status_code == 404


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    return app_config


def test_one_click_post_works_without_a_csrf_token(
    app_config: dict[str, Any], make: Factories
) -> None:
    from eventhub import create_app

    app_config["WTF_CSRF_ENABLED"] = True
    protected: Flask = create_app(app_config)
    with protected.app_context():
        series = make.series()
        db.session.commit()
        headers = list_unsubscribe_headers(series.id, "ada@example.org")
        url = headers["List-Unsubscribe"].strip("<>").replace("http://eventhub.test", "")
        client = protected.test_client()
        # Our own confirmation form is CSRF-protected…
        token = url.split("/")[2]
        assert client.post(f"/unsubscribe/{token}").status_code == 400
        # …while a mail client's one-click POST is not (RFC 8058 sends no cookies or tokens).
        response = client.post(url, data={"List-Unsubscribe": "One-Click"})
        assert response.status_code == 200
        assert is_unsubscribed(series.id, "ada@example.org")
        db.session.remove()
