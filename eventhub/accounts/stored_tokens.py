"""Random tokens handed to a browser or a script and stored only as their SHA-256: a copied
table reveals no usable login, pending login or API token."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from eventhub.accounts.models import LoginSession, PendingLogin, User
from eventhub.clock import utcnow
from eventhub.extensions import db


def digest(token: str) -> str:
    """What the table stores (and is searched by) for a token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue(
    kind: type[LoginSession] | type[PendingLogin],
    user: User,
    *,
    remember: bool,
    lifetime: timedelta,
) -> str:
    """Add a `kind` row for `user` living `lifetime`; return its token (only its hash is kept)."""
    token = secrets.token_urlsafe(32)
    db.session.add(
        kind(
            user_id=user.id,
            token_hash=digest(token),
            is_remembered=remember,
            expires_at=utcnow() + lifetime,
        )
    )
    db.session.flush()
    return token
