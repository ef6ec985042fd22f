"""The language switcher: a plain link on every page, so cached public pages can carry it."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, request
from flask.typing import ResponseReturnValue
from flask_login import current_user

from eventhub.accounts.services import remember_language
from eventhub.i18n import COOKIE, COOKIE_MAX_AGE, normalise
from eventhub.transaction import change

bp = Blueprint("language", __name__)


def _local_path(target: str | None) -> str:
    """Only a path on this site: never `//host`, `/\\host`, a scheme or a control character."""
    if (
        not target
        or not target.startswith("/")
        or target.startswith(("//", "/\\"))
        or any(ord(ch) < 32 or ch == "\x7f" for ch in target)
    ):
        return "/"
    return target


@bp.route("/language/<tag>")
def choose(tag: str) -> ResponseReturnValue:
    """Remember the choice in a cookie and, for an account, on the user; then go back."""
    chosen = normalise(tag)
    if chosen is None:
        abort(404)
    if current_user.is_authenticated:
        user = current_user._get_current_object()
        with change():
            remember_language(user, chosen)
    response = redirect(_local_path(request.args.get("next")), code=303)
    response.set_cookie(
        COOKIE,
        chosen,
        max_age=COOKIE_MAX_AGE,
        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
        httponly=True,
        samesite="Lax",
    )
    return response
