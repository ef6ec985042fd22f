"""Erased people leave the activity log too: entries keep what was done, not to whom."""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import Any

from sqlalchemy import Text, cast, func, or_, select

from eventhub.activity.models import ActivityEntry
from eventhub.extensions import db

PLACEHOLDER = "[erased]"


def _replace(value: Any, pattern: re.Pattern[str]) -> Any:
    if isinstance(value, str):
        return pattern.sub(PLACEHOLDER, value)
    if isinstance(value, list):
        return [_replace(v, pattern) for v in value]
    if isinstance(value, dict):
        return {_replace(k, pattern): _replace(v, pattern) for k, v in value.items()}
    return value


def forget(
    addresses: Collection[str], names: Collection[str], series_ids: Collection[int] | None
) -> int:
    """Replace the addresses (and, in the same entries, the names) with a placeholder.

    Names alone are too common to look for everywhere; they are replaced only in entries
    that name one of the addresses. Returns how many entries changed.
    """
    addresses = [a for a in addresses if a]
    if not addresses:
        return 0
    text = func.lower(ActivityEntry.target + cast(ActivityEntry.changes, Text))
    statement = select(ActivityEntry).where(or_(*(text.contains(a) for a in addresses)))
    if series_ids is not None:
        statement = statement.where(ActivityEntry.series_id.in_(series_ids))
    words = [re.escape(w) for w in [*addresses, *(n for n in names if len(n.strip()) > 1)]]
    pattern = re.compile("|".join(sorted(words, key=len, reverse=True)), re.IGNORECASE)
    changed = 0
    for entry in db.session.scalars(statement):
        entry.target = _replace(entry.target, pattern)
        entry.changes = _replace(entry.changes, pattern)
        changed += 1
    db.session.flush()
    return changed
