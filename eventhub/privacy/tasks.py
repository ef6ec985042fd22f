"""Periodic privacy work: the retention sweep."""

from __future__ import annotations

import logging

from celery import shared_task
from flask import current_app

from eventhub.clock import utcnow
from eventhub.privacy.retention import apply_retention

log = logging.getLogger(__name__)


@shared_task(name="eventhub.privacy.apply_retention", ignore_result=True)
def apply_retention_task() -> int:
    """Beat entry point for apply_retention (nothing to do while the setting is unset)."""
    count = apply_retention(utcnow(), current_app.config.get("EVENTHUB_RETENTION_DAYS"))
    if count:
        log.info("retention: anonymised %d registrations", count)
    return count
