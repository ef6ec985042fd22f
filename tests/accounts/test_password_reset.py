"""/password/reset: one answer for every address, a link valid one hour and usable once."""

from __future__ import annotations

import re
from datetime import timedelta

from flask import Flask, g
from flask.testing import FlaskClient
from sqlalchemy import select

from eventhub import clock
from eventhub.accounts.models import Role
from eventhub.extensions import db
from eventhub.mail.models import MessageKind, OutboxMessage
from tests.support.factories import PASSWORD, Factories, LoginHelper

NEW = "a fresh and long passphrase"


def _resets() -> list[OutboxMessage]:
    return list(
        db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == MessageKind.PASSWORD_RESET)
        )
    )


def _link(message: OutboxMessage) -> str:
    match = re.search(r"http://eventhub\.test(/password/reset/[\w.\-]+)", message.body_text)
    assert match is not None, message.body_text
    return match.group(1)


def test_the_answer_is_the_same_whether_or_not_the_address_exists(
    client: FlaskClient, make: Factories
) -> None:
    make.organiser(email="known@example.org")
    db.session.commit()
    assert client.get("/password/reset").status_code == 200
    known = client.post("/password/reset", data={"email": "known@example.org"})
    unknown = client.post("/password/reset", data={"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 200
    assert known.get_data() == unknown.get_data()
    assert [m.recipient_email for m in _resets()] == ["known@example.org"]


def test_a_link_sets_the_password_once(client: FlaskClient, make: Factories) -> None:
    user = make.user(Role.SPEAKER, email="speaker@example.org")
    db.session.commit()
    client.post("/password/reset", data={"email": "Speaker@Example.org"})
    link = _link(_resets()[0])
    assert client.get(link).status_code == 200
    weak = client.post(link, data={"password": "short", "confirm": "short"})
    assert weak.status_code == 200 and "at least" in weak.get_data(as_text=True)
    done = client.post(link, data={"password": NEW, "confirm": NEW})
    assert done.status_code == 302 and done.headers["Location"].endswith("/login")
    db.session.refresh(user)
    assert user.check_password(NEW) and not user.check_password(PASSWORD)
    assert client.get(link).status_code == 410  # used
    assert client.post(link, data={"password": PASSWORD, "confirm": PASSWORD}).status_code == 410


def test_a_link_expires_after_an_hour(client: FlaskClient, make: Factories) -> None:
    make.organiser(email="slow@example.org")
    db.session.commit()
    client.post("/password/reset", data={"email": "slow@example.org"})
    link = _link(_resets()[0])
    clock.move(timedelta(minutes=59))
    assert client.get(link).status_code == 200
    clock.move(timedelta(minutes=2))
    assert client.get(link).status_code == 410
    assert client.get(link[:-3] + "abc").status_code == 410


def test_a_disabled_account_gets_no_link(client: FlaskClient, make: Factories) -> None:
    make.organiser(email="gone@example.org", is_enabled=False)
    db.session.commit()
    assert client.post("/password/reset", data={"email": "gone@example.org"}).status_code == 200
    assert _resets() == []


def test_a_reset_signs_out_every_session_of_the_account(
    app: Flask, client: FlaskClient, make: Factories
) -> None:
    user = make.organiser(email="everywhere@example.org")
    elsewhere = app.test_client()
    LoginHelper(elsewhere)(user)
    g.pop("_login_user", None)  # one app context holds the test: forget the cached user
    assert elsewhere.get("/organiser/").status_code == 200
    g.pop("_login_user", None)
    client.post("/password/reset", data={"email": user.email})
    done = client.post(_link(_resets()[0]), data={"password": NEW, "confirm": NEW})
    assert done.status_code == 302
    g.pop("_login_user", None)
    assert elsewhere.get("/organiser/").status_code == 302  # back to the login page
