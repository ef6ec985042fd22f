"""Guessing codes is limited per account, across pending logins and client addresses: a
password thief cannot get more tries by logging in again from elsewhere."""

from __future__ import annotations

from typing import Any

import pyotp
import pytest
from flask.testing import FlaskClient

from eventhub.accounts import totp
from eventhub.extensions import db
from tests.support.factories import PASSWORD, Factories


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    return {**app_config, "RATELIMIT_ENABLED": True, "EVENTHUB_RATELIMIT_LOGIN": "3/minute"}


def test_wrong_codes_are_limited_per_account_across_addresses(
    client: FlaskClient, make: Factories
) -> None:
    user = make.organiser(email="guarded@example.org")
    secret = totp.start_enrolment(user)
    totp.confirm_enrolment(user, pyotp.TOTP(secret).now())
    db.session.commit()
    statuses = []
    for n in range(4):
        # A fresh pending login from a fresh address each time: only the account's limit
        # (3/minute here) stops the fourth guess.
        address = {"REMOTE_ADDR": f"10.0.1.{n + 1}"}
        login = client.post(
            "/login",
            data={"email": user.email, "password": PASSWORD},
            environ_base=address,
        )
        assert login.status_code == 302 and login.location.endswith("/login/code")
        guess = client.post("/login/code", data={"code": "000000"}, environ_base=address)
        statuses.append(guess.status_code)
    assert statuses == [200, 200, 200, 429]
