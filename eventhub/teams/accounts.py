"""Installation admins manage accounts: list, disable, re-enable."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from eventhub.accounts.models import User
from eventhub.accounts.services import disable_account
from eventhub.extensions import db
from eventhub.teams.services import MembershipError


def all_accounts() -> list[User]:
    return list(db.session.scalars(select(User).order_by(User.role, User.email)))


def disable(user: User, actor: User) -> None:
    """Refuse logins and tokens from now on; an admin cannot lock themselves out."""
    if user.id == actor.id:
        raise MembershipError(_("You cannot disable your own account."))
    # Tokens are revoked, not only refused, so re-enabling does not bring them back.
    disable_account(user)
    db.session.flush()


def enable(user: User) -> None:
    user.is_enabled = True
    db.session.flush()
