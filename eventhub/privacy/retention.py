"""Retention: personal data of a finished series goes `EVENTHUB_RETENTION_DAYS` after its end.

A series is finished when its last session (whatever its status) ended more than that many
days ago; a series with a session still ahead, or with none, keeps its registrations.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from eventhub.extensions import db
from eventhub.privacy.erasure import erase_series
from eventhub.registration import erasure as registration_erasure
from eventhub.scheduling.models import Session


def finished_series_ids(cutoff: datetime) -> list[int]:
    """Series whose last session ended before `cutoff`."""
    last_end: dict[int, datetime] = {}
    rows = db.session.execute(
        select(Session.series_id, Session.starts_at, Session.duration_minutes)
    )
    for series_id, starts_at, minutes in rows:
        end = starts_at + timedelta(minutes=minutes)
        if series_id not in last_end or end > last_end[series_id]:
            last_end[series_id] = end
    return sorted(sid for sid, end in last_end.items() if end < cutoff)


def apply_retention(now: datetime, days: int | None) -> int:
    """Erase registrations of every series finished `days` ago; one commit per series.

    Returns how many registrations were anonymised. Safe to run twice or in two workers:
    an erased registration is not found again.
    """
    if days is None:
        return 0
    series_ids = finished_series_ids(now - timedelta(days=days))
    erased = 0
    for series_id in series_ids:
        if not _holds_personal_data(series_id):
            continue
        erased += erase_series(series_id).registrations
        db.session.commit()
    db.session.commit()
    return erased


def _holds_personal_data(series_id: int) -> bool:
    found = registration_erasure.find(None, [series_id])
    return bool(found.registration_ids or found.series_registration_ids)
