"""Logins as rows: a random token per login, stored hashed, revocable one by one or all at once.

Flask-Login keeps the token (never the user id) in the session cookie and, for "remember me",
in the signed remember cookie; every request looks the token up, so logging out, "log out
everywhere", a password change and disabling the account end a copied cookie at once.
"""

from __future__ import annotations

from datetime import timedelta

from flask import g
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select, update

from eventhub.accounts import stored_tokens
from eventhub.accounts.models import LoginSession, User
from eventhub.clock import utcnow
from eventhub.extensions import db

# A browser session without "remember me" lasts at most this long on the server side.
SESSION_LIFETIME = timedelta(days=1)
REMEMBER_LIFETIME = timedelta(days=30)


def _use(user: User, token: str) -> None:
    g.login_token, g.login_user_id = token, user.id


def start(user: User, *, remember: bool = False) -> None:
    """Record a new login and hand its token to Flask-Login (the caller commits)."""
    lifetime = REMEMBER_LIFETIME if remember else SESSION_LIFETIME
    token = stored_tokens.issue(LoginSession, user, remember=remember, lifetime=lifetime)
    _use(user, token)
    login_user(user, remember=remember, duration=lifetime)


def load(token: str) -> User | None:
    """The user of a live login token, or None (unknown, revoked, expired, account disabled)."""
    if not token or len(token) > 100:
        return None
    row = db.session.execute(
        select(User, LoginSession.expires_at, LoginSession.revoked_at)
        .join(LoginSession, LoginSession.user_id == User.id)
        .where(LoginSession.token_hash == stored_tokens.digest(token))
    ).first()
    if row is None:
        return None
    user, expires_at, revoked_at = row
    if revoked_at is not None or expires_at <= utcnow() or not user.is_enabled:
        return None
    _use(user, token)
    return user


def end_current() -> None:
    """Log out this browser: its login row is revoked, its cookies cleared (caller commits)."""
    # Reading current_user first loads the login (and its token) from the cookies.
    token = g.get("login_token") if current_user.is_authenticated else None
    if token is not None:
        db.session.execute(
            update(LoginSession)
            .where(
                LoginSession.token_hash == stored_tokens.digest(token),
                LoginSession.revoked_at.is_(None),
            )
            .values(revoked_at=utcnow())
        )
    logout_user()


def revoke_all(user: User) -> int:
    """End every login of this user (log out everywhere, password change, account disabled)."""
    result = db.session.execute(
        update(LoginSession)
        .where(LoginSession.user_id == user.id, LoginSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    return int(getattr(result, "rowcount", 0) or 0)
