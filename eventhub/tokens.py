"""Signed, purpose-bound, expiring tokens for every link that grants access."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from flask import current_app
from itsdangerous import (
    BadSignature,
    SignatureExpired,
    Signer,
    TimestampSigner,
    URLSafeTimedSerializer,
    want_bytes,
)


class InvalidToken(Exception):
    """The token is tampered with, meant for another purpose, or malformed."""


class ExpiredToken(InvalidToken):
    """The token was valid but is past its age limit."""


class _KeptSigner(TimestampSigner):
    """itsdangerous' timestamp signer deriving each key once (it hashed salt and key afresh
    for every signature); the same keys, so the same signatures."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._derived: dict[bytes, bytes] = {}

    def derive_key(self, secret_key: str | bytes | None = None) -> bytes:
        key = self.secret_keys[-1] if secret_key is None else want_bytes(secret_key)
        derived = self._derived.get(key)
        if derived is None:
            derived = self._derived[key] = super().derive_key(key)
        return derived


class _KeptSerializer(URLSafeTimedSerializer):
    """A serializer signing with one signer of its own salt rather than building one per
    token (a signer holds no state of a token)."""

    signer = _KeptSigner

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._signer: Signer | None = None

    def make_signer(self, salt: str | bytes | None = None) -> Signer:
        if salt is not None and salt is not self.salt:
            return super().make_signer(salt)
        if self._signer is None:
            self._signer = super().make_signer(self.salt)
        return self._signer


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return _serializer_for(current_app.config["SECRET_KEY"], purpose)


@lru_cache(maxsize=64)
def _serializer_for(secret_key: str | bytes, purpose: str) -> URLSafeTimedSerializer:
    # The salt binds a token to its purpose: a manage link cannot be replayed as an invite.
    # A serializer holds no per-use state, so one per key and purpose is built once (every
    # sign-up's confirmation link signed one afresh); a new SECRET_KEY gets its own.
    return _KeptSerializer(secret_key, salt=f"eventhub.{purpose}")


def make_token(purpose: str, payload: Any) -> str:
    return _serializer(purpose).dumps(payload)


def read_token(purpose: str, token: str, max_age_seconds: int | None = None) -> Any:
    try:
        return _serializer(purpose).loads(token, max_age=max_age_seconds)
    except SignatureExpired as exc:
        raise ExpiredToken(str(exc)) from exc
    except BadSignature as exc:
        raise InvalidToken(str(exc)) from exc
