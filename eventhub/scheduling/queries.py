"""Reads of scheduling's tables that the domains above share."""

from __future__ import annotations

from sqlalchemy import Select, select

from eventhub.scheduling.models import Session


def others_in_series(session: Session) -> Select[Session]:
    """The other sessions of `session`'s series, for the caller to narrow, order and load."""
    return select(Session).where(Session.series_id == session.series_id, Session.id != session.id)
