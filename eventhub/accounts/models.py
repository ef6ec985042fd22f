"""Users and their personal access tokens."""

from __future__ import annotations

import enum
from datetime import datetime

from flask import g
from flask_login import UserMixin
from sqlalchemy import ForeignKey, String
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


class ApiToken(Timestamped, Model):
    """A personal access token; only its SHA-256 is stored, the token is shown once."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship(back_populates="tokens")


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
