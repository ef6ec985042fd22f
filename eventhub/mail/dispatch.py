"""Hand work to Celery without letting a broker outage fail the caller."""

from __future__ import annotations

import logging

from eventhub.mail.tasks import deliver_due

log = logging.getLogger(__name__)


def wake_delivery() -> None:
    """Ask a worker to deliver now. If the broker is down the rows wait for the sweep."""
    try:
        deliver_due.apply_async(retry=False)
    except Exception:  # any broker error: the outbox row is already committed
        log.warning("broker unreachable; outbox rows wait for the periodic sweep", exc_info=True)
