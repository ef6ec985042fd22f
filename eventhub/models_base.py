"""Mixins shared by the domain models."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, Enum
from sqlalchemy.orm import Mapped, mapped_column

from eventhub.clock import utcnow
from eventhub.db_types import UTCDateTime


class Timestamped:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), default=utcnow, onupdate=utcnow, nullable=False
    )


class Ordered:
    """A row in an order among its siblings (a session's speakers, a recap's sections, a form's
    questions): `position` counts from 0 and is never negative."""

    position: Mapped[int] = mapped_column(
        CheckConstraint("position >= 0", name="position_non_negative"), default=0
    )


def str_enum(enum_cls: type[enum.StrEnum], name: str) -> Enum:
    """A portable enum column: VARCHAR plus a CHECK constraint (no native PG type to migrate)."""
    return Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=max(len(m.value) for m in enum_cls) + 8,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )
