"""Flask-Login wiring."""

from __future__ import annotations

from flask import current_app, request, session
from flask_login import LoginManager

from eventhub.accounts import sessions
from eventhub.accounts.models import User


def install_user_loader(manager: LoginManager) -> None:
    manager.login_view = "accounts.login"
    manager.login_message = "Please log in to continue."
    manager.login_message_category = "info"
    manager.session_protection = "strong"

    @manager.user_loader
    def load_user(login_token: str) -> User | None:
        # The "user id" Flask-Login stores is the login's random token (accounts.sessions).
        return sessions.load(login_token)


def cannot_be_logged_in() -> bool:
    """Whether this request is anonymous for sure, told from its cookies without loading a user.

    A logged-in browser has a login in its cookie session, or a remember-me cookie that would
    log it in on this request; nothing else logs a browser in (API tokens are not Flask-Login's).
    """
    remember = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
    return "_user_id" not in session and remember not in request.cookies
