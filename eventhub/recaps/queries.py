"""Which sessions have a published recap, for cards that offer "Read more"."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from eventhub.extensions import db
from eventhub.recaps.models import Recap


def published_recap_session_ids(session_ids: Iterable[int]) -> set[int]:
    ids = list(session_ids)
    if not ids:
        return set()
    query = select(Recap.session_id).where(
        Recap.session_id.in_(ids), Recap.published_at.is_not(None)
    )
    return set(db.session.scalars(query))
