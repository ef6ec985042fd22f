"""Absolute links that emails carry, built from EVENTHUB_BASE_URL (usable in Celery tasks)."""

from __future__ import annotations

from eventhub.scheduling.models import Session
from eventhub.urls import external_url


def session_url(session: Session) -> str:
    """The session's own page."""
    return external_url(
        "public.session", series_slug=session.series.slug, session_slug=session.slug
    )


def register_url(session: Session) -> str:
    return external_url("registration.register", session_id=session.id)


def recap_url(session: Session) -> str:
    return external_url("recaps.show", series_slug=session.series.slug, session_slug=session.slug)
