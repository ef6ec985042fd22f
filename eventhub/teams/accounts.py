"""Installation admins manage accounts: list, disable, re-enable."""

from __future__ import annotations

from sqlalchemy import select

from eventhub.accounts.models import ApiToken, User
from eventhub.clock import utcnow
from eventhub.extensions import db
from eventhub.teams.services import MembershipError


def all_accounts() -> list[User]:
    return list(db.session.scalars(select(User).order_by(User.role, User.email)))


def disable(user: User, actor: User) -> None:
    """Refuse logins and tokens from now on; an admin cannot lock themselves out."""
    if user.id == actor.id:
        raise MembershipError("You cannot disable your own account.")
    user.is_enabled = False
    # Tokens stop working through is_enabled already; revoking them makes it last past re-enabling.
    now = utcnow()
    for token in db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    ):
        token.revoked_at = now
    db.session.flush()


def enable(user: User) -> None:
    user.is_enabled = True
    db.session.flush()
