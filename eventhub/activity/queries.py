"""Reading the activity of a series: newest first, filtered, a page at a time."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from eventhub.activity.models import ActivityEntry
from eventhub.extensions import db


@dataclass(frozen=True)
class Page:
    items: list[ActivityEntry]
    next_before: int | None


def entries(
    series_id: int,
    *,
    action: str = "",
    actor: str = "",
    before_id: int | None = None,
    limit: int = 50,
) -> Page:
    """Entries older than `before_id` (the cursor), newest first; `limit` + 1 tells if more."""
    statement = select(ActivityEntry).where(ActivityEntry.series_id == series_id)
    if action:
        statement = statement.where(ActivityEntry.action.contains(action))
    if actor:
        statement = statement.where(ActivityEntry.actor_email == actor.strip().lower())
    if before_id is not None:
        statement = statement.where(ActivityEntry.id < before_id)
    rows = list(db.session.scalars(statement.order_by(ActivityEntry.id.desc()).limit(limit + 1)))
    page = rows[:limit]
    return Page(items=page, next_before=page[-1].id if len(rows) > limit and page else None)


def actions(series_id: int) -> list[str]:
    """The actions recorded for a series, for the filter's choices."""
    return list(
        db.session.scalars(
            select(ActivityEntry.action)
            .where(ActivityEntry.series_id == series_id)
            .distinct()
            .order_by(ActivityEntry.action)
        )
    )
