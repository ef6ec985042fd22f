"""Hand work to Celery without letting a broker outage fail (or slow) the caller."""

from __future__ import annotations

import logging

from flask import current_app

log = logging.getLogger(__name__)

DELIVER_TASK = "eventhub.mail.deliver_due"
FOLLOW_UP_TASK = "eventhub.mail.create_follow_ups"


def _send(task: str) -> None:
    try:
        current_app.extensions["celery"].send_task(task, retry=False)
    except Exception:  # any broker error: the beat does the same work within a minute
        log.warning("broker unreachable; %s waits for the beat", task, exc_info=True)


def wake_follow_ups() -> None:
    """A recap was just published: queue its follow-ups now rather than at the next beat."""
    _send(FOLLOW_UP_TASK)


def wake_delivery() -> None:
    """Ask a worker to deliver now. If the broker is down the rows wait for the periodic sweep.

    Sent by name (no import of the task module, which imports the outbox) and without
    publish retries: the connect timeout in celery_app bounds how long a request can wait.
    """
    _send(DELIVER_TASK)
