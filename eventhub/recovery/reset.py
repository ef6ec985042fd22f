"""Password reset by email: a signed link valid one hour, usable once.

The link carries a fingerprint of the account's current password hash: setting a new password
changes the hash, so the link (and any other link sent earlier) stops working — single use
without a table of links.
"""

from __future__ import annotations

import hashlib
import secrets

from flask_babel import gettext as _

from eventhub.accounts.models import User
from eventhub.accounts.services import change_password, find_user
from eventhub.clock import utcnow
from eventhub.extensions import db
from eventhub.mail.account_messages import Addressee, queue_for_account
from eventhub.mail.dedupe import DedupeKey
from eventhub.mail.models import MessageKind
from eventhub.tokens import InvalidToken, make_token, read_token
from eventhub.urls import external_url

PURPOSE = "password-reset"
VALID_SECONDS = 3600


def _fingerprint(user: User) -> str:
    return hashlib.sha256((user.password_hash or "").encode()).hexdigest()[:20]


def reset_url(user: User) -> str:
    # The expiry is in the payload, on eventhub's clock (tests move it; itsdangerous' max_age
    # would read the system clock).
    expires = int(utcnow().timestamp()) + VALID_SECONDS
    token = make_token(PURPOSE, {"id": user.id, "fp": _fingerprint(user), "exp": expires})
    return external_url("recovery.password_reset_confirm", token=token)


def reset_key(user: User) -> DedupeKey:
    """ "password-reset:<user>:<nonce>": every request sends a link, however many."""
    return DedupeKey(PURPOSE, user.id, secrets.token_hex(8))


def request_reset(email: str) -> None:
    """Email a reset link if an enabled account has this address; say nothing either way."""
    user = find_user(email)
    if user is None or not user.is_enabled:
        return
    # The account's language, else the language the request for the link was made in.
    queue_for_account(
        Addressee(user.email, user.display_name, account=user),
        MessageKind.PASSWORD_RESET,
        "password_reset",
        reset_key(user),
        lambda: {
            "user": user,
            "series_title": "eventhub",
            "primary_url": reset_url(user),
            "primary_label": _("Choose a new password"),
        },
    )


def user_for(token: str) -> User | None:
    """The account a reset link is for, while it is under an hour old and unused."""
    try:
        payload = read_token(PURPOSE, token)
        user_id, fingerprint, expires = int(payload["id"]), str(payload["fp"]), int(payload["exp"])
    except (InvalidToken, KeyError, TypeError, ValueError):
        return None
    if expires <= utcnow().timestamp():
        return None
    user = db.session.get(User, user_id)
    if user is None or not user.is_enabled:
        return None
    if not secrets.compare_digest(_fingerprint(user), fingerprint):
        return None  # used already (the password changed since)
    return user


def reset(user: User, password: str) -> None:
    """Set the new password; every login of the account ends (AccountError if too weak)."""
    change_password(user, password)
