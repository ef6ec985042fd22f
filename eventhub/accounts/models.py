"""Users, their personal access tokens, second factors and logins."""

from __future__ import annotations

import enum
from datetime import datetime

from flask import g
from flask_login import UserMixin
from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from eventhub.clock import utcnow
from eventhub.db_types import UTCDateTime
from eventhub.extensions import Model
from eventhub.models_base import Timestamped, str_enum


class Role(enum.StrEnum):
    ORGANISER = "organiser"
    SPEAKER = "speaker"


class User(UserMixin, Timestamped, Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str | None] = mapped_column(String(256))
    role: Mapped[Role] = mapped_column(str_enum(Role, "user_role"))
    is_enabled: Mapped[bool] = mapped_column(default=True)
    # An installation admin sees and manages every series and every account.
    is_admin: Mapped[bool] = mapped_column(default=False)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The switcher's choice, remembered across devices ("en" / "zh-Hant"; None: not chosen).
    language: Mapped[str | None] = mapped_column(String(16))
    # The TOTP secret, encrypted with a key derived from SECRET_KEY (accounts.totp); set when
    # enrolment starts, in force only once confirmed with a code (totp_enabled_at).
    totp_secret: Mapped[str | None] = mapped_column(String(255))
    totp_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The last 30-second time step whose code was accepted: a code is never accepted twice.
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)

    tokens: Mapped[list[ApiToken]] = relationship(back_populates="user")

    def get_id(self) -> str:
        # Flask-Login keeps this in the session cookie and the remember-me cookie: the random
        # token of this login (see accounts.sessions), never the guessable, permanent user id.
        token: str | None = g.get("login_token")
        if token is None or g.get("login_user_id") != self.id:
            raise RuntimeError("log users in through eventhub.accounts.sessions.start")
        return token

    # UserMixin compares get_id(); one row is one object in the session's identity map.
    def __eq__(self, other: object) -> bool:
        return self is other

    def __hash__(self) -> int:
        return object.__hash__(self)

    @property
    def is_active(self) -> bool:  # Flask-Login refuses disabled accounts through this.
        return self.is_enabled

    @property
    def has_second_factor(self) -> bool:
        return self.totp_enabled_at is not None

    @property
    def is_organiser(self) -> bool:
        return self.role is Role.ORGANISER

    @property
    def is_speaker(self) -> bool:
        return self.role is Role.SPEAKER

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return self.password_hash is not None and check_password_hash(self.password_hash, password)

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role.value}>"


class TokenScope(enum.StrEnum):
    READ = "read"  # GET only
    WRITE = "write"  # everything the user's roles allow


class ApiToken(Timestamped, Model):
    """A personal access token; only its SHA-256 is stored, the token is shown once."""

    __tablename__ = "api_tokens"
    __table_args__ = (CheckConstraint("scope IN ('read', 'write')", name="token_scope"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    scope: Mapped[str] = mapped_column(String(16), default=TokenScope.WRITE.value)
    # None: never expires (tokens made before expiry existed, and the CLI's default).
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship(back_populates="tokens")

    def is_live(self, now: datetime) -> bool:
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


class LoginSession(Model):
    """One login (a browser): only its token's SHA-256 is stored; revoking ends it everywhere."""

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    is_remembered: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class RecoveryCode(Model):
    """A single-use code that stands in for a TOTP code; only its SHA-256 is stored."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class PendingLogin(Model):
    """A password accepted, the second factor not yet: not a login. The browser holds the
    random token; attempts are counted here, where a replayed cookie cannot reset them."""

    __tablename__ = "pending_logins"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    is_remembered: Mapped[bool] = mapped_column(default=False)
    failed_attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
