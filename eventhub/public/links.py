""" "Add to calendar" links for Google and Outlook, built from a session."""

from __future__ import annotations

from datetime import UTC
from urllib.parse import urlencode

from eventhub.scheduling.models import Session

GOOGLE = "https://calendar.google.com/calendar/render"
OUTLOOK = "https://outlook.live.com/calendar/0/deeplink/compose"


def _text(session: Session) -> str:
    return f"{session.series.title}: {session.title}"


def google_calendar_url(session: Session, page_url: str) -> str:
    start = session.starts_at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    end = session.ends_at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    query = {
        "action": "TEMPLATE",
        "text": _text(session),
        "dates": f"{start}/{end}",
        "details": f"{session.abstract}\n\n{page_url}".strip(),
        "ctz": session.timezone,
    }
    return f"{GOOGLE}?{urlencode(query)}"


def outlook_calendar_url(session: Session, page_url: str) -> str:
    query = {
        "path": "/calendar/action/compose",
        "rru": "addevent",
        "subject": _text(session),
        "startdt": session.starts_at.astimezone(UTC).isoformat(),
        "enddt": session.ends_at.astimezone(UTC).isoformat(),
        "body": f"{session.abstract}\n\n{page_url}".strip(),
        "location": "Online",
    }
    return f"{OUTLOOK}?{urlencode(query)}"
