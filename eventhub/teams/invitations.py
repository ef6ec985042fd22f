"""Adding people to a series: an existing organiser joins at once, anyone else gets a signed,
single-use, expiring link by email (like a speaker invitation)."""

from __future__ import annotations

import enum
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from eventhub.accounts.models import Role, User
from eventhub.accounts.services import AccountError, find_user, new_account, normalise_email
from eventhub.clock import utcnow
from eventhub.extensions import db
from eventhub.i18n import language, localised, recipient_language
from eventhub.mail.compose import mailbox
from eventhub.mail.models import MessageKind
from eventhub.mail.outbox import Envelope, queue_message, render_email
from eventhub.refusal import Refusal
from eventhub.scheduling.models import Series
from eventhub.teams import services
from eventhub.teams.models import MemberInvitation, MemberRole, Membership
from eventhub.teams.services import MembershipError
from eventhub.timefmt import format_moment
from eventhub.tokens import InvalidToken, make_token, read_token
from eventhub.urls import external_url

PURPOSE = "team-invitation"
DEFAULT_VALID_DAYS = 7

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


class Problem(enum.StrEnum):
    INVALID = "invalid"
    EXPIRED = "expired"
    USED = "used"
    REVOKED = "revoked"


class InvitationError(Refusal):
    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.value)
        self.problem = problem


@dataclass(frozen=True)
class Added:
    """What adding someone did: a membership now, or an invitation sent."""

    membership: Membership | None = None
    invitation: MemberInvitation | None = None


def valid_days() -> int:
    return int(current_app.config.get("EVENTHUB_TEAM_INVITATION_DAYS") or DEFAULT_VALID_DAYS)


def invitation_url(invitation: MemberInvitation) -> str:
    token = make_token(PURPOSE, {"id": invitation.id, "nonce": invitation.nonce})
    return external_url("teams.accept_invitation", token=token)


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
    for old in _open(series.id, email):
        old.revoked_at = now
    invitation = MemberInvitation(
        series_id=series.id,
        email=email,
        role=role,
        nonce=secrets.token_urlsafe(32),
        expires_at=now + timedelta(days=valid_days()),
        invited_by_id=actor.id if actor else None,
    )
    db.session.add(invitation)
    db.session.flush()
    # An address with an account reads its own language; a newcomer the series' language.
    with language(recipient_language(find_user(email), series)):
        inviter = (actor.display_name or actor.email) if actor else _("The organisers")
        email_content = render_email(
            "team_invitation",
            series=series,
            role=role,
            role_sentence=_ROLE_SENTENCES[role](inviter=inviter, series=localised(series, "title")),
            inviter=inviter,
            valid_until=format_moment(invitation.expires_at, series.timezone),
            series_title=localised(series, "title"),
            primary_url=invitation_url(invitation),
            primary_label=_("Accept the invitation"),
        )
    queue_message(
        Envelope(
            kind=MessageKind.TEAM_INVITATION,
            dedupe_key=f"team-invitation:{invitation.id}",
            recipient_email=email,
            reply_to=mailbox(actor.display_name or actor.email, actor.email) if actor else None,
            series_id=series.id,
        ),
        email_content,
    )
    return invitation


def revoke(invitation: MemberInvitation, now: datetime | None = None) -> None:
    invitation.revoked_at = now or utcnow()
    db.session.flush()


def check(token: str, now: datetime | None = None) -> MemberInvitation:
    """The invitation a link names, if it can still be used; else InvitationError."""
    now = now or utcnow()
    try:
        payload = read_token(PURPOSE, token)
        invitation_id, nonce = int(payload["id"]), str(payload["nonce"])
    except (InvalidToken, KeyError, TypeError, ValueError) as exc:
        raise InvitationError(Problem.INVALID) from exc
    invitation = db.session.get(MemberInvitation, invitation_id)
    if invitation is None or not secrets.compare_digest(invitation.nonce, nonce):
        raise InvitationError(Problem.INVALID)
    if invitation.used_at is not None:
        raise InvitationError(Problem.USED)
    if invitation.revoked_at is not None:
        raise InvitationError(Problem.REVOKED)
    if invitation.expires_at <= now:
        raise InvitationError(Problem.EXPIRED)
    return invitation


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
