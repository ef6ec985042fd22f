"""Public pages: home, a series' programme, one session, and their calendar files."""

from __future__ import annotations

from flask import (
    Response,
    abort,
    current_app,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from jinja2 import TemplateNotFound
from markupsafe import Markup, escape

from eventhub.csrf_token import csrf_token
from eventhub.i18n import use_series_language
from eventhub.public import queries
from eventhub.public.cache import cached_page, cached_value
from eventhub.public.views import bp
from eventhub.registration.public_data import panel_for
from eventhub.scheduling.calendar import public_calendar, series_feed
from eventhub.scheduling.calendar_links import google_calendar_url, outlook_calendar_url
from eventhub.scheduling.models import Session

# Werkzeug adds "; charset=utf-8" to text/* mimetypes: naming it here too doubled it.
ICS_MIMETYPE = "text/calendar"
# The registration issue's form, included on the session page when that package is installed.
INLINE_FORM = "registration/_inline_form.html"


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
    use_series_language(found.default_language)
    listed = queries.series_programme(found)
    html = render_template(
        "public/series.html",
        series=found,
        programme=listed.programme,
        upcoming=listed.upcoming,
        past=listed.past,
        more_upcoming=listed.more_upcoming,
        more_past=listed.more_past,
    )
    return html, list(listed.programme.sessions)


# Under "webinars/": a session slugged "past" keeps its own page at /series/<slug>/past.
@bp.route("/series/<slug>/webinars/<any(upcoming, past):when>")
def series_sessions(slug: str, when: str) -> ResponseReturnValue:
    """Every upcoming or past webinar of a series, a page at a time."""
    page = request.args.get("page", 1, type=int) or 1
    if page < 1:
        abort(404)
    return cached_page(
        f"series:{slug}:{when}:{page}", lambda: _render_series_sessions(slug, when, page)
    )


def _render_series_sessions(slug: str, when: str, page: int) -> tuple[str, list[Session]]:
    found = queries.series_page(slug)
    if found is None:
        abort(404)
    use_series_language(found.default_language)
    listed = queries.series_session_page(found, past=when == "past", page=page)
    if page > 1 and not listed.sessions:
        abort(404)
    html = render_template(
        "public/series_sessions.html",
        series=found,
        when=when,
        listed=listed,
        programme=listed.programme,
    )
    return html, listed.sessions


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
    # The whole page, form included, is shared by every anonymous reader of its language; only
    # the CSRF token is the visitor's own. The seats and the action (register or join the
    # waitlist) it shows follow the session rows' counters, at most EVENTHUB_SEAT_CHECK_SECONDS
    # late (eventhub.public.seats): during a sign-up burst the page is rebuilt about once a
    # second per worker, not after every sign-up.
    parts, hit = cached_value(
        f"session-page:{series_slug}/{session_slug}",
        lambda: _render_session(series_slug, session_slug),
    )
    response = current_app.response_class(with_csrf_token(parts))
    response.headers["X-Cache"] = "hit" if hit else "miss"
    return response


def with_csrf_token(parts: tuple[str, ...]) -> str:
    """A page split around its CSRF tokens, joined again with this visitor's token."""
    if len(parts) == 1:
        return parts[0]
    # Only now, so a page without a form leaves the visitor's session (and cookie) alone.
    return str(escape(csrf_token())).join(parts)


def _render_session(series_slug: str, session_slug: str) -> tuple[tuple[str, ...], list[Session]]:
    found = queries.public_session(series_slug, session_slug)
    if found is None:
        abort(404)
    use_series_language(found.series.default_language)
    siblings = queries.sibling_sessions(found)
    programme = queries.Programme.of([found, *siblings])
    availability = programme.availability[found.id]
    page_url = url_for(
        "public.session", series_slug=series_slug, session_slug=session_slug, _external=True
    )
    form_html = None
    if _has_template(INLINE_FORM):
        # A template's output, escaped by Jinja as it rendered.
        form_html = Markup(  # noqa: S704  # nosec B704
            render_template(
                INLINE_FORM, session=found, panel=panel_for(found, availability=availability)
            )
        )
    html = render_template(
        "public/session.html",
        session=found,
        series=found.series,
        programme=programme,
        availability=availability,
        siblings=siblings,
        form_html=form_html,
        google_url=google_calendar_url(found, page_url),
        outlook_url=outlook_calendar_url(found, page_url),
    )
    # Every copy of this request's token (the form's, a logged-in reader's log-out forms) is
    # cut out; the signed token cannot occur in the page by chance.
    token = str(escape(csrf_token())) if form_html is not None else None
    parts = tuple(html.split(token)) if token else (html,)
    return parts, [found, *siblings]


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
