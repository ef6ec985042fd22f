"""Finding 4: logout ends the session server-side; remember-me tokens are random and revocable.

Each request runs in an app context of its own, as under gunicorn (the test's own context would
otherwise share Flask-Login's `g` between the browsers of one test).
"""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from eventhub.accounts import services
from eventhub.accounts.models import LoginSession, User
from eventhub.extensions import db
from tests.support.factories import PASSWORD, Factories

PRIVATE = "/organiser/series/new"


def _get(client: FlaskClient, url: str) -> int:
    with client.application.app_context():
        return client.get(url).status_code


def _post(client: FlaskClient, url: str, data: dict[str, str] | None = None) -> int:
    with client.application.app_context():
        return client.post(url, data=data or {}).status_code


def _login(client: FlaskClient, user: User, remember: bool = False) -> None:
    data = {"email": user.email, "password": PASSWORD}
    if remember:
        data["remember"] = "y"
    assert _post(client, "/login", data) == 302


def _copy(app: Flask, client: FlaskClient, name: str) -> FlaskClient:
    cookie = client.get_cookie(name)
    assert cookie is not None, name
    thief = app.test_client()
    thief.set_cookie(name, cookie.value)
    return thief


def test_a_copied_session_cookie_stops_working_after_logout(
    app: Flask, client: FlaskClient, make: Factories
) -> None:
    user = make.organiser()
    db.session.commit()
    _login(client, user)
    thief = _copy(app, client, "session")
    assert _get(thief, PRIVATE) == 200
    _post(client, "/logout")
    assert _get(thief, PRIVATE) == 302  # back to the login page


def test_remember_me_tokens_are_random_hashed_and_revocable(app: Flask, make: Factories) -> None:
    user = make.organiser()
    db.session.commit()
    first, second = app.test_client(), app.test_client()
    _login(first, user, remember=True)
    _login(second, user, remember=True)
    cookies = [c.get_cookie("remember_token") for c in (first, second)]
    assert cookies[0] is not None and cookies[1] is not None
    values = [c.value for c in cookies if c is not None]
    assert values[0] != values[1]  # a new random token per login
    assert str(user.id) not in {v.split("|")[0] for v in values}
    db.session.rollback()  # a fresh snapshot: the logins committed in their own requests
    stored = db.session.scalars(select(LoginSession.token_hash)).all()
    assert len(stored) == 2 and not any(v.split("|")[0] in stored for v in values)

    thief = _copy(app, first, "remember_token")
    assert _get(thief, PRIVATE) == 200
    # "Log out everywhere" from the other browser ends the remembered one too.
    assert _post(second, "/logout/everywhere") == 302
    fresh = _copy(app, first, "remember_token")
    assert _get(fresh, PRIVATE) == 302
    assert _get(thief, PRIVATE) == 302
    assert _get(first, PRIVATE) == 302


def test_password_change_and_disabling_end_every_login(app: Flask, make: Factories) -> None:
    user = make.organiser()
    db.session.commit()
    browser = app.test_client()
    _login(browser, user, remember=True)
    assert _get(browser, PRIVATE) == 200
    db.session.rollback()
    services.change_password(db.session.get_one(User, user.id), "a much longer new passphrase 7")
    db.session.commit()
    assert _get(browser, PRIVATE) == 302

    other = make.organiser()
    db.session.commit()
    browser = app.test_client()
    _login(browser, other)
    assert _get(browser, PRIVATE) == 200
    db.session.rollback()
    services.disable_account(db.session.get_one(User, other.id))
    db.session.commit()
    assert _get(browser, PRIVATE) == 302
