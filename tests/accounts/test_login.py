"""Organisers log in and out; redirects stay on the site; passwords are hashed."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select

from eventhub.accounts.models import Role, User
from eventhub.accounts.views import safe_next
from eventhub.extensions import db
from tests.support.factories import PASSWORD, Factories


def test_login_and_logout(client: FlaskClient, make: Factories) -> None:
    user = make.organiser(email="org@example.org")
    db.session.commit()
    response = client.post("/login", data={"email": "ORG@example.org", "password": PASSWORD})
    assert response.status_code == 302
    with client.session_transaction() as session:
        # The session holds this login's random token, never the permanent user id.
        assert session["_user_id"] != str(user.id) and len(session["_user_id"]) > 30
    response = client.post("/logout")
    assert response.status_code == 302
    with client.session_transaction() as session:
        assert "_user_id" not in session


def test_wrong_password_is_an_inline_error(client: FlaskClient, make: Factories) -> None:
    make.organiser(email="org@example.org")
    db.session.commit()
    response = client.post("/login", data={"email": "org@example.org", "password": "nope"})
    assert response.status_code == 200
    assert "do not match an account" in response.get_data(as_text=True)


def test_disabled_account_cannot_log_in(client: FlaskClient, make: Factories) -> None:
    make.organiser(email="off@example.org", is_enabled=False)
    db.session.commit()
    response = client.post("/login", data={"email": "off@example.org", "password": PASSWORD})
    assert response.status_code == 200


def test_next_redirect_stays_on_site(client: FlaskClient, make: Factories) -> None:
    make.organiser(email="org@example.org")
    db.session.commit()
    response = client.post(
        "/login",
        data={"email": "org@example.org", "password": PASSWORD, "next": "https://evil.example/"},
    )
    assert response.status_code == 302
    assert response.location == "/organiser/"  # the organiser home, not the foreign site


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/organiser/series", "/organiser/series"),
        ("https://evil.example/x", None),
        ("//evil.example/x", None),
        ("/\\evil.example", None),
        ("javascript:alert(1)", None),
        ("", None),
    ],
)
def test_safe_next(target: str, expected: str | None) -> None:
    assert safe_next(target) == expected


def test_passwords_are_hashed(make: Factories) -> None:
    user = make.organiser()
    assert user.password_hash and PASSWORD not in user.password_hash
    assert user.check_password(PASSWORD)


def test_create_organiser_command(app: Flask, runner: FlaskCliRunner) -> None:
    result = runner.invoke(
        args=["eventhub", "create-organiser", "New@Example.org", "--password", "a long passphrase"]
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "new@example.org"))
    assert user is not None and user.role is Role.ORGANISER
    again = runner.invoke(
        args=["eventhub", "create-organiser", "new@example.org", "--password", "a long passphrase"]
    )
    assert again.exit_code != 0
    assert "already exists" in again.output


def test_create_organiser_prompts_for_password(app: Flask, runner: FlaskCliRunner) -> None:
    result = runner.invoke(
        args=["eventhub", "create-organiser", "p@example.org"],
        input="a long passphrase\na long passphrase\n",
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "p@example.org"))
    assert user is not None and user.check_password("a long passphrase")


def test_weak_password_refused(app: Flask, runner: FlaskCliRunner) -> None:
    result = runner.invoke(
        args=["eventhub", "create-organiser", "w@example.org", "--password", "short"]
    )
    assert result.exit_code != 0
    assert "at least" in result.output


def test_session_cookie_flags(client: FlaskClient, make: Factories) -> None:
    make.organiser(email="org@example.org")
    db.session.commit()
    response = client.post("/login", data={"email": "org@example.org", "password": PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
