"""Leaving a series' news: one function, whichever page or link the person used."""

from __future__ import annotations

from sqlalchemy import func, select, update

from eventhub.extensions import db
from eventhub.mail.models import Unsubscribe
from eventhub.mail.suppress import suppress_pending_series_mail
from eventhub.registration.models import Registration
from eventhub.scheduling.models import Session


def _is_recorded(series_id: int, address: str) -> bool:
    found = db.session.scalar(
        select(Unsubscribe.id).where(
            Unsubscribe.series_id == series_id, Unsubscribe.email == address
        )
    )
    return found is not None


def unsubscribe(series_id: int, email: str) -> bool:
    """The one way to leave a series' news, from the manage page or an email's link.

    Records the wish under the lower-cased address (idempotent; True if it is new), clears
    the marketing consent of every registration of that address in the series (so the
    organiser's export says the same whichever way was used), and suppresses series mail
    still queued for it.
    """
    address = email.strip().lower()
    db.session.execute(
        update(Registration)
        .where(
            func.lower(Registration.email) == address,
            Registration.session_id.in_(select(Session.id).where(Session.series_id == series_id)),
        )
        .values(is_marketing_consent=False)
        .execution_options(synchronize_session=False)
    )
    suppress_pending_series_mail(series_id, address)
    if _is_recorded(series_id, address):
        return False
    db.session.add(Unsubscribe(series_id=series_id, email=address))
    db.session.flush()
    return True
