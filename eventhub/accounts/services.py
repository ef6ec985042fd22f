"""Account rules: creating organisers, authenticating, API tokens."""

from __future__ import annotations

import hashlib
import secrets

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select

from eventhub.accounts.models import ApiToken, Role, User
from eventhub.clock import utcnow
from eventhub.extensions import db

MIN_PASSWORD_LENGTH = 10
TOKEN_PREFIX = "ehp_"  # noqa: S105 (a visible prefix, not a secret)


class AccountError(Exception):
    """A refused account operation; the message is meant for the user."""


def normalise_email(raw: str) -> str:
    try:
        result = validate_email(raw.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise AccountError(str(exc)) from exc
    return result.normalized.lower()


def password_problem(password: str, *, email: str = "") -> str | None:
    """Why a password is too weak, or None. Length beats composition rules (NIST 800-63B)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Use at least {MIN_PASSWORD_LENGTH} characters."
    if len(set(password)) < 4:
        return "Use more than a few different characters."
    lowered = password.lower()
    local = email.split("@")[0].lower()
    if local and len(local) >= 3 and local in lowered:
        return "Do not use your email address in the password."
    if lowered in _COMMON:
        return "That password is too common."
    return None


_COMMON = {
    "password123",
    "1234567890",
    "qwertyuiop",
    "password12",
    "iloveyou12",
    "letmein123",
    "welcome123",
    "administrator",
    "passw0rd123",
    "0123456789",
}


def find_user(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def create_organiser(
    email: str, password: str, display_name: str = "", *, is_admin: bool = False
) -> User:
    address = normalise_email(email)
    if find_user(address) is not None:
        raise AccountError(f"An account for {address} already exists.")
    problem = password_problem(password, email=address)
    if problem:
        raise AccountError(problem)
    user = User(email=address, display_name=display_name, role=Role.ORGANISER, is_admin=is_admin)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def authenticate(email: str, password: str) -> User | None:
    user = find_user(email)
    if user is None or not user.is_enabled or not user.check_password(password):
        return None
    user.last_login_at = utcnow()
    return user


def change_password(user: User, password: str) -> None:
    """Set a new password (AccountError when too weak)."""
    problem = password_problem(password, email=user.email)
    if problem:
        raise AccountError(problem)
    user.set_password(password)
    db.session.flush()


def disable_account(user: User) -> None:
    """Refuse this account from now on: logins and API tokens end."""
    user.is_enabled = False
    revoke_api_tokens(user)


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_api_token(user: User, name: str = "") -> str:
    """Create a personal access token and return it; only its hash is kept."""
    if not user.is_organiser:
        raise AccountError("Only organisers can have API tokens.")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    db.session.add(ApiToken(user=user, name=name, token_hash=_hash_token(token)))
    db.session.flush()
    return token


def user_for_token(token: str) -> User | None:
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _hash_token(token)))
    if row is None or row.revoked_at is not None or not row.user.is_enabled:
        return None
    row.last_used_at = utcnow()
    return row.user


def revoke_api_tokens(user: User, name: str | None = None) -> int:
    count = 0
    for token in user.tokens:
        if token.revoked_at is None and (name is None or token.name == name):
            token.revoked_at = utcnow()
            count += 1
    db.session.flush()
    return count
