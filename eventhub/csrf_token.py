"""The visitor's CSRF token for a page served from the cache, as Flask-WTF makes it.

`flask_wtf.csrf.generate_csrf` builds its itsdangerous serializer on every call; the cached
session page calls it once per request (each visitor gets a token of their own). This is the
same function with the serializer built once per key: the same raw token in the session under
the same field, the same signed token in `g` (so a later `csrf_token()` in the request agrees),
and Flask-WTF's `validate_csrf` checks it unchanged.
"""

from __future__ import annotations

import hashlib
import os
from functools import lru_cache

from flask import current_app, g, session
from flask_wtf.csrf import generate_csrf

from eventhub.signing import KeptSignerSerializer

_SALT = "wtf-csrf-token"  # flask_wtf.csrf's
# The raw token is Flask-WTF's: 40 hex digits, SHA-1 of 64 random bytes (its randomness is the
# urandom bytes'; the hash only shapes it), so bandit's weak-hash warning does not apply.


@lru_cache(maxsize=8)
def _serializer(secret_key: str | bytes) -> KeptSignerSerializer:
    return KeptSignerSerializer(secret_key, salt=_SALT)


def csrf_token() -> str:
    """This request's signed CSRF token (Flask-WTF's `generate_csrf` with default arguments)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    config = app.config
    secret_key = config.get("WTF_CSRF_SECRET_KEY", app.secret_key)
    field_name = config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    if not isinstance(secret_key, str | bytes) or field_name is None:
        return str(generate_csrf())  # Flask-WTF's own answer (an error for a missing key)
    # The objects behind `g` and `session`, looked up once (each proxy access is a look-up).
    request_globals = g._get_current_object()
    if field_name not in request_globals:
        visitor = session._get_current_object()  # type: ignore[attr-defined]
        if field_name not in visitor:
            visitor[field_name] = hashlib.sha1(os.urandom(64)).hexdigest()  # noqa: S324  # nosec B324
        try:
            token = _serializer(secret_key).dumps(visitor[field_name])
        except TypeError:
            visitor[field_name] = hashlib.sha1(os.urandom(64)).hexdigest()  # noqa: S324  # nosec B324
            token = _serializer(secret_key).dumps(visitor[field_name])
        setattr(request_globals, field_name, token)
    return str(request_globals.get(field_name))
