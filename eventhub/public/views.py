"""Public pages: home, a series' programme, one session, and their calendar files."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    make_response,
    render_template,
    url_for,
)
from flask.typing import ResponseReturnValue
from jinja2 import TemplateNotFound
from markupsafe import Markup

from eventhub.extensions import db
from eventhub.public import queries
from eventhub.public.cache import cached_page, cached_value
from eventhub.scheduling.calendar import public_calendar, series_feed
from eventhub.scheduling.calendar_links import google_calendar_url, outlook_calendar_url
from eventhub.scheduling.models import Session

bp = Blueprint("public", __name__)

# Werkzeug adds "; charset=utf-8" to text/* mimetypes: naming it here too doubled it.
ICS_MIMETYPE = "text/calendar"
# The registration issue's form, included on the session page when that package is installed.
INLINE_FORM = "registration/_inline_form.html"
# Where the per-request registration form goes into a cached session page.
FORM_SLOT = "<!--eventhub:registration-form-->"


def _has_template(name: str) -> bool:
    try:
        current_app.jinja_env.get_template(name)
    except TemplateNotFound:
        return False
    return True


@bp.route("/")
def home() -> ResponseReturnValue:
    """Upcoming sessions across published series."""
    return cached_page("home", _render_home)


def _render_home() -> tuple[str, list[Session]]:
    upcoming = queries.upcoming_sessions()
    html = render_template(
        "public/home.html",
        series_list=queries.published_series(),
        upcoming=upcoming,
        programme=queries.Programme.of(upcoming),
    )
    return html, upcoming


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
    (html, session_id), hit = cached_value(
        f"session:{series_slug}/{session_slug}",
        lambda: _render_session(series_slug, session_slug),
    )
    # The page is shared; the form (a CSRF token, a fresh seat count) is made per request.
    if FORM_SLOT in html:
        found = db.session.get(Session, session_id)
        if found is None:
            abort(404)
        form_html = render_template(INLINE_FORM, session=found, series=found.series)
        html = html.replace(FORM_SLOT, form_html, 1)
    response = make_response(html)
    response.headers["X-Cache"] = "hit" if hit else "miss"
    return response


def _render_session(series_slug: str, session_slug: str) -> tuple[tuple[str, int], list[Session]]:
    found = queries.public_session(series_slug, session_slug)
    if found is None:
        abort(404)
    siblings = queries.sibling_sessions(found)
    programme = queries.Programme.of([found, *siblings])
    page_url = url_for(
        "public.session", series_slug=series_slug, session_slug=session_slug, _external=True
    )
    html = render_template(
        "public/session.html",
        session=found,
        series=found.series,
        programme=programme,
        availability=programme.availability[found.id],
        siblings=siblings,
        # A constant HTML comment of ours, never user input.
        form_slot=Markup(FORM_SLOT) if _has_template(INLINE_FORM) else None,  # noqa: S704  # nosec B704
        google_url=google_calendar_url(found, page_url),
        outlook_url=outlook_calendar_url(found, page_url),
    )
    return (html, found.id), [found, *siblings]


@bp.route("/series/<series_slug>/<session_slug>/calendar.ics")
def session_calendar(series_slug: str, session_slug: str) -> ResponseReturnValue:
    """One webinar as an .ics file."""
    found = queries.public_session(series_slug, session_slug)
    if found is None:
        abort(404)
    body = public_calendar([found], name=found.title)
    return Response(
        body,
        mimetype=ICS_MIMETYPE,
        headers={"Content-Disposition": f'attachment; filename="{found.slug}.ics"'},
    )
