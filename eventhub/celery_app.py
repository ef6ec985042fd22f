"""Celery wired the Flask-documented way: every task runs inside the app context."""

from __future__ import annotations

from typing import Any

from celery import Celery, Task
from celery.schedules import crontab
from flask import Flask

from eventhub import worker_priority
from eventhub.database import writes_expected
from eventhub.extensions import db

# Modules whose @shared_task functions the worker must import.
TASK_MODULES = (
    "eventhub.mail.tasks",
    "eventhub.emails.tasks",
    "eventhub.scheduling.tasks",
    "eventhub.registration.tasks",
    "eventhub.privacy.tasks",
)

# Periodic work. Scheduled work is data: these sweeps look at rows and are safe to run twice.
EVERY_MINUTE = crontab(minute="*")

BEAT_SCHEDULE: dict[str, dict[str, Any]] = {
    # With the 60 s delivery lease: a dead worker's rows go out again within 90 s.
    "sweep-outbox": {"task": "eventhub.mail.sweep_outbox", "schedule": 30.0},
    "end-past-sessions": {"task": "eventhub.scheduling.end_past_sessions", "schedule": 300.0},
    # At second 0 of every minute, not every 60 s from whenever beat started: a reminder due
    # at 14:28 is queued at 14:28:00, not up to a minute later.
    "create-reminders": {"task": "eventhub.mail.create_reminders", "schedule": EVERY_MINUTE},
    "create-follow-ups": {"task": "eventhub.mail.create_follow_ups", "schedule": EVERY_MINUTE},
    "pass-on-lapsed-seat-offers": {
        "task": "eventhub.registration.pass_on_lapsed_offers",
        "schedule": 300.0,
    },
    # Erases registrations of series finished EVENTHUB_RETENTION_DAYS ago (none when unset).
    "apply-retention": {"task": "eventhub.privacy.apply_retention", "schedule": crontab(minute=7)},
}


VISIBILITY_TIMEOUT_SECONDS = 3600


def celery_config(app: Flask) -> dict[str, Any]:
    broker = app.config["CELERY_BROKER_URL"]
    config: dict[str, Any] = {
        "broker_url": broker,
        "task_ignore_result": True,
        "task_serializer": "json",
        "result_serializer": "json",
        "accept_content": ["json"],
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "worker_prefetch_multiplier": 1,
        "broker_connection_retry_on_startup": True,
        "timezone": "UTC",
        "imports": TASK_MODULES,
        "beat_schedule": BEAT_SCHEDULE,
        # Read by the worker at start (worker_priority): background mail yields the CPU.
        worker_priority.SETTING: app.config["EVENTHUB_WORKER_NICE"],
    }
    if broker.startswith("redis"):
        config["broker_transport_options"] = {
            # Redis redelivers unacknowledged messages after this; no task waits longer.
            "visibility_timeout": VISIBILITY_TIMEOUT_SECONDS,
            "socket_connect_timeout": 2,
            "socket_timeout": 5,
            # Publishing (a wake-up after a request's commit) tries the connection once
            # instead of retrying for broker_connection_timeout: a broker that is down must
            # not stall requests, the outbox rows wait for the sweep. The worker's own
            # consumer reconnects with its explicit broker_connection_max_retries.
            "max_retries": 0,
        }
        config["broker_connection_timeout"] = 2
    elif broker.startswith(EMBEDDED_BROKER_PREFIX):
        config.update(embedded_broker_options(broker))
    config.update(app.config.get("CELERY", {}))
    return config


EMBEDDED_BROKER_PREFIX = "sqla+"


def embedded_broker_options(broker: str) -> dict[str, Any]:
    """kombu's SQLAlchemy transport (the embedded default), through eventhub's faster-polling
    subclass: the URL's `sqla+` prefix would pick kombu's own class, so the transport is named
    explicitly. Remote control needs a fanout exchange that this transport only emulates with
    more polling; nothing uses it here.
    """
    return {
        "broker_url": broker.removeprefix(EMBEDDED_BROKER_PREFIX),
        "broker_transport": "eventhub.embedded_broker:Transport",
        "worker_enable_remote_control": False,
    }


def celery_init_app(app: Flask) -> Celery:
    class FlaskTask(Task):
        def __call__(self, *args: Any, **kwargs: Any) -> Any:
            # Tasks write: on SQLite their transactions take the write lock at BEGIN.
            with app.app_context(), writes_expected():
                try:
                    return self.run(*args, **kwargs)
                finally:
                    db.session.remove()

    celery_app = Celery(app.name, task_cls=FlaskTask)
    celery_app.config_from_object(celery_config(app))
    celery_app.set_default()
    app.extensions["celery"] = celery_app
    return celery_app
