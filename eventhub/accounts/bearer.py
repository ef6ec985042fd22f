"""Bearer-token authentication: the organiser behind an `Authorization: Bearer` header."""

from __future__ import annotations

from flask import request
from werkzeug.datastructures import WWWAuthenticate
from werkzeug.exceptions import Forbidden, Unauthorized

from eventhub.accounts.models import TokenScope, User
from eventhub.accounts.services import api_token
from eventhub.error_phrases import N_

# What a `read` token may do: look, never change.
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _unauthorized(message: str) -> Unauthorized:
    return Unauthorized(
        description=message, www_authenticate=WWWAuthenticate("bearer", {"realm": "eventhub"})
    )


def token_organiser() -> User:
    """The organiser whose personal access token came with the request, or 401/403.

    The token acts with its user's roles and no more; a `read` token is refused any change."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise _unauthorized(N_("Send a personal access token as 'Authorization: Bearer <token>'."))
    row = api_token(token.strip())
    if row is None:
        raise _unauthorized(N_("That token is unknown, revoked or expired."))
    if not row.user.is_organiser:
        raise Forbidden(description=N_("Only organisers may use the organiser API."))
    if row.scope == TokenScope.READ and request.method not in READ_METHODS:
        raise Forbidden(description=N_("This token may only read (scope 'read')."))
    return row.user
