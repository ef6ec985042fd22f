"""The organiser API: create series and sessions, change, publish and cancel sessions.

These paths are a contract: integrations import programmes from other systems through them.
Every call needs an organiser's personal access token (checked, with the caller's role in the
series, by eventhub.teams.access before the body is parsed); validation errors are 422 with a JSON
body naming each bad field.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any, NoReturn, TypeVar

from flask import current_app, g, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_smorest import Blueprint
from sqlalchemy import select
from werkzeug.exceptions import Conflict, NotFound, UnprocessableEntity

from eventhub.api import schemas, serialize
from eventhub.api.auth import BEARER
from eventhub.extensions import db
from eventhub.refusal import Refusal
from eventhub.scheduling import checks, lifecycle
from eventhub.scheduling.errors import GENERAL, SchedulingError, status_word
from eventhub.scheduling.models import DEFAULT_REMINDER_OFFSETS, Series, Session, SessionStatus
from eventhub.scheduling.services import series as series_service
from eventhub.scheduling.services import session as session_service
from eventhub.transaction import change

bp = Blueprint(
    "api_organiser",
    __name__,
    url_prefix="/api/v1",
    description="Create and change series and sessions (organiser token required).",
)

View = TypeVar("View", bound=Callable[..., Any])

DEFAULT_RESCHEDULE_REASON = "The organisers changed the time of this webinar."

# API field names that differ from the service's.
_FIELD_NAMES = {
    "is_published": "published",
    "is_join_url_hidden_until_reminder": "join_url_only_in_reminders",
    GENERAL: "_schema",
}


def _refuse(error: Refusal) -> NoReturn:
    errors = {_FIELD_NAMES.get(k, k): v for k, v in error.field_errors.items()}
    refusal = UnprocessableEntity(description=_("Some fields are not valid; see `errors`."))
    refusal.data = {"errors": errors}  # type: ignore[attr-defined]
    raise refusal


def _conflict(error: Refusal) -> NoReturn:
    raise Conflict(description=error.summary())


def _session(session_id: int) -> Session:
    session = db.session.get(Session, session_id)
    if session is None:
        raise NotFound(description=_("No session %(id)s.", id=session_id))
    return session


def _organiser_only(view: View) -> View:
    """Document an operation as needing an organiser's token (401 without one)."""
    view = bp.doc(security=BEARER)(view)
    return bp.alt_response(401, description="No valid organiser token was sent.")(view)


def _on_session(conflict: str | None = None) -> Callable[[View], View]:
    """Document an operation on one session: it answers the session as organisers see it, 404
    for an unknown id, 409 with `conflict` when the session's state forbids it."""

    def document(view: View) -> View:
        view = _organiser_only(view)
        if conflict is not None:
            view = bp.alt_response(409, description=conflict)(view)
        view = bp.alt_response(404, description="No session has this id.")(view)
        return bp.response(200, schemas.OrganiserSessionOut)(view)

    return document


@bp.route("/series", methods=["POST"])
@bp.arguments(schemas.SeriesIn)
@bp.response(201, schemas.SeriesCreatedOut)
@_organiser_only
def create_series(body: dict[str, Any]) -> dict[str, Any]:
    """Create a series; the answer carries its slug."""
    organiser = g.api_user  # set by the access check (eventhub.teams.access)
    data = series_service.SeriesData(
        title=body["title"],
        slug=body["slug"],
        summary=body["summary"],
        title_zh=body["title_zh"],
        summary_zh=body["summary_zh"],
        default_language=body["default_language"],
        timezone=body["timezone"] or current_app.config["EVENTHUB_TIMEZONE"],
        reminder_offsets_minutes=body["reminder_offsets_minutes"]
        if body["reminder_offsets_minutes"] is not None
        else list(DEFAULT_REMINDER_OFFSETS),
        follow_up_delay_minutes=body["follow_up_delay_minutes"],
        is_published=body["published"],
        privacy_statement=body["privacy_statement"],
    )
    with change(show=_refuse):
        series = series_service.create_series(data, organiser)
    return {
        "id": series.id,
        "slug": series.slug,
        "title": series.title,
        "title_zh": series.title_zh,
        "published": series.is_published,
        "url": url_for("public.series", slug=series.slug, _external=True),
    }


def _session_data(body: dict[str, Any]) -> session_service.SessionData:
    return session_service.SessionData(
        title=body["title"],
        starts_at=body["starts_at"],
        duration_minutes=body["duration_minutes"],
        timezone=body["timezone"],
        number=body["number"],
        slug=body["slug"],
        abstract=body["abstract"],
        title_zh=body["title_zh"],
        abstract_zh=body["abstract_zh"],
        join_url=body["join_url"],
        capacity=body["capacity"],
        registration_opens_at=body["registration_opens_at"],
        registration_closes_at=body["registration_closes_at"],
        requires_approval=body["requires_approval"],
        is_join_url_hidden_until_reminder=body["join_url_only_in_reminders"],
    )


@bp.route("/series/<slug>/sessions", methods=["POST"])
@bp.arguments(schemas.SessionIn)
@bp.response(201, schemas.OrganiserSessionOut)
@bp.alt_response(404, description="No series has this slug.")
@_organiser_only
def create_session(body: dict[str, Any], slug: str) -> dict[str, Any]:
    """Add a draft session to a series; the answer carries its id."""
    series = db.session.scalar(select(Series).where(Series.slug == slug))
    if series is None:
        raise NotFound(description=_("No series “%(slug)s”.", slug=slug))
    with change(show=_refuse):
        session = session_service.create_session(series, _session_data(body))
    return serialize.organiser_session_dict(session, checks.publish_warnings(session))


_PATCH_FIELDS = {
    "join_url_only_in_reminders": "is_join_url_hidden_until_reminder",
}


@bp.route("/sessions/<int:session_id>", methods=["PATCH"])
@bp.arguments(schemas.SessionPatchIn)
@_on_session()
def update_session(body: dict[str, Any], session_id: int) -> dict[str, Any]:
    """Change a session; a new `starts_at` or duration of a published session reschedules it."""
    session = _session(session_id)
    reason = body.pop("reason", None)
    changes = {_PATCH_FIELDS.get(k, k): v for k, v in body.items()}
    proposed = replace(session_service.data_from(session), **changes)
    with change(show=_refuse):
        session_service.check_session(session, proposed)
        moves = session.status is not SessionStatus.DRAFT and session_service.time_changed(
            session, proposed
        )
        if moves and session.status is not SessionStatus.PUBLISHED:
            raise SchedulingError(
                _("A %(status)s session cannot move.", status=status_word(session.status)),
                "starts_at",
            )
        session_service.update_details(session, proposed)
        if moves:
            lifecycle.reschedule_session(
                session,
                proposed.starts_at,
                proposed.duration_minutes,
                reason or DEFAULT_RESCHEDULE_REASON,
            )
    return serialize.organiser_session_dict(session, checks.publish_warnings(session))


@bp.route("/sessions/<int:session_id>/publish", methods=["POST"])
@_on_session(conflict="The session is not a draft.")
def publish_session(session_id: int) -> ResponseReturnValue:
    """Publish a draft session; the answer lists any warnings worth a look."""
    session = _session(session_id)
    warnings = checks.publish_warnings(session)
    with change(show=_conflict):
        lifecycle.publish_session(session)
    return serialize.organiser_session_dict(session, warnings)


@bp.route("/sessions/<int:session_id>/cancel", methods=["POST"])
@bp.arguments(schemas.CancelIn)
@_on_session(conflict="The session is already cancelled or over.")
def cancel_session(body: dict[str, Any], session_id: int) -> ResponseReturnValue:
    """Cancel a session; every registrant is told, with a calendar cancellation."""
    session = _session(session_id)
    with change(show=_conflict):
        lifecycle.cancel_session(session, body["reason"])
    return serialize.organiser_session_dict(session)
