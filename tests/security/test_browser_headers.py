"""Finding 5: browser security headers everywhere, HSTS in production, personal pages no-store."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from flask import Flask, request
from flask.testing import FlaskClient
from flask_talisman import Talisman

from eventhub import create_app
from eventhub.browser_policy import talisman
from eventhub.registration.manage_links import manage_url
from tests.conftest import base_config
from tests.support.factories import Factories, LoginHelper

PROJECT = Path(__file__).resolve().parents[2]


def _assert_browser_headers(headers: Any) -> None:
    csp = headers["Content-Security-Policy"]
    directives = dict(
        [*part.strip().split(" ", 1), ""][:2] for part in csp.split(";") if part.strip()
    )
    assert "'unsafe-inline'" not in directives["script-src"]
    assert "'nonce-" in directives["script-src"]
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "camera=()" in headers["Permissions-Policy"]


def test_public_pages_and_api_carry_the_headers(client: FlaskClient, make: Factories) -> None:
    session = make.session()
    from eventhub.extensions import db

    db.session.commit()
    for url in ("/", f"/series/{session.series.slug}", f"/api/v1/sessions/{session.id}", "/login"):
        response = client.get(url)
        assert response.status_code == 200, url
        _assert_browser_headers(response.headers)
        assert "Strict-Transport-Security" not in response.headers  # development
        assert response.headers.get("Cache-Control") != "no-store", url


def test_no_template_holds_inline_script_or_handlers() -> None:
    for path in (PROJECT / "templates").rglob("*.html"):
        text = path.read_text()
        assert not re.search(r"\son[a-z]+\s*=", text), path
        assert not re.search(r"<script(?![^>]*\bsrc=)", text), path
        assert "javascript:" not in text, path


def test_authenticated_manage_and_export_pages_are_no_store(
    client: FlaskClient, make: Factories, login: LoginHelper
) -> None:
    from eventhub.extensions import db

    organiser = make.organiser()
    session = make.session(make.series(organiser_id=organiser.id))
    registration = make.registration(session)
    db.session.commit()
    manage = client.get(manage_url(registration).removeprefix("http://eventhub.test"))
    assert manage.status_code == 200
    assert manage.headers["Cache-Control"] == "no-store"
    _assert_browser_headers(manage.headers)

    login(organiser)
    for url in (
        "/organiser/series/new",
        f"/organiser/registrations/sessions/{session.id}",
        f"/organiser/registrations/sessions/{session.id}/export.csv",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["Cache-Control"] == "no-store", url


def test_production_sends_hsts(tmp_path: Path, database_url: str) -> None:
    config = base_config(
        tmp_path,
        database_url,
        EVENTHUB_ENV="production",
        SECRET_KEY="k" * 40,
        EVENTHUB_BASE_URL="https://events.example.org",
    )
    # A production check refuses SQLite; the headers do not depend on the database.
    config["SQLALCHEMY_DATABASE_URI"] = "postgresql+psycopg://nobody@127.0.0.1:1/none"
    app = create_app(config)
    response = app.test_client().get(
        "/login", base_url="https://events.example.org", headers={"X-Forwarded-Proto": "https"}
    )
    assert "max-age=" in response.headers["Strict-Transport-Security"]
    _assert_browser_headers(response.headers)
    assert app.config["SESSION_COOKIE_SECURE"] is True  # Talisman's per-request setting


def test_the_policy_text_written_once_is_talismans_own(app: Flask, client: FlaskClient) -> None:
    first, second = (client.get("/").headers["Content-Security-Policy"] for _ in range(2))
    nonces = [re.search(r"'nonce-([^']+)'", csp) for csp in (first, second)]
    assert nonces[0] and nonces[1] and nonces[0].group(1) != nonces[1].group(1)
    with app.test_request_context("/"):
        request.csp_nonce = nonces[1].group(1)  # type: ignore[attr-defined]
        assert second == Talisman._parse_policy(talisman, talisman.content_security_policy)


def _talismans_own_headers(app: Flask, path: str, **request_args: Any) -> list[tuple[str, str]]:
    """The headers Talisman's own code writes on a blank response for this request."""
    from flask import Response

    with app.test_request_context(path, **request_args):
        request.csp_nonce = "n0nce"  # type: ignore[attr-defined]
        response = Talisman._set_response_headers(talisman, Response("x"))
        return [(k, v) for k, v in response.headers.items() if k not in ("Content-Type",)]


def _fast_headers(app: Flask, path: str, **request_args: Any) -> list[tuple[str, str]]:
    from flask import Response

    with app.test_request_context(path, **request_args):
        request.csp_nonce = "n0nce"  # type: ignore[attr-defined]
        response = talisman._set_response_headers(Response("x"))
        return [(k, v) for k, v in response.headers.items() if k not in ("Content-Type",)]


def test_the_headers_written_at_once_are_talismans_own(
    app: Flask, tmp_path: Path, database_url: str
) -> None:
    # Every header, its value and its order, as Talisman's per-response code writes them.
    assert _fast_headers(app, "/") == _talismans_own_headers(app, "/")
    assert "Content-Security-Policy" in dict(_fast_headers(app, "/"))
    # A view's own stricter policy stays (the uploads, the mail previews).
    from flask import Response

    with app.test_request_context("/"):
        request.csp_nonce = "n0nce"  # type: ignore[attr-defined]
        own = Response("x", headers={"Content-Security-Policy": "default-src 'none'"})
        assert talisman._set_response_headers(own).headers["Content-Security-Policy"] == (
            "default-src 'none'"
        )
    # Production over https adds HSTS at Talisman's place; plain http does not.
    config = base_config(tmp_path, database_url, EVENTHUB_ENV="production", SECRET_KEY="k" * 40)
    config["EVENTHUB_BASE_URL"] = "https://events.example.org"
    config["SQLALCHEMY_DATABASE_URI"] = "postgresql+psycopg://nobody@127.0.0.1:1/none"
    production = create_app(config)
    https = {"base_url": "https://events.example.org"}
    assert _fast_headers(production, "/", **https) == _talismans_own_headers(
        production, "/", **https
    )
    assert "Strict-Transport-Security" in dict(_fast_headers(production, "/", **https))
    forwarded = {"headers": {"X-Forwarded-Proto": "https"}}
    assert "Strict-Transport-Security" in dict(_fast_headers(production, "/", **forwarded))
    assert "Strict-Transport-Security" not in dict(_fast_headers(production, "/"))


def test_a_request_with_credentials_in_authorization_is_no_store(
    client: FlaskClient, make: Factories
) -> None:
    from eventhub.extensions import db

    session = make.session()
    db.session.commit()
    url = f"/api/v1/sessions/{session.id}"
    assert client.get(url).headers.get("Cache-Control") != "no-store"
    answered = client.get(url, headers={"Authorization": "Bearer ehp_nope"})
    assert answered.headers["Cache-Control"] == "no-store"
    assert answered.headers["Pragma"] == "no-cache"
