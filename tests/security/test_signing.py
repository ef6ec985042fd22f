"""The signers prepared once (eventhub.signing) sign exactly as itsdangerous' own."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import URLSafeTimedSerializer
from itsdangerous.signer import NoneAlgorithm

from eventhub.cookie_session import CookieSessionInterface
from eventhub.signing import KeptSignerSerializer, KeyedTimestampSigner

RAW_TOKEN = "3f0c6b1f5a0e4c5d8e2b7a9c1d3e5f7a9b0c2d4e"
# "a" * 200 is compressible: itsdangerous zlib-compresses its payload then.
# Forty characters that are not a raw token (upper case, quotes) take the serializer's path.
TOKENS = [RAW_TOKEN, "a" * 200, "", RAW_TOKEN.upper(), '"' + RAW_TOKEN[1:], "é" * 40]
SESSIONS: list[dict[str, Any]] = [
    {"csrf_token": RAW_TOKEN},
    {"csrf_token": RAW_TOKEN.upper()},
    {"other": RAW_TOKEN},
    {"csrf_token": RAW_TOKEN, "_flashes": [("message", "é")], "n": 1},
    {},
]


@pytest.fixture(autouse=True)
def _fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    # Both sign with the current second: the same second for both.
    monkeypatch.setattr("itsdangerous.timed.time.time", lambda: 1_760_000_000.5)


@pytest.mark.parametrize("value", TOKENS)
def test_the_csrf_token_is_signed_byte_for_byte_as_before(value: Any) -> None:
    theirs = URLSafeTimedSerializer("test-secret-key", salt="wtf-csrf-token")
    ours = KeptSignerSerializer("test-secret-key", salt="wtf-csrf-token")
    for _ in range(2):  # the kept signer signs a second time alike
        assert ours.dumps(value) == theirs.dumps(value)
    assert theirs.loads(ours.dumps(value), max_age=60) == value


@pytest.mark.parametrize("value", SESSIONS)
@pytest.mark.parametrize("fallbacks", [None, ["older-key"]])
def test_the_session_cookie_is_signed_byte_for_byte_as_flasks(
    value: Any, fallbacks: list[str] | None
) -> None:
    app = Flask(__name__)
    app.secret_key = "test-secret-key"
    app.config["SECRET_KEY_FALLBACKS"] = fallbacks
    theirs = SecureCookieSessionInterface().get_signing_serializer(app)
    ours = CookieSessionInterface().get_signing_serializer(app)
    assert theirs is not None and ours is not None
    assert ours.dumps(value) == theirs.dumps(value)
    assert theirs.loads(ours.dumps(value)) == value
    assert ours.loads(theirs.dumps(value)) == value


def test_other_digests_and_algorithms_sign_alike() -> None:
    for kwargs in (
        {"digest_method": hashlib.sha256},
        {"key_derivation": "hmac"},
        {"key_derivation": "none"},
        {"algorithm": NoneAlgorithm()},  # no C call for this one: itsdangerous' own way
    ):
        theirs = URLSafeTimedSerializer("k", salt="s", signer_kwargs=kwargs)
        ours = KeptSignerSerializer(
            "k", salt="s", signer=KeyedTimestampSigner, signer_kwargs=kwargs
        )
        assert ours.dumps("value") == theirs.dumps("value"), kwargs
        assert theirs.loads(ours.dumps("value")) == "value"


def test_each_salt_keeps_its_own_signer() -> None:
    ours = KeptSignerSerializer("k", salt="one")
    assert ours.dumps("v", salt="two") == URLSafeTimedSerializer("k", salt="two").dumps("v")
    assert ours.dumps("v") == URLSafeTimedSerializer("k", salt="one").dumps("v")


def test_a_new_visitors_tokens_are_signed_as_itsdangerous_signs_them() -> None:
    """Short payloads skip zlib's attempt: for the CSRF token and its session cookie (a random
    40-hex-digit token) the bytes are still itsdangerous' own, every time."""
    import os

    theirs = URLSafeTimedSerializer("test-secret-key", salt="wtf-csrf-token")
    ours = KeptSignerSerializer("test-secret-key", salt="wtf-csrf-token")
    app = Flask(__name__)
    app.secret_key = "test-secret-key"
    flasks = SecureCookieSessionInterface().get_signing_serializer(app)
    kept = CookieSessionInterface().get_signing_serializer(app)
    assert flasks is not None and kept is not None
    for _ in range(10_000):
        raw = hashlib.sha1(os.urandom(64)).hexdigest()  # noqa: S324  # nosec B324 (Flask-WTF's)
        assert ours.dumps(raw) == theirs.dumps(raw)
        assert kept.dumps({"csrf_token": raw}) == flasks.dumps({"csrf_token": raw})


def test_a_short_compressible_payload_is_written_plain_and_read_alike() -> None:
    theirs = URLSafeTimedSerializer("test-secret-key", salt="s")
    ours = KeptSignerSerializer("test-secret-key", salt="s")
    value = "a" * 40  # zlib shortens it: itsdangerous writes it compressed ("." first)
    assert theirs.dumps(value).startswith(".")
    assert not ours.dumps(value).startswith(".")
    assert theirs.loads(ours.dumps(value)) == value == ours.loads(theirs.dumps(value))
