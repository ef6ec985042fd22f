"""Signed, purpose-bound, expiring tokens for every link that grants access."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer


class InvalidToken(Exception):
    """The token is tampered with, meant for another purpose, or malformed."""


class ExpiredToken(InvalidToken):
    """The token was valid but is past its age limit."""


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return _serializer_for(current_app.config["SECRET_KEY"], purpose)


@lru_cache(maxsize=64)
def _serializer_for(secret_key: str | bytes, purpose: str) -> URLSafeTimedSerializer:
    # The salt binds a token to its purpose: a manage link cannot be replayed as an invite.
    # A serializer holds no per-use state, so one per key and purpose is built once (every
    # sign-up's confirmation link signed one afresh); a new SECRET_KEY gets its own.
    return URLSafeTimedSerializer(secret_key, salt=f"eventhub.{purpose}")


def make_token(purpose: str, payload: Any) -> str:
    return _serializer(purpose).dumps(payload)


def read_token(purpose: str, token: str, max_age_seconds: int | None = None) -> Any:
    try:
        return _serializer(purpose).loads(token, max_age=max_age_seconds)
    except SignatureExpired as exc:
        raise ExpiredToken(str(exc)) from exc
    except BadSignature as exc:
        raise InvalidToken(str(exc)) from exc
