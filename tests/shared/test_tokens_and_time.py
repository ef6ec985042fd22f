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


def test_format_moment_names_the_zone() -> None:
    moment = datetime(2027, 3, 12, 6, 30, tzinfo=UTC)
    assert format_moment(moment, "Asia/Hong_Kong") == "Fri 12 Mar 2027, 14:30 HKT"
    assert format_moment(moment, "Europe/London") == "Fri 12 Mar 2027, 06:30 GMT"
