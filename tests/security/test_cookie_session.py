"""The cookie session skips the signing work only when there is nothing to read or write."""

from __future__ import annotations

from flask import Flask, session
from flask.testing import FlaskClient

from eventhub.cookie_session import CookieSessionInterface


def test_a_visitor_without_a_cookie_gets_none_back(client: FlaskClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    assert "Cookie" in response.headers["Vary"]


def test_a_session_is_still_written_read_and_emptied(app: Flask) -> None:
    assert isinstance(app.session_interface, CookieSessionInterface)

    @app.get("/_t/set")
    def _set() -> str:
        session["seen"] = "yes"
        return "set"

    @app.get("/_t/read")
    def _read() -> str:
        return str(session.get("seen"))

    @app.get("/_t/clear")
    def _clear() -> str:
        session.clear()
        return "cleared"

    client = app.test_client()
    assert "session=" in client.get("/_t/set").headers["Set-Cookie"]
    assert client.get("/_t/read").get_data(as_text=True) == "yes"
    cleared = client.get("/_t/clear")
    assert "session=;" in cleared.headers["Set-Cookie"]  # the cookie is deleted
    assert client.get("/_t/read").get_data(as_text=True) == "None"
