""" "Add to calendar" links for Google Calendar and Outlook, built from a session.

Google's event template (`calendar/render?action=TEMPLATE`, dates as UTC `YYYYMMDDTHHMMSSZ`)
and Outlook on the web's compose deep link (`deeplink/compose?rru=addevent`, ISO 8601 times);
both take plain text, so the Markdown abstract is flattened first.
"""

from __future__ import annotations

from datetime import UTC
from urllib.parse import urlencode

from eventhub.markup import markdown_to_text
from eventhub.scheduling.models import Session

GOOGLE = "https://calendar.google.com/calendar/render"
OUTLOOK = "https://outlook.live.com/calendar/0/deeplink/compose"
# Long abstracts make URLs some clients truncate; the page link always survives.
MAX_DETAILS = 1200


def _text(session: Session) -> str:
    return f"{session.series.title}: {session.title}"


def _details(session: Session, page_url: str, join_url: str) -> str:
    abstract = markdown_to_text(session.abstract)
    if len(abstract) > MAX_DETAILS:
        abstract = abstract[:MAX_DETAILS].rsplit(" ", 1)[0] + " …"
    parts = [abstract, f"Join: {join_url}" if join_url else "", page_url]
    return "\n\n".join(p for p in parts if p)


def google_calendar_url(session: Session, page_url: str, join_url: str = "") -> str:
    """`join_url` only in a confirmed registrant's own email, never on a public page."""
    start = session.starts_at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    end = session.ends_at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    query = {
        "action": "TEMPLATE",
        "text": _text(session),
        "dates": f"{start}/{end}",
        "details": _details(session, page_url, join_url),
        "location": join_url or "Online",
        "ctz": session.timezone,
    }
    return f"{GOOGLE}?{urlencode(query)}"


def outlook_calendar_url(session: Session, page_url: str, join_url: str = "") -> str:
    query = {
        "path": "/calendar/action/compose",
        "rru": "addevent",
        "subject": _text(session),
        "startdt": session.starts_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "enddt": session.ends_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "body": _details(session, page_url, join_url),
        "location": join_url or "Online",
    }
    return f"{OUTLOOK}?{urlencode(query)}"
