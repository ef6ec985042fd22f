"""The registration blueprint of the attendee's pages (public forms and private manage links).

A seat-lock timeout on any of them answers 503 "try again later": the app's one handler for it
is in eventhub/errors.py.
"""

from __future__ import annotations

from flask import Blueprint, current_app

bp = Blueprint("registration", __name__)


def registration_limit() -> str:
    return str(current_app.config["EVENTHUB_RATELIMIT_REGISTRATION"])
