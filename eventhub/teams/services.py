"""Membership rules: the creator owns, owners manage members, a series keeps an owner."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, select

from eventhub.accounts.models import User
from eventhub.extensions import db
from eventhub.refusal import Refusal
from eventhub.teams.models import MemberRole, Membership


class MembershipError(Refusal):
    """A refused membership change; the message is meant for the user."""


def membership(series_id: int, user_id: int) -> Membership | None:
    return db.session.scalar(
        select(Membership).where(Membership.series_id == series_id, Membership.user_id == user_id)
    )


def members(series_id: int) -> list[Membership]:
    """The series' members, owners first, then by email."""
    order = {MemberRole.OWNER: 0, MemberRole.EDITOR: 1, MemberRole.VIEWER: 2}
    rows = db.session.scalars(
        select(Membership).join(User).where(Membership.series_id == series_id).order_by(User.email)
    )
    return sorted(rows, key=lambda m: order[m.role])


def _owners(series_id: int) -> int:
    return (
        db.session.scalar(
            select(func.count(Membership.id)).where(
                Membership.series_id == series_id, Membership.role == MemberRole.OWNER
            )
        )
        or 0
    )


def make_owner(series_id: int, user: User) -> Membership:
    """Called when a series is created: its creator owns it."""
    return set_role(series_id, user, MemberRole.OWNER)


def set_role(series_id: int, user: User, role: MemberRole) -> Membership:
    """Add `user` to the series with `role`, or change their role; the last owner stays."""
    if not user.is_organiser:
        raise MembershipError(_("%(email)s is not an organiser account.", email=user.email))
    row = membership(series_id, user.id)
    if row is None:
        row = Membership(series_id=series_id, user_id=user.id, role=role)
        db.session.add(row)
    else:
        if row.role is MemberRole.OWNER and role is not MemberRole.OWNER:
            _keep_an_owner(series_id)
        row.role = role
    db.session.flush()
    return row


def remove(series_id: int, user: User) -> Membership:
    row = membership(series_id, user.id)
    if row is None:
        raise MembershipError(_("%(email)s is not a member of this series.", email=user.email))
    if row.role is MemberRole.OWNER:
        _keep_an_owner(series_id)
    db.session.delete(row)
    db.session.flush()
    return row


def _keep_an_owner(series_id: int) -> None:
    if _owners(series_id) <= 1:
        raise MembershipError(
            _("A series needs at least one owner; make someone else owner first.")
        )
