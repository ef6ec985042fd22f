"""Adding people to a series: an existing organiser joins at once, anyone else gets a signed,
single-use, expiring link by email (like a speaker invitation)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from eventhub.accounts import invitation_links
from eventhub.accounts.models import Role, User
from eventhub.accounts.services import AccountError, find_user, new_account, normalise_email
from eventhub.clock import utcnow
from eventhub.extensions import db
from eventhub.i18n import localised
from eventhub.mail.account_messages import Addressee, queue_for_account, reply_address
from eventhub.mail.dedupe import DedupeKey
from eventhub.mail.models import MessageKind
from eventhub.scheduling.models import Series
from eventhub.teams import services
from eventhub.teams.models import MemberInvitation, MemberRole, Membership
from eventhub.teams.services import MembershipError
from eventhub.timefmt import format_moment

PURPOSE = "team-invitation"

# One whole sentence per role: "an owner" / "a viewer" and the Chinese word order differ.
_ROLE_SENTENCES: dict[MemberRole, Callable[..., str]] = {
    MemberRole.OWNER: lambda **parts: _(
        "%(inviter)s invites you to join the team behind %(series)s as an owner.", **parts
    ),
    MemberRole.EDITOR: lambda **parts: _(
        "%(inviter)s invites you to join the team behind %(series)s as an editor.", **parts
    ),
    MemberRole.VIEWER: lambda **parts: _(
        "%(inviter)s invites you to join the team behind %(series)s as a viewer.", **parts
    ),
}


@dataclass(frozen=True)
class Added:
    """What adding someone did: a membership now, or an invitation sent."""

    membership: Membership | None = None
    invitation: MemberInvitation | None = None


def valid_days() -> int:
    return invitation_links.valid_days("EVENTHUB_TEAM_INVITATION_DAYS")


def invitation_url(invitation: MemberInvitation) -> str:
    return invitation_links.url(PURPOSE, invitation, "teams.accept_invitation")


def add_member(
    series: Series, email: str, role: MemberRole, actor: User | None, now: datetime | None = None
) -> Added:
    """Give an existing organiser `role` at once, or email a new person an invitation."""
    try:
        address = normalise_email(email)
    except AccountError as exc:
        raise MembershipError(str(exc)) from exc
    user = find_user(address)
    if user is not None:
        if not user.is_organiser:
            raise MembershipError(_("%(email)s belongs to a speaker account.", email=address))
        if not user.is_enabled:
            raise MembershipError(_("The account of %(email)s is disabled.", email=address))
        return Added(membership=services.set_role(series.id, user, role))
    return Added(invitation=invite(series, address, role, actor, now))


def _open(series_id: int, email: str) -> list[MemberInvitation]:
    return list(
        db.session.scalars(
            select(MemberInvitation).where(
                MemberInvitation.series_id == series_id,
                MemberInvitation.email == email,
                MemberInvitation.used_at.is_(None),
                MemberInvitation.revoked_at.is_(None),
            )
        )
    )


def pending(series_id: int, now: datetime | None = None) -> list[MemberInvitation]:
    """Invitations of a series still waiting for an answer."""
    now = now or utcnow()
    return list(
        db.session.scalars(
            select(MemberInvitation)
            .where(
                MemberInvitation.series_id == series_id,
                MemberInvitation.used_at.is_(None),
                MemberInvitation.revoked_at.is_(None),
                MemberInvitation.expires_at > now,
            )
            .order_by(MemberInvitation.email)
        )
    )


def invite(
    series: Series, email: str, role: MemberRole, actor: User | None, now: datetime | None = None
) -> MemberInvitation:
    """Send a new link; an earlier open link to the same address stops working."""
    now = now or utcnow()
    invitation_links.revoke_all(_open(series.id, email), now)
    invitation = invitation_links.create(
        MemberInvitation, email, actor, days=valid_days(), now=now, series_id=series.id, role=role
    )

    def context() -> dict[str, Any]:
        inviter = (actor.display_name or actor.email) if actor else _("The organisers")
        title = localised(series, "title")
        return {
            "series": series,
            "role": role,
            "role_sentence": _ROLE_SENTENCES[role](inviter=inviter, series=title),
            "inviter": inviter,
            "valid_until": format_moment(invitation.expires_at, series.timezone),
            "series_title": title,
            "primary_url": invitation_url(invitation),
            "primary_label": _("Accept the invitation"),
        }

    # An address with an account reads its own language; a newcomer the series' language.
    queue_for_account(
        Addressee(email, account=find_user(email), series=series, reply_to=reply_address(actor)),
        MessageKind.TEAM_INVITATION,
        "team_invitation",
        DedupeKey(PURPOSE, invitation.id),
        context,
    )
    return invitation


def revoke(invitation: MemberInvitation, now: datetime | None = None) -> None:
    invitation.revoked_at = now or utcnow()
    db.session.flush()


def check(token: str, now: datetime | None = None) -> MemberInvitation:
    """The invitation a link names, if it can still be used; else InvitationError."""
    return invitation_links.read(MemberInvitation, PURPOSE, token, now)


def accept(
    invitation: MemberInvitation,
    user: User | None,
    *,
    password: str = "",
    display_name: str = "",
    now: datetime | None = None,
) -> User:
    """Join the series: as the logged-in `user` (who must own the invited address), or as a new
    organiser account with `password` when the address has none."""
    now = now or utcnow()
    if user is None:
        if find_user(invitation.email) is not None:
            raise MembershipError(
                _("%(email)s already has an account. Log in first.", email=invitation.email)
            )
        user = new_account(
            invitation.email, password, role=Role.ORGANISER, display_name=display_name
        )
    elif user.email.lower() != invitation.email.lower():
        raise MembershipError(
            _(
                "This invitation is for %(invited)s; you are logged in as %(email)s.",
                invited=invitation.email,
                email=user.email,
            )
        )
    services.set_role(invitation.series_id, user, invitation.role)
    invitation.used_at = now
    db.session.flush()
    return user
