"""Absolute links that emails carry, built from EVENTHUB_BASE_URL (usable in Celery tasks)."""

from __future__ import annotations

from typing import Any

from werkzeug.routing import BuildError

from eventhub.registration.models import Registration
from eventhub.scheduling.models import Session
from eventhub.tokens import make_token
from eventhub.urls import external_url

# The registration domain reads this token in `registration.manage(token)`.
MANAGE_PURPOSE = "registration.manage"


def optional_url(endpoint: str, **values: Any) -> str | None:
    """A link to a page another domain serves, or None while that page does not exist."""
    try:
        return external_url(endpoint, **values)
    except BuildError:
        return None


def manage_url(registration: Registration) -> str | None:
    token = make_token(MANAGE_PURPOSE, {"id": registration.id, "v": registration.token_version})
    return optional_url("registration.manage", token=token)


def session_url(session: Session) -> str:
    """The session's own page, or its card on the series page."""
    return optional_url(
        "public.session", series_slug=session.series.slug, session_slug=session.slug
    ) or external_url(
        "public.series", slug=session.series.slug, _anchor=f"webinar-{session.number}"
    )


def register_url(session: Session) -> str:
    return optional_url("registration.register", session_id=session.id) or session_url(session)


def recap_url(session: Session) -> str:
    return external_url("recaps.show", series_slug=session.series.slug, session_slug=session.slug)
