"""Periodic registration work: seat offers that were not taken pass to the next person."""

from __future__ import annotations

import logging
from datetime import datetime

from celery import shared_task

from eventhub.clock import utcnow
from eventhub.extensions import db
from eventhub.registration import seats
from eventhub.registration.locking import begin_writer
from eventhub.scheduling.models import Session

log = logging.getLogger(__name__)


def pass_on_lapsed_offers(now: datetime | None = None) -> int:
    """Lapse every expired offer and offer or give the seat onwards; one commit per session.

    Safe to run twice or in two workers at once: each session is handled under its seat lock
    and only offers still expired at that moment are lapsed.
    """
    now = now or utcnow()
    session_ids = seats.sessions_with_lapsed_offers(now)
    db.session.commit()
    lapsed = 0
    for session_id in session_ids:
        begin_writer()
        session = db.session.get(Session, session_id)
        if session is None:
            db.session.rollback()
            continue
        lapsed += len(seats.lapse_offers(session, now))
        db.session.commit()
    return lapsed


@shared_task(name="eventhub.registration.pass_on_lapsed_offers", ignore_result=True)
def pass_on_lapsed_offers_task() -> int:
    """Beat entry point for pass_on_lapsed_offers."""
    count = pass_on_lapsed_offers()
    if count:
        log.info("passed on %d lapsed seat offers", count)
    return count
