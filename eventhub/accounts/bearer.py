"""Bearer-token authentication: the organiser behind an `Authorization: Bearer` header."""

from __future__ import annotations

from flask import request
from flask_babel import gettext as _
from werkzeug.datastructures import WWWAuthenticate
from werkzeug.exceptions import Forbidden, Unauthorized

from eventhub.accounts.models import User
from eventhub.accounts.services import user_for_token


def _unauthorized(message: str) -> Unauthorized:
    return Unauthorized(
        description=message, www_authenticate=WWWAuthenticate("bearer", {"realm": "eventhub"})
    )


def token_organiser() -> User:
    """The organiser whose personal access token came with the request, or 401/403."""
    scheme, _separator, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise _unauthorized(_("Send a personal access token as 'Authorization: Bearer <token>'."))
    user = user_for_token(token.strip())
    if user is None:
        raise _unauthorized(_("That token is unknown or revoked."))
    if not user.is_organiser:
        raise Forbidden(description=_("Only organisers may use the organiser API."))
    return user
