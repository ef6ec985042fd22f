"""Series memberships: one row per (series, organiser) with the role held there."""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventhub.accounts.invitation_links import InvitationLink
from eventhub.extensions import Model
from eventhub.models_base import Timestamped, str_enum

if TYPE_CHECKING:
    from eventhub.accounts.models import User
    from eventhub.scheduling.models import Series


class MemberRole(enum.StrEnum):
    OWNER = "owner"
    EDITOR = "editor"
    VIEWER = "viewer"

    @property
    def rank(self) -> int:
        """Higher ranks include everything lower ranks may do."""
        return _RANKS[self]


_RANKS = {MemberRole.VIEWER: 1, MemberRole.EDITOR: 2, MemberRole.OWNER: 3}


class Membership(Timestamped, Model):
    __tablename__ = "series_memberships"

    id: Mapped[int] = mapped_column(primary_key=True)
    series_id: Mapped[int] = mapped_column(ForeignKey("series.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[MemberRole] = mapped_column(str_enum(MemberRole, "member_role"))

    series: Mapped[Series] = relationship()
    user: Mapped[User] = relationship()

    __table_args__ = (UniqueConstraint("series_id", "user_id", name="one_membership_per_series"),)

    def __repr__(self) -> str:
        return f"<Membership series={self.series_id} user={self.user_id} {self.role}>"


class MemberInvitation(InvitationLink, Timestamped, Model):
    """An emailed invitation to join a series; the signed link names this row (single use)."""

    __tablename__ = "member_invitations"

    series_id: Mapped[int] = mapped_column(ForeignKey("series.id", ondelete="CASCADE"), index=True)
    role: Mapped[MemberRole] = mapped_column(str_enum(MemberRole, "invitation_role"))

    series: Mapped[Series] = relationship()
