"""Account rules: creating organisers, authenticating, API tokens."""

from __future__ import annotations

import secrets
from datetime import datetime
from functools import cache

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash
from zxcvbn import zxcvbn

from eventhub.accounts import sessions, stored_tokens
from eventhub.accounts.models import ApiToken, Role, TokenScope, User
from eventhub.clock import utcnow
from eventhub.error_phrases import N_
from eventhub.extensions import db
from eventhub.i18n import is_chinese
from eventhub.refusal import Refusal

MIN_PASSWORD_LENGTH = 10
# zxcvbn's cost grows with length; nobody types more than this.
MAX_PASSWORD_LENGTH = 200
# zxcvbn scores 0-4; 3 means "safely unguessable" against an offline attack on a slow hash.
MIN_PASSWORD_SCORE = 3
TOKEN_PREFIX = "ehp_"  # noqa: S105 (a visible prefix, not a secret)


class AccountError(Refusal):
    """A refused account operation; the message is meant for the user."""


def normalise_email(raw: str) -> str:
    try:
        result = validate_email(raw.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise AccountError(str(exc)) from exc
    return result.normalized.lower()


def password_problem(password: str, *, email: str = "") -> str | None:
    """Why a password is too weak, or None: length first (NIST 800-63B), then zxcvbn's estimate
    of how fast it falls to a guessing attack that knows common passwords, words and dates."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return _("Use at least %(count)s characters.", count=MIN_PASSWORD_LENGTH)
    if len(password) > MAX_PASSWORD_LENGTH:
        return _("Use at most %(count)s characters.", count=MAX_PASSWORD_LENGTH)
    local = email.split("@")[0].lower()
    if local and len(local) >= 3 and local in password.lower():
        return _("Do not use your email address in the password.")
    estimate = zxcvbn(password, user_inputs=[email, local, "eventhub", "webinar"])
    if estimate["score"] < MIN_PASSWORD_SCORE:
        # zxcvbn explains in English only; other readers get the general reason.
        warning = "" if is_chinese() else estimate["feedback"].get("warning")
        return _(
            "%(warning)s Try a few uncommon words together.",
            warning=warning or _("That password is easy to guess."),
        )
    return None


def find_user(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def create_organiser(
    email: str, password: str, display_name: str = "", *, is_admin: bool = False
) -> User:
    address = normalise_email(email)
    if find_user(address) is not None:
        raise AccountError(_("An account for %(email)s already exists.", email=address))
    return new_account(
        address, password, role=Role.ORGANISER, display_name=display_name, is_admin=is_admin
    )


def new_account(
    address: str, password: str, *, role: Role, display_name: str = "", is_admin: bool = False
) -> User:
    """Create an account with this password (AccountError if it is too weak). The caller has
    checked that no account holds the address, and says so in its own words when one does."""
    _require_strong(password, address)
    user = User(email=address, display_name=display_name, role=role, is_admin=is_admin)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def _require_strong(password: str, email: str) -> None:
    problem = password_problem(password, email=email)
    if problem:
        raise AccountError(problem)


@cache
def _stand_in_hash() -> str:
    # A hash with the same method and cost as real ones, for addresses without an account.
    return generate_password_hash(secrets.token_hex(16))


def authenticate(email: str, password: str) -> User | None:
    """The user for this email and password, or None; the same hashing work either way, so the
    time taken does not tell which addresses have accounts."""
    user = find_user(email)
    if user is None or user.password_hash is None:
        check_password_hash(_stand_in_hash(), password)
        return None
    if not user.check_password(password) or not user.is_enabled:
        return None
    if not user.has_second_factor:
        user.last_login_at = utcnow()  # with a second factor, only once the code is given
    return user


def change_password(user: User, password: str) -> None:
    """Set a new password; every existing login of the account ends."""
    _require_strong(password, user.email)
    user.set_password(password)
    sessions.revoke_all(user)
    db.session.flush()


def disable_account(user: User) -> None:
    """Refuse this account from now on: logins, remembered browsers and API tokens end."""
    user.is_enabled = False
    sessions.revoke_all(user)
    revoke_api_tokens(user)


def create_api_token(
    user: User,
    name: str = "",
    *,
    scope: TokenScope = TokenScope.WRITE,
    expires_at: datetime | None = None,
) -> str:
    """Create a personal access token and return it; only its hash is kept."""
    if not user.is_organiser:
        raise AccountError(_("Only organisers can have API tokens."))
    if expires_at is not None and expires_at <= utcnow():
        raise AccountError(N_("The expiry date must be in the future."))
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    db.session.add(
        ApiToken(
            user=user,
            name=name,
            token_hash=stored_tokens.digest(token),
            scope=scope.value,
            expires_at=expires_at,
        )
    )
    db.session.flush()
    return token


def api_token(token: str) -> ApiToken | None:
    """The live token row for a presented token (its last use noted), or None: unknown,
    revoked, expired, or its account disabled."""
    row = db.session.scalar(
        select(ApiToken).where(ApiToken.token_hash == stored_tokens.digest(token))
    )
    now = utcnow()
    if row is None or not row.is_live(now) or not row.user.is_enabled:
        return None
    row.last_used_at = now
    return row


def user_for_token(token: str) -> User | None:
    row = api_token(token)
    return None if row is None else row.user


def tokens_of(user: User) -> list[ApiToken]:
    """A user's tokens, newest first (revoked and expired ones too, marked as such)."""
    return list(
        db.session.scalars(
            select(ApiToken)
            .where(ApiToken.user_id == user.id)
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        )
    )


def revoke_api_token(user: User, token_id: int) -> ApiToken | None:
    """Revoke one of the user's own tokens; None when it is not theirs or already revoked."""
    row = db.session.get(ApiToken, token_id)
    if row is None or row.user_id != user.id or row.revoked_at is not None:
        return None
    row.revoked_at = utcnow()
    db.session.flush()
    return row


def revoke_api_tokens(user: User, name: str | None = None) -> int:
    count = 0
    for token in user.tokens:
        if token.revoked_at is None and (name is None or token.name == name):
            token.revoked_at = utcnow()
            count += 1
    db.session.flush()
    return count


def remember_language(user: User, tag: str) -> None:
    """The switcher's choice follows the account to other devices."""
    user.language = tag
    db.session.flush()
