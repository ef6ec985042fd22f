"""Public pages: home, a series' programme, one session, and their calendar files."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    render_template,
    send_from_directory,
    url_for,
)
from flask.typing import ResponseReturnValue

from eventhub.public import queries
from eventhub.public.cache import cached_page
from eventhub.public.links import google_calendar_url, outlook_calendar_url
from eventhub.scheduling.calendar import calendar_for, series_feed
from eventhub.scheduling.models import Session

bp = Blueprint("public", __name__)

ICS_MIMETYPE = "text/calendar; charset=utf-8"


@bp.route("/")
def home() -> ResponseReturnValue:
    """Upcoming sessions across published series."""
    upcoming = queries.upcoming_sessions()
    return render_template(
        "public/home.html",
        series_list=queries.published_series(),
        upcoming=upcoming,
        programme=queries.Programme.of(upcoming),
    )


@bp.route("/series/<slug>")
def series(slug: str) -> ResponseReturnValue:
    """A series and its webinars, upcoming first, past below."""
    return cached_page(f"series:{slug}", lambda: _render_series(slug))


def _render_series(slug: str) -> tuple[str, list[Session]]:
    found = queries.series_page(slug)
    if found is None:
        abort(404)
    programme = queries.Programme.of(queries.public_sessions(found))
    upcoming, past = programme.split()
    html = render_template(
        "public/series.html",
        series=found,
        programme=programme,
        upcoming=upcoming,
        past=past,
    )
    return html, list(programme.sessions)


@bp.route("/series/<slug>/calendar.ics")
def series_calendar(slug: str) -> ResponseReturnValue:
    """The series as a calendar feed to subscribe to."""
    found = queries.series_page(slug)
    if found is None:
        abort(404)
    body = series_feed(found, queries.public_sessions(found))
    return Response(
        body,
        mimetype=ICS_MIMETYPE,
        headers={"Content-Disposition": f'inline; filename="{found.slug}.ics"'},
    )


@bp.route("/series/<series_slug>/<session_slug>")
def session(series_slug: str, session_slug: str) -> ResponseReturnValue:
    """One webinar at full length, with its registration form."""
    found = queries.public_session(series_slug, session_slug)
    if found is None:
        abort(404)
    siblings = queries.sibling_sessions(found)
    programme = queries.Programme.of([found, *siblings])
    page_url = url_for(
        "public.session", series_slug=series_slug, session_slug=session_slug, _external=True
    )
    return render_template(
        "public/session.html",
        session=found,
        series=found.series,
        programme=programme,
        availability=programme.availability[found.id],
        siblings=siblings,
        google_url=google_calendar_url(found, page_url),
        outlook_url=outlook_calendar_url(found, page_url),
    )


@bp.route("/series/<series_slug>/<session_slug>/calendar.ics")
def session_calendar(series_slug: str, session_slug: str) -> ResponseReturnValue:
    """One webinar as an .ics file."""
    found = queries.public_session(series_slug, session_slug)
    if found is None:
        abort(404)
    body = calendar_for([found], name=found.title, public=True)
    return Response(
        body,
        mimetype=ICS_MIMETYPE,
        headers={"Content-Disposition": f'attachment; filename="{found.slug}.ics"'},
    )


@bp.route("/series/<slug>/banner")
def banner(slug: str) -> ResponseReturnValue:
    """The series' banner image (uploaded by an organiser, re-encoded on upload)."""
    found = queries.series_page(slug)
    if found is None or not found.banner_path:
        abort(404)
    folder = current_app.config["EVENTHUB_UPLOAD_FOLDER"]
    response = send_from_directory(folder, found.banner_path, max_age=3600)
    return response
