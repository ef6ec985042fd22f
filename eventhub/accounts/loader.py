"""Flask-Login wiring."""

from __future__ import annotations

from flask_login import LoginManager

from eventhub.accounts.models import User
from eventhub.extensions import db


def install_user_loader(manager: LoginManager) -> None:
    manager.login_view = "accounts.login"
    manager.login_message = "Please log in to continue."
    manager.login_message_category = "info"
    manager.session_protection = "strong"

    @manager.user_loader
    def load_user(user_id: str) -> User | None:
        if not user_id.isdigit():
            return None
        user = db.session.get(User, int(user_id))
        # A disabled account's open sessions end at its next request.
        return user if user is not None and user.is_enabled else None
