"""The second factor: TOTP (RFC 6238) codes from an authenticator app, and recovery codes.

The secret is kept encrypted (Fernet, key derived from SECRET_KEY) so a copy of the database
alone does not yield it; it is shown only while enrolling. A code is accepted for the current
30-second step or one step either side (clock drift), and the step it was accepted for is
stored: the same code, or an older one, is refused afterwards even within its window. Recovery
codes are 80 random bits each, stored as SHA-256 (enough against guessing at that length) and
spent by a conditional UPDATE, so two requests cannot both use one.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from datetime import datetime

import pyotp
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app
from sqlalchemy import delete, func, or_, select, update

from eventhub.accounts.models import RecoveryCode, User
from eventhub.clock import utcnow
from eventhub.error_phrases import N_
from eventhub.extensions import db
from eventhub.refusal import Refusal

ISSUER = "eventhub"
STEP_SECONDS = 30
DRIFT_STEPS = 1  # accept the previous and the next step too: phones' clocks drift
RECOVERY_CODE_COUNT = 10
# Lower-case base32: no 0/1/8/9 to confuse with o/l/b/g; 16 characters carry 80 bits.
RECOVERY_ALPHABET = "abcdefghijklmnopqrstuvwxyz234567"
RECOVERY_LENGTH = 16


class SecondFactorError(Refusal):
    """A refused second-factor operation; the message (a catalog msgid) is for the user."""


def _fernet() -> Fernet:
    # A key of its own, derived from SECRET_KEY, so the signing key is never used to encrypt.
    material = str(current_app.config["SECRET_KEY"]).encode("utf-8")
    key = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"eventhub totp secret"
    ).derive(material)
    return Fernet(base64.urlsafe_b64encode(key))


def _secret(user: User) -> str | None:
    if user.totp_secret is None:
        return None
    try:
        return _fernet().decrypt(user.totp_secret.encode("ascii")).decode("ascii")
    except InvalidToken:
        # SECRET_KEY changed since enrolment: the secret is lost; recovery codes still work.
        return None


def _step(now: datetime) -> int:
    return int(now.timestamp()) // STEP_SECONDS


def start_enrolment(user: User) -> str:
    """Give the user a new secret to add to their app (not in force until confirmed)."""
    if user.has_second_factor:
        raise SecondFactorError(N_("Two-factor sign-in is already on."))
    secret = pyotp.random_base32()
    user.totp_secret = _fernet().encrypt(secret.encode("ascii")).decode("ascii")
    user.totp_last_step = None
    db.session.flush()
    return secret


def pending_secret(user: User) -> str | None:
    """The secret being enrolled, to show on the enrolment page; None once it is in force."""
    return None if user.has_second_factor else _secret(user)


def provisioning_uri(user: User, secret: str) -> str:
    """The otpauth:// URI an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def _digits(code: str) -> str:
    return re.sub(r"\s", "", code)


def verify_code(user: User, code: str) -> bool:
    """Whether `code` is a TOTP code of the user's secret not accepted before; spends it."""
    secret = _secret(user)
    code = _digits(code)
    if secret is None or not re.fullmatch(r"\d{6}", code):
        return False
    totp = pyotp.TOTP(secret)
    now = _step(utcnow())
    for step in range(now - DRIFT_STEPS, now + DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            # Only a step later than the last accepted one; the WHERE makes this atomic.
            spent = db.session.execute(
                update(User)
                .where(
                    User.id == user.id,
                    or_(User.totp_last_step.is_(None), User.totp_last_step < step),
                )
                .values(totp_last_step=step)
                .execution_options(synchronize_session="fetch")
            )
            return int(getattr(spent, "rowcount", 0) or 0) == 1
    return False


def confirm_enrolment(user: User, code: str) -> list[str]:
    """Switch the second factor on with a current code; returns the first recovery codes."""
    if user.has_second_factor:
        raise SecondFactorError(N_("Two-factor sign-in is already on."))
    if not verify_code(user, code):
        raise SecondFactorError(
            N_("That code is not right. Check the app shows eventhub and try the newest code.")
        )
    user.totp_enabled_at = utcnow()
    return new_recovery_codes(user)


def disable(user: User, proof: str) -> None:
    """Switch the second factor off, given a current code or the password."""
    if not user.has_second_factor:
        raise SecondFactorError(N_("Two-factor sign-in is not on."))
    if not (verify_code(user, proof) or user.check_password(proof)):
        raise SecondFactorError(N_("That is neither a current code nor your password."))
    reset(user)


def reset(user: User) -> None:
    """Forget the secret and the recovery codes (disable, or an operator's reset)."""
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.flush()


def _hash_recovery(code: str) -> str:
    return hashlib.sha256(_normalise_recovery(code).encode("ascii", "ignore")).hexdigest()


def _normalise_recovery(code: str) -> str:
    return re.sub(r"[\s-]", "", code).lower()


def _format(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def new_recovery_codes(user: User) -> list[str]:
    """Replace the user's recovery codes with fresh ones; returned once, stored hashed."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [
        _format("".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_LENGTH)))
        for _ in range(RECOVERY_CODE_COUNT)
    ]
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=_hash_recovery(c)) for c in codes)
    db.session.flush()
    return codes


def use_recovery_code(user: User, code: str) -> bool:
    """Spend one unused recovery code of the user's; False when it is unknown or spent."""
    if len(_normalise_recovery(code)) != RECOVERY_LENGTH:
        return False
    spent = db.session.execute(
        update(RecoveryCode)
        .where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == _hash_recovery(code),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return int(getattr(spent, "rowcount", 0) or 0) == 1


def recovery_codes_left(user: User) -> int:
    return int(
        db.session.scalar(
            select(func.count())
            .select_from(RecoveryCode)
            .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
        )
        or 0
    )


def check(user: User, code: str) -> str | None:
    """Which second factor `code` proved ("totp" or "recovery_code"), spending it; or None."""
    if not user.has_second_factor:
        return None
    if verify_code(user, code):
        return "totp"
    if use_recovery_code(user, code):
        return "recovery_code"
    return None
