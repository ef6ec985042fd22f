"""Leaving a series' news: an Unsubscribe row the mail domain honours for series mail."""

from __future__ import annotations

from sqlalchemy import select, update

from eventhub.extensions import db
from eventhub.mail.models import Unsubscribe
from eventhub.registration.models import Registration
from eventhub.scheduling.models import Session


def unsubscribe(series_id: int, email: str) -> bool:
    """Record the opt-out (idempotent); returns False if it was already recorded."""
    exists = db.session.scalar(
        select(Unsubscribe.id).where(Unsubscribe.series_id == series_id, Unsubscribe.email == email)
    )
    # Their consent to hear about future sessions goes with it.
    db.session.execute(
        update(Registration)
        .where(
            Registration.email == email,
            Registration.session_id.in_(select(Session.id).where(Session.series_id == series_id)),
        )
        .values(is_marketing_consent=False)
        .execution_options(synchronize_session=False)
    )
    if exists is not None:
        return False
    db.session.add(Unsubscribe(series_id=series_id, email=email))
    db.session.flush()
    return True


def is_unsubscribed(series_id: int, email: str) -> bool:
    return (
        db.session.scalar(
            select(Unsubscribe.id).where(
                Unsubscribe.series_id == series_id, Unsubscribe.email == email
            )
        )
        is not None
    )
