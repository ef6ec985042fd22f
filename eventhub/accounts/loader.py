"""Flask-Login wiring."""

from __future__ import annotations

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
