"""The organiser blueprint for series and sessions; every route needs an organiser.

Its routes live in `series` and `session` here and in `eventhub.insights.views` (the dashboard
pages); the app factory imports those modules so that they attach themselves to `bp`.
"""

from __future__ import annotations

from flask import Blueprint, abort

from eventhub.accounts.access import require_role_for_blueprint
from eventhub.accounts.models import Role
from eventhub.extensions import db
from eventhub.scheduling.models import Series, Session

bp = Blueprint("scheduling", __name__, url_prefix="/organiser")
require_role_for_blueprint(bp, Role.ORGANISER)


def series_or_404(series_id: int) -> Series:
    series = db.session.get(Series, series_id)
    if series is None:
        abort(404)
    return series


def session_or_404(session_id: int) -> Session:
    session = db.session.get(Session, session_id)
    if session is None:
        abort(404)
    return session
