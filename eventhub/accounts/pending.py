"""A login waiting for its second factor: the password was right, the code is still due.

It is not a login: Flask-Login knows nothing of it, so no page or API call treats the browser
as signed in. The browser holds a random token (in the signed session cookie); the row holds
its hash, its expiry and the attempts used, so replaying an older cookie does not give more
tries. Each attempt is reserved by a conditional UPDATE before the code is checked.
"""

from __future__ import annotations

from datetime import timedelta

from flask import session
from sqlalchemy import select, update

from eventhub.accounts import stored_tokens
from eventhub.accounts.models import PendingLogin, User
from eventhub.clock import utcnow
from eventhub.extensions import db

LIFETIME = timedelta(minutes=5)
MAX_ATTEMPTS = 5
SESSION_KEY = "pending_login"
NEXT_KEY = "pending_login_next"


def begin(user: User, *, remember: bool, next_url: str | None) -> None:
    """Record that `user` passed the password step (the caller commits)."""
    token = stored_tokens.issue(PendingLogin, user, remember=remember, lifetime=LIFETIME)
    session[SESSION_KEY] = token
    session[NEXT_KEY] = next_url or ""


def current() -> PendingLogin | None:
    """This browser's pending login, if it is still open (not finished, expired or used up)."""
    token = session.get(SESSION_KEY)
    if not isinstance(token, str) or not token or len(token) > 100:
        return None
    row = db.session.scalar(
        select(PendingLogin).where(PendingLogin.token_hash == stored_tokens.digest(token))
    )
    if (
        row is None
        or row.finished_at is not None
        or row.expires_at <= utcnow()
        or row.failed_attempts >= MAX_ATTEMPTS
    ):
        return None
    user = db.session.get(User, row.user_id)
    if user is None or not user.is_enabled:
        return None
    return row


def reserve_attempt(row: PendingLogin) -> bool:
    """Count one attempt before checking it; False when none are left (or it has ended)."""
    result = db.session.execute(
        update(PendingLogin)
        .where(
            PendingLogin.id == row.id,
            PendingLogin.failed_attempts < MAX_ATTEMPTS,
            PendingLogin.finished_at.is_(None),
        )
        .values(failed_attempts=PendingLogin.failed_attempts + 1)
        .execution_options(synchronize_session="fetch")
    )
    return int(getattr(result, "rowcount", 0) or 0) == 1


def attempts_left(row: PendingLogin) -> int:
    return max(0, MAX_ATTEMPTS - row.failed_attempts)


def finish(row: PendingLogin) -> str:
    """Close the pending login (passed, or given up); returns where the user was going."""
    row.finished_at = utcnow()
    session.pop(SESSION_KEY, None)
    next_url = str(session.pop(NEXT_KEY, "") or "")
    db.session.flush()
    return next_url


def forget() -> None:
    """Drop this browser's pending login from its cookie (the row simply expires)."""
    session.pop(SESSION_KEY, None)
    session.pop(NEXT_KEY, None)
