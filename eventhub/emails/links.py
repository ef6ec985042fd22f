"""Absolute links that emails carry, built from EVENTHUB_BASE_URL (usable in Celery tasks)."""

from __future__ import annotations

from eventhub.scheduling.links import public_session_url
from eventhub.scheduling.models import Session
from eventhub.urls import external_url

# The session's own page.
session_url = public_session_url


def register_url(session: Session) -> str:
    return external_url("registration.register", session_id=session.id)


def recap_url(session: Session) -> str:
    return external_url("recaps.show", series_slug=session.series.slug, session_slug=session.slug)
