"""What organisers see of the outbox: counts by kind and status, failures, one person's mail."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select

from eventhub.extensions import db
from eventhub.mail.models import MessageKind, MessageStatus, OutboxMessage

STATUS_ORDER = [
    MessageStatus.QUEUED,
    MessageStatus.SENDING,
    MessageStatus.DEFERRED,
    MessageStatus.SENT,
    MessageStatus.FAILED,
    MessageStatus.SUPPRESSED,
]


@dataclass
class Counts:
    """status counts per kind, plus totals per status."""

    by_kind: dict[MessageKind, dict[MessageStatus, int]] = field(default_factory=dict)
    totals: dict[MessageStatus, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.totals.values())


def counts(*where: Any) -> Counts:
    rows = db.session.execute(
        select(OutboxMessage.kind, OutboxMessage.status, func.count())
        .where(*where)
        .group_by(OutboxMessage.kind, OutboxMessage.status)
    )
    by_kind: dict[MessageKind, dict[MessageStatus, int]] = defaultdict(dict)
    totals: dict[MessageStatus, int] = defaultdict(int)
    for kind, status, number in rows:
        by_kind[kind][status] = number
        totals[status] += number
    ordered = {k: by_kind[k] for k in MessageKind if k in by_kind}
    return Counts(by_kind=ordered, totals=dict(totals))


def counts_per_group(column: Any, ids: list[int]) -> dict[int, dict[MessageStatus, int]]:
    """Status counts for many series or sessions in one statement."""
    result: dict[int, dict[MessageStatus, int]] = {i: {} for i in ids}
    if not ids:
        return result
    rows = db.session.execute(
        select(column, OutboxMessage.status, func.count())
        .where(column.in_(ids))
        .group_by(column, OutboxMessage.status)
    )
    for group, status, number in rows:
        result[group][status] = number
    return result


def messages(*where: Any, limit: int = 100, offset: int = 0) -> list[OutboxMessage]:
    # The bodies stay unloaded: lists show headers of hundreds of rows.
    return list(
        db.session.scalars(
            select(OutboxMessage)
            .where(*where)
            .order_by(OutboxMessage.id.desc())
            .limit(limit)
            .offset(offset)
        )
    )


def count(*where: Any) -> int:
    return int(
        db.session.scalar(select(func.count()).select_from(OutboxMessage).where(*where)) or 0
    )
