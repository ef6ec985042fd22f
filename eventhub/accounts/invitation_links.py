"""Invitation links: a signed link naming one row, usable once, until it expires or is revoked.

A speaker is invited to their profile and a newcomer to a series' team the same way. The row
holds a random nonce the link repeats, so a link stops working as soon as its row is used,
revoked or replaced by a newer one — without keeping the links themselves.
"""

from __future__ import annotations

import enum
import secrets
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any, TypeVar

from flask import current_app
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from eventhub.accounts.models import User
from eventhub.clock import utcnow
from eventhub.db_types import UTCDateTime
from eventhub.extensions import db
from eventhub.refusal import Refusal
from eventhub.tokens import InvalidToken, make_token, read_token
from eventhub.urls import external_url

DEFAULT_VALID_DAYS = 7


class InvitationLink:
    """The columns of an invitation row, mixed into each kind of invitation's model."""

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320))
    nonce: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


Link = TypeVar("Link", bound=InvitationLink)


class Problem(enum.StrEnum):
    INVALID = "invalid"
    EXPIRED = "expired"
    USED = "used"
    REVOKED = "revoked"
    REPLACED = "replaced"


class InvitationError(Refusal):
    """A link that cannot be used; `problem` says why, for a clear page."""

    def __init__(self, problem: Problem, invitation: Any | None = None) -> None:
        super().__init__(problem.value)
        self.problem = problem
        self.invitation = invitation


def valid_days(setting: str) -> int:
    """How long a new link of this kind works: the `setting`, else a week."""
    return int(current_app.config.get(setting) or DEFAULT_VALID_DAYS)


def create(
    kind: type[Link],
    email: str,
    actor: User | None,
    *,
    days: int,
    now: datetime,
    **about: Any,
) -> Link:
    """Add a fresh invitation row of `kind` (its own columns in `about`) and flush it."""
    build: Callable[..., Link] = kind  # each kind's own columns come in `about`
    invitation = build(
        email=email,
        nonce=secrets.token_urlsafe(32),
        expires_at=now + timedelta(days=days),
        invited_by_id=actor.id if actor else None,
        **about,
    )
    db.session.add(invitation)
    db.session.flush()
    return invitation


def revoke_all(invitations: Iterable[InvitationLink], now: datetime) -> None:
    for invitation in invitations:
        invitation.revoked_at = now


def url(purpose: str, invitation: InvitationLink, endpoint: str) -> str:
    """The emailed link: `endpoint` with a token signed for `purpose` naming the row."""
    token = make_token(purpose, {"id": invitation.id, "nonce": invitation.nonce})
    return external_url(endpoint, token=token)


def read(kind: type[Link], purpose: str, token: str, now: datetime | None = None) -> Link:
    """The invitation a link names, if it can still be used; else InvitationError."""
    now = now or utcnow()
    try:
        payload = read_token(purpose, token)
        invitation_id, nonce = int(payload["id"]), str(payload["nonce"])
    except (InvalidToken, KeyError, TypeError, ValueError) as exc:
        raise InvitationError(Problem.INVALID) from exc
    invitation = db.session.get(kind, invitation_id)
    if invitation is None or not secrets.compare_digest(invitation.nonce, nonce):
        raise InvitationError(Problem.INVALID)
    if invitation.used_at is not None:
        raise InvitationError(Problem.USED, invitation)
    if invitation.revoked_at is not None:
        raise InvitationError(Problem.REVOKED, invitation)
    if invitation.expires_at <= now:
        raise InvitationError(Problem.EXPIRED, invitation)
    return invitation
