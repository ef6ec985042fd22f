"""The one place that knows how a session's public page is addressed."""

from __future__ import annotations

from typing import Any

from flask import url_for

from eventhub.urls import external_url

ENDPOINT = "public.session"


def _values(session: Any) -> dict[str, Any]:
    return {"series_slug": session.series.slug, "session_slug": session.slug}


def public_session_path(session: Any) -> str:
    """The session's public page, relative to the current request (for pages)."""
    return url_for(ENDPOINT, **_values(session))


def public_session_url(session: Any) -> str:
    """The session's public page from EVENTHUB_BASE_URL (for emails, invites, Celery tasks)."""
    return external_url(ENDPOINT, **_values(session))
