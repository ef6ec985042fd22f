"""Signed tokens are purpose-bound and expire; times read the same everywhere."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest
from flask import Flask
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from eventhub.timefmt import format_moment
from eventhub.tokens import ExpiredToken, InvalidToken, make_token, read_token


def test_token_round_trip(app: Flask) -> None:
    token = make_token("manage", {"r": 5})
    assert read_token("manage", token) == {"r": 5}


def test_token_for_another_purpose_is_refused(app: Flask) -> None:
    token = make_token("manage", {"r": 5})
    with pytest.raises(InvalidToken):
        read_token("invitation", token)


def test_tampered_token_is_refused(app: Flask) -> None:
    token = make_token("manage", {"r": 5})
    with pytest.raises(InvalidToken):
        read_token("manage", token[:-2] + ("AA" if token[-2:] != "AA" else "BB"))


class _SignedInThePast(TimestampSigner):
    def get_timestamp(self) -> int:
        return int(time.time()) - 3600


def test_expired_token_is_refused(app: Flask) -> None:
    # A token signed an hour ago (itsdangerous stamps with its own clock) against a 60 s limit.
    old = URLSafeTimedSerializer(
        app.config["SECRET_KEY"], salt="eventhub.manage", signer=_SignedInThePast
    )
    token = old.dumps({"r": 5})
    with pytest.raises(ExpiredToken):
        read_token("manage", token, max_age_seconds=60)
    assert read_token("manage", token, max_age_seconds=7200) == {"r": 5}


def test_tokens_are_what_a_fresh_serializer_signs(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The serializer is kept per secret key and purpose; tokens stay byte for byte the same,
    # and a new key signs with the new key.
    monkeypatch.setattr(time, "time", lambda: 1_800_000_000.0)
    for key in (app.config["SECRET_KEY"], "another key", b"bytes key"):
        monkeypatch.setitem(app.config, "SECRET_KEY", key)
        for purpose in ("manage", "invitation"):
            fresh = URLSafeTimedSerializer(key, salt=f"eventhub.{purpose}")
            for _ in range(2):
                assert make_token(purpose, [7, 3]) == fresh.dumps([7, 3])
            assert read_token(purpose, fresh.dumps({"r": 1})) == {"r": 1}
    with pytest.raises(InvalidToken):
        read_token("manage", URLSafeTimedSerializer("x", salt="eventhub.manage").dumps(1))


def test_external_urls_are_built_on_the_current_base_url(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    from urllib.parse import urlsplit

    from flask import url_for

    from eventhub.urls import external_url

    for base in ("https://events.example.org", "http://example.net:8080/hub/"):
        monkeypatch.setitem(app.config, "EVENTHUB_BASE_URL", base)
        split = urlsplit(base.rstrip("/"))
        bound = app.url_map.bind(
            split.netloc, script_name=split.path or "/", url_scheme=split.scheme
        )
        expected = bound.build("registration.manage", {"token": "a/b c"}, force_external=True)
        assert expected.startswith(base.rstrip("/") + "/")
        for _ in range(2):
            assert external_url("registration.manage", token="a/b c") == expected
            with app.test_request_context("/", base_url="http://attacker.example"):
                assert url_for("registration.manage", token="a/b c", _external=True) == expected


def test_format_moment_names_the_zone() -> None:
    moment = datetime(2027, 3, 12, 6, 30, tzinfo=UTC)
    assert format_moment(moment, "Asia/Hong_Kong") == "Fri 12 Mar 2027, 14:30 HKT"
    assert format_moment(moment, "Europe/London") == "Fri 12 Mar 2027, 06:30 GMT"
