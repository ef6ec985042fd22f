"""Findings 8 and 12: login costs the same for unknown emails; passwords, keys, limits, proxies."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import werkzeug.security
from flask import Flask, request
from flask.testing import FlaskClient

from eventhub import create_app
from eventhub.accounts import services
from eventhub.config import ConfigError, load
from eventhub.extensions import db
from tests.conftest import base_config
from tests.support.factories import Factories

PRODUCTION = {
    "EVENTHUB_ENV": "production",
    "SECRET_KEY": "k" * 32,
    "DATABASE_URL": "postgresql://db/eventhub",
    "EVENTHUB_BASE_URL": "https://events.example.org",
}


def _count_hashing(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record the method of every password hash computed (a spy: the real function runs)."""
    calls: list[str] = []
    real: Callable[..., Any] = werkzeug.security._hash_internal

    def spy(method: str, salt: str, password: str) -> Any:
        calls.append(method)
        return real(method, salt, password)

    monkeypatch.setattr(werkzeug.security, "_hash_internal", spy)
    return calls


def test_unknown_email_costs_the_same_hashing_as_a_wrong_password(
    make: Factories, monkeypatch: pytest.MonkeyPatch
) -> None:
    make.organiser(email="known@example.org")
    disabled = make.organiser(email="off@example.org")
    disabled.is_enabled = False
    db.session.commit()
    services.authenticate("warm@example.org", "x")  # the stand-in hash is made once
    calls = _count_hashing(monkeypatch)
    assert services.authenticate("known@example.org", "wrong password") is None
    known = list(calls)
    calls.clear()
    assert services.authenticate("nobody@example.org", "wrong password") is None
    unknown = list(calls)
    calls.clear()
    assert services.authenticate("off@example.org", "wrong password") is None
    assert known == unknown == calls and len(known) == 1


@pytest.mark.parametrize(
    "password", ["password1234", "Summer2024!", "qwertyuiop12", "aaaaaaaaaaab"]
)
def test_guessable_passwords_are_refused(password: str) -> None:
    assert services.password_problem(password, email="ann@example.org") is not None


def test_passphrases_are_accepted() -> None:
    for password in ("correct horse battery staple", "lantern harbour quietly"):
        assert services.password_problem(password, email="ann@example.org") is None


def test_production_refuses_a_short_secret_key() -> None:
    load(None, PRODUCTION)
    with pytest.raises(ConfigError, match="32 bytes"):
        load(None, {**PRODUCTION, "SECRET_KEY": "k" * 31})


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    return {**app_config, "RATELIMIT_ENABLED": True, "EVENTHUB_RATELIMIT_LOGIN": "3/minute"}


def test_failed_logins_are_limited_per_account_across_addresses(
    client: FlaskClient, make: Factories
) -> None:
    make.organiser(email="target@example.org")
    db.session.commit()
    codes = []
    for n in range(5):
        # Each guess from a different client address: only the per-account limit can stop it.
        response = client.post(
            "/login",
            data={"email": "Target@example.org", "password": f"guess {n}"},
            environ_base={"REMOTE_ADDR": f"10.0.0.{n + 1}"},
        )
        codes.append(response.status_code)
    assert codes == [200, 200, 200, 429, 429]


def test_client_addresses_come_from_the_configured_number_of_proxies(
    tmp_path: Any, database_url: str
) -> None:
    def seen(app: Flask, forwarded: str) -> str:
        @app.get("/test-remote-addr")
        def remote() -> str:
            return f"{request.remote_addr} {request.scheme}"

        response = app.test_client().get(
            "/test-remote-addr",
            headers={"X-Forwarded-For": forwarded, "X-Forwarded-Proto": "https"},
            environ_base={"REMOTE_ADDR": "10.9.9.9"},
        )
        return response.get_data(as_text=True)

    forwarded = "6.6.6.6, 203.0.113.7"  # a spoofed entry, then what our one proxy saw
    direct = create_app(base_config(tmp_path / "a", database_url))
    assert seen(direct, forwarded) == "10.9.9.9 http"
    one_proxy = create_app(base_config(tmp_path / "b", database_url, EVENTHUB_TRUSTED_PROXIES=1))
    assert seen(one_proxy, forwarded) == "203.0.113.7 https"
