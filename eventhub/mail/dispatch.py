"""Hand work to Celery without letting a broker outage fail (or slow) the caller.

Delivery wake-ups are coalesced where a Redis is configured: a sign-up that commits while a
wake-up is already pending sends no task of its own, because the pending `deliver_due` claims
every row committed before it starts. Ten thousand sign-ups in a minute thus queue a handful of
tasks instead of ten thousand (each of which cost the worker a claim, a commit and a new SMTP
connection, and queued a busy task's hand-on behind thousands of empty ones).
"""

from __future__ import annotations

import logging
from contextlib import suppress
from typing import Any

import redis
from flask import current_app

from eventhub.redis_direct import DirectConnection, Unavailable

log = logging.getLogger(__name__)

DELIVER_TASK = "eventhub.mail.deliver_due"
FOLLOW_UP_TASK = "eventhub.mail.create_follow_ups"

# Set while a deliver_due wake-up is queued and not yet started; deleted by the task as it starts.
WAKE_PENDING_KEY = "eventhub:mail:deliver-due-pending"
# A wake-up lost on the way (a worker killed before starting it) holds the key this long at most;
# the outbox sweep (every 30 s) delivers the rows meanwhile.
WAKE_PENDING_SECONDS = 30
_STORE = "eventhub.mail.wake_store"


def _send(task: str, **kwargs: Any) -> bool:
    try:
        current_app.extensions["celery"].send_task(task, kwargs=kwargs, retry=False)
    except Exception:  # any broker error: the beat does the same work within a minute
        log.warning("broker unreachable; %s waits for the beat", task, exc_info=True)
        return False
    return True


def wake_store() -> Any:
    """The Redis holding the pending wake-up (REDIS_URL, else a Redis broker), or None.

    The embedded default has neither: there every commit sends its own wake-up, as a
    development mailbox's trickle of sign-ups needs nothing more.
    """
    extensions = current_app.extensions
    if _STORE not in extensions:
        config = current_app.config
        broker = str(config.get("CELERY_BROKER_URL") or "")
        url = config.get("REDIS_URL") or (broker if broker.startswith("redis") else None)
        extensions[_STORE] = (
            redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2) if url else None
        )
    return extensions[_STORE]


def wake_follow_ups() -> None:
    """A recap was just published: queue its follow-ups now rather than at the next beat."""
    _send(FOLLOW_UP_TASK)


def wake_delivery(**kwargs: Any) -> None:
    """Ask a worker to deliver now, unless a wake-up is already pending (see the module doc).

    `kwargs` go to the task (`sibling=True`: woken by a task that found a backlog).

    If the broker is down the rows wait for the periodic sweep. Sent by name (no import of the
    task module, which imports the outbox) and without publish retries: the connect timeout in
    celery_app bounds how long a request can wait.
    """
    store = wake_store()
    if store is not None:
        try:
            if not _set_pending(store):
                return
        except redis.RedisError:
            log.warning("cannot coalesce the delivery wake-up; sending one", exc_info=True)
            store = None
    if not _send(DELIVER_TASK, **kwargs) and store is not None:
        # Nothing was queued: the next commit must try the broker again.
        with suppress(redis.RedisError):
            store.delete(WAKE_PENDING_KEY)


_direct = DirectConnection()


def _set_pending(store: Any) -> bool:
    """Mark a wake-up pending unless one is: True if this call set the mark (or cannot tell)."""
    if type(store) is not redis.Redis:  # a stand-in or a cluster: through the client
        return bool(store.set(WAKE_PENDING_KEY, 1, nx=True, ex=WAKE_PENDING_SECONDS))
    try:
        # Every sign-up's commit asks this once: on the thread's own connection (redis_direct).
        reply = _direct.execute(store, "SET", WAKE_PENDING_KEY, 1, "NX", "EX", WAKE_PENDING_SECONDS)
    except Unavailable:
        # The mark may have been set before the connection failed: wake anyway (an extra
        # wake-up costs one empty task; a missed one, rows waiting for the sweep).
        log.warning("cannot coalesce the delivery wake-up; sending one", exc_info=True)
        return True
    return reply is not None


def delivery_woken() -> None:
    """A deliver_due task starts: later commits must wake another one.

    Called before the task's first claim, so a row committed before this is claimed by this
    task, and a row committed after it sends a new wake-up: none is left waiting.
    """
    store = wake_store()
    if store is not None:
        with suppress(redis.RedisError):
            store.delete(WAKE_PENDING_KEY)
