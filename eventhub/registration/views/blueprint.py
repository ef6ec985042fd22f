"""The registration blueprint of the attendee's pages (public forms and private manage links).

A seat-lock timeout on any of them answers 503 "try again later" rather than an error page;
the organisers' blueprint registers the same handler.
"""

from __future__ import annotations

from flask import Blueprint, current_app
from flask.typing import ResponseReturnValue
from sqlalchemy.exc import OperationalError

from eventhub.errors import TryAgainLater
from eventhub.extensions import db
from eventhub.registration.locking import is_lock_error

bp = Blueprint("registration", __name__)


def registration_limit() -> str:
    return str(current_app.config["EVENTHUB_RATELIMIT_REGISTRATION"])


def answer_busy(error: OperationalError) -> ResponseReturnValue:
    """A seat-lock timeout answers 503 "try again later"; any other database error is raised."""
    db.session.rollback()
    if is_lock_error(error):
        return current_app.handle_http_exception(TryAgainLater())
    raise error


bp.register_error_handler(OperationalError, answer_busy)
