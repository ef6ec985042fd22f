"""Hand work to Celery without letting a broker outage fail (or slow) the caller."""

from __future__ import annotations

import logging

from flask import current_app

log = logging.getLogger(__name__)

DELIVER_TASK = "eventhub.mail.deliver_due"


def wake_delivery() -> None:
    """Ask a worker to deliver now. If the broker is down the rows wait for the periodic sweep.

    Sent by name (no import of the task module, which imports the outbox) and without
    publish retries: the connect timeout in celery_app bounds how long a request can wait.
    """
    try:
        current_app.extensions["celery"].send_task(DELIVER_TASK, retry=False)
    except Exception:  # any broker error: the outbox row is already committed
        log.warning("broker unreachable; outbox rows wait for the periodic sweep", exc_info=True)
