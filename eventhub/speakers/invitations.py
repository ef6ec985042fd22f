"""Inviting a speaker: a signed, single-use, expiring link by email, and accepting it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from eventhub.accounts import invitation_links
from eventhub.accounts.invitation_links import InvitationError, Problem
from eventhub.accounts.models import Role, User
from eventhub.accounts.services import find_user, new_account
from eventhub.clock import utcnow
from eventhub.extensions import db
from eventhub.i18n import lang_attr, localised
from eventhub.mail.account_messages import Addressee, queue_for_account, reply_address
from eventhub.mail.dedupe import DedupeKey
from eventhub.mail.models import MessageKind
from eventhub.speakers import queries
from eventhub.speakers.models import SpeakerInvitation, SpeakerProfile
from eventhub.speakers.notices import ROLE_NAMES
from eventhub.speakers.services import SpeakerError, clean_email, record_change
from eventhub.timefmt import format_moment

PURPOSE = "speaker-invitation"


def valid_days() -> int:
    return invitation_links.valid_days("EVENTHUB_SPEAKER_INVITATION_DAYS")


def invitation_url(invitation: SpeakerInvitation) -> str:
    return invitation_links.url(PURPOSE, invitation, "speakers.accept_invitation")


def _open_invitations(profile: SpeakerProfile) -> list[SpeakerInvitation]:
    return list(
        db.session.scalars(
            select(SpeakerInvitation).where(
                SpeakerInvitation.speaker_id == profile.id,
                SpeakerInvitation.used_at.is_(None),
                SpeakerInvitation.revoked_at.is_(None),
            )
        )
    )


def invite(
    profile: SpeakerProfile, email: str | None, actor: User | None, now: datetime | None = None
) -> SpeakerInvitation:
    """Send a new invitation link; earlier open links stop working (a re-send replaces them)."""
    now = now or utcnow()
    address = clean_email(email or profile.email)
    if address is None:
        raise SpeakerError(_("Enter the speaker's email address to invite them."))
    if profile.user_id is not None:
        raise SpeakerError(
            _("%(name)s already has an account; they can log in.", name=profile.name_line)
        )
    existing = find_user(address)
    if existing is not None:
        raise SpeakerError(_("%(email)s already belongs to another account.", email=address))
    invitation_links.revoke_all(_open_invitations(profile), now)
    if profile.email != address:
        record_change(profile, actor, {"email": {"old": profile.email, "new": address}})
        profile.email = address
    invitation = invitation_links.create(
        SpeakerInvitation, address, actor, days=valid_days(), now=now, speaker_id=profile.id
    )
    _queue_email(profile, invitation, actor)
    record_change(profile, actor, {}, note=f"Invitation sent to {address}")
    db.session.flush()
    return invitation


def resend(profile: SpeakerProfile, actor: User | None) -> SpeakerInvitation:
    """Send a fresh link to the address last invited (or the profile's address)."""
    latest = next(iter(queries.invitations(profile)), None)
    return invite(profile, latest.email if latest else profile.email, actor)


def revoke(profile: SpeakerProfile, actor: User | None, now: datetime | None = None) -> int:
    """Make every open link of this profile unusable; return how many were open."""
    now = now or utcnow()
    open_ones = _open_invitations(profile)
    invitation_links.revoke_all(open_ones, now)
    if open_ones:
        record_change(profile, actor, {}, note="Invitation revoked")
    db.session.flush()
    return len(open_ones)


def _queue_email(
    profile: SpeakerProfile, invitation: SpeakerInvitation, actor: User | None
) -> None:
    zone = current_app.config["EVENTHUB_TIMEZONE"]
    links = [
        link for link in queries.own_session_links(profile) if link.session.ends_at >= utcnow()
    ]
    series = links[0].session.series if links else None

    def context() -> dict[str, Any]:
        sessions = [
            {
                "number": link.session.number,
                "title": localised(link.session, "title"),
                "title_lang": lang_attr(link.session, "title"),
                "when": format_moment(link.session.starts_at, link.session.timezone),
                "role": str(ROLE_NAMES.get(link.role.value, link.role.value)),
            }
            for link in links
        ]
        return {
            "speaker_name": profile.name_line,
            "inviter": (actor.display_name or actor.email) if actor else _("The organisers"),
            "sessions": sessions,
            "valid_until": format_moment(invitation.expires_at, zone),
            "series_title": localised(series, "title") if series is not None else "eventhub",
            "primary_url": invitation_url(invitation),
            "primary_label": _("Set your password"),
        }

    # No account can exist for the address (invite() refuses), so the series decides the
    # language, else the organiser sending it. Replies reach the person who invited them,
    # else the series' organiser, like other mail.
    organiser = series.organiser if series is not None else None
    queue_for_account(
        Addressee(
            invitation.email,
            profile.name_line,
            series=series,
            reply_to=reply_address(actor or organiser),
        ),
        MessageKind.SPEAKER_INVITATION,
        "speaker_invitation",
        DedupeKey(PURPOSE, invitation.id),
        context,
    )


def check(token: str, now: datetime | None = None) -> SpeakerInvitation:
    """The invitation a link names, if it can still be used; else InvitationError."""
    try:
        return invitation_links.read(SpeakerInvitation, PURPOSE, token, now)
    except InvitationError as error:
        revoked = error.invitation if error.problem is Problem.REVOKED else None
        if revoked is not None and _replaced(revoked):
            raise InvitationError(Problem.REPLACED, revoked) from None
        raise


def _replaced(invitation: SpeakerInvitation) -> bool:
    """A newer link went to the same speaker (a re-send), so this one says so."""
    newer = db.session.scalar(
        select(SpeakerInvitation.id).where(
            SpeakerInvitation.speaker_id == invitation.speaker_id,
            SpeakerInvitation.id > invitation.id,
        )
    )
    return newer is not None


def accept(invitation: SpeakerInvitation, password: str, now: datetime | None = None) -> User:
    """Create the speaker's account with this password and link it to the profile."""
    now = now or utcnow()
    profile = invitation.speaker
    if profile.user_id is not None:
        raise InvitationError(Problem.USED, invitation)
    if find_user(invitation.email) is not None:
        raise SpeakerError(
            _("%(email)s already has an account. Log in instead.", email=invitation.email)
        )
    user = new_account(
        invitation.email, password, role=Role.SPEAKER, display_name=profile.full_name
    )
    user.last_login_at = now
    profile.user_id = user.id
    invitation.used_at = now
    invitation_links.revoke_all(_open_invitations(profile), now)
    record_change(profile, user, {}, note="Account created from the invitation")
    db.session.flush()
    return user
