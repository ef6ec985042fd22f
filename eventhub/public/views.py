"""Public pages: the home page and a series' programme."""

from __future__ import annotations

from flask import Blueprint, abort, render_template
from flask.typing import ResponseReturnValue

from eventhub.clock import utcnow
from eventhub.public import queries

bp = Blueprint("public", __name__)


@bp.route("/")
def home() -> ResponseReturnValue:
    """Upcoming sessions across published series."""
    return render_template(
        "public/home.html",
        series_list=queries.published_series(),
        upcoming=queries.upcoming_sessions(),
    )


@bp.route("/series/<slug>")
def series(slug: str) -> ResponseReturnValue:
    """A series and its webinars, upcoming first."""
    found = queries.series_page(slug)
    if found is None:
        abort(404)
    sessions = queries.public_sessions(found)
    now = utcnow()
    upcoming = [s for s in sessions if s.ends_at >= now]
    past = [s for s in sessions if s.ends_at < now]
    return render_template(
        "public/series.html", series=found, upcoming=upcoming, past=list(reversed(past))
    )
