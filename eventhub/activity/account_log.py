"""Account-level entries: what someone did to their own sign-in (second factor, API tokens).

These belong to no series, so the request recorder (which writes one entry per series touched)
never sees them; the boundary that makes the change adds the entry to the same transaction,
so a rolled-back change leaves none. Secrets, codes and token values never go in. accounts/ sits
below this package and tells it through the `account_action` signal; the domains above call
`record` directly.
"""

from __future__ import annotations

from typing import Any, Protocol

from sqlalchemy import select

from eventhub import signals
from eventhub.activity.models import ActivityEntry
from eventhub.extensions import db


class Actor(Protocol):
    id: int
    email: str


def record(actor: Actor | None, action: str, target: str, **changes: Any) -> ActivityEntry:
    """Add an installation-level entry (series_id NULL) for an account action; no commit."""
    entry = ActivityEntry(
        series_id=None,
        actor_id=None if actor is None else actor.id,
        actor_email="" if actor is None else actor.email,
        action=action,
        target=target[:300],
        changes={key: [None, value] for key, value in changes.items()},
    )
    db.session.add(entry)
    return entry


def _on_account_action(
    actor: Actor | None, *, action: str, target: str, changes: dict[str, Any] | None = None
) -> None:
    record(actor, action, target, **(changes or {}))


def connect() -> None:
    signals.account_action.connect(_on_account_action)


def recent_for(actor_id: int, actions: tuple[str, ...], limit: int = 20) -> list[ActivityEntry]:
    """The newest account entries about one person's own sign-in, for their security page."""
    return list(
        db.session.scalars(
            select(ActivityEntry)
            .where(
                ActivityEntry.series_id.is_(None),
                ActivityEntry.actor_id == actor_id,
                ActivityEntry.action.in_(actions),
            )
            .order_by(ActivityEntry.id.desc())
            .limit(limit)
        )
    )
