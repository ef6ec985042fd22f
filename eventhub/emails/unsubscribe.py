"""Unsubscribing from a series' news: signed links, RFC 8058 headers, and the record."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from eventhub.extensions import db
from eventhub.mail.models import Unsubscribe
from eventhub.registration.unsubscribe import unsubscribe
from eventhub.tokens import make_token, read_token
from eventhub.urls import external_url

# The one unsubscribe (manage page and email links alike) lives with the registrations it
# changes; re-exported here for the email link views.
__all__ = ["unsubscribe"]

PURPOSE = "mail.unsubscribe"
# Links in old follow-ups keep working for a year; after that the manage page still offers it.
MAX_AGE_SECONDS = 366 * 24 * 3600


def unsubscribe_token(series_id: int, email: str) -> str:
    return make_token(PURPOSE, {"s": series_id, "e": email.strip().lower()})


def read_unsubscribe_token(token: str) -> tuple[int, str]:
    """(series id, email) from a link; raises eventhub.tokens.InvalidToken."""
    payload: Any = read_token(PURPOSE, token, max_age_seconds=MAX_AGE_SECONDS)
    return int(payload["s"]), str(payload["e"])


def unsubscribe_url(series_id: int, email: str) -> str:
    return external_url("unsubscribe.confirm", token=unsubscribe_token(series_id, email))


def list_unsubscribe_headers(series_id: int, email: str) -> dict[str, str]:
    """RFC 2369 + RFC 8058: mail clients show an unsubscribe button that POSTs one click."""
    one_click = external_url("unsubscribe.one_click", token=unsubscribe_token(series_id, email))
    return {
        "List-Unsubscribe": f"<{one_click}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def is_unsubscribed(series_id: int, email: str) -> bool:
    found = db.session.scalar(
        select(Unsubscribe.id).where(
            Unsubscribe.series_id == series_id, Unsubscribe.email == email.strip().lower()
        )
    )
    return found is not None


def resubscribe(series_id: int, email: str) -> bool:
    """Undo an unsubscribe (the confirmation page offers it); True if one was removed."""
    row = db.session.scalar(
        select(Unsubscribe).where(
            Unsubscribe.series_id == series_id, Unsubscribe.email == email.strip().lower()
        )
    )
    if row is None:
        return False
    db.session.delete(row)
    db.session.flush()
    return True
