"""The public read API: published series, one series with its sessions, one session."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_smorest import Blueprint
from werkzeug.exceptions import NotFound

from eventhub.api import schemas, serialize
from eventhub.api.auth import token_organiser
from eventhub.extensions import db
from eventhub.public import queries
from eventhub.public.cache import cached_json
from eventhub.scheduling import checks
from eventhub.scheduling.models import Session
from eventhub.teams.access import Need, check
from eventhub.transaction import change

bp = Blueprint(
    "api_programme",
    __name__,
    url_prefix="/api/v1",
    description="The public programme: published series and their sessions.",
)


@bp.route("/series", methods=["GET"])
@bp.response(200, schemas.SeriesListOut)
def list_series() -> dict[str, Any]:
    """List published series."""
    return {"series": [serialize.series_summary(s) for s in queries.published_series()]}


@bp.route("/series/<slug>", methods=["GET"])
@bp.response(200, schemas.SeriesOut)
@bp.alt_response(404, description="No published series has this slug.")
def get_series(slug: str) -> ResponseReturnValue:
    """One published series with its public sessions and their speakers."""
    return cached_json(f"api:series:{slug}", lambda: _series_payload(slug))


def _series_payload(slug: str) -> tuple[dict[str, Any], list[Session]]:
    series = queries.series_page(slug)
    if series is None:
        raise NotFound(description=_("No published series “%(slug)s”.", slug=slug))
    programme = queries.Programme.of(queries.public_sessions(series))
    payload = schemas.SeriesOut().dump(serialize.series_dict(series, programme))
    return payload, programme.sessions


@bp.route("/sessions/<int:session_id>", methods=["GET"])
@bp.response(200, schemas.OrganiserSessionOut)
@bp.alt_response(404, description="No public session has this id.")
@bp.doc(
    description=(
        "With an organiser's `Authorization: Bearer` token, any session (drafts included) "
        "is returned in the organiser form: `join_url`, `join_url_only_in_reminders` and "
        "`warnings` are present only then."
    )
)
def get_session(session_id: int) -> ResponseReturnValue:
    """One public session with its speakers, seats and action."""
    if "Authorization" in request.headers:
        return _organiser_view(session_id)
    return cached_json(f"api:session:{session_id}", lambda: _session_payload(session_id))


def _organiser_view(session_id: int) -> ResponseReturnValue:
    with change():  # commits the token's last use
        user = token_organiser()
        session = db.session.get(Session, session_id)
        if session is None:
            raise NotFound(description=_("No session %(id)s.", id=session_id))
        check(user, Need.READ, session.series_id)  # a non-member learns nothing: 404
        payload = schemas.OrganiserSessionOut().dump(
            serialize.organiser_session_dict(session, checks.publish_warnings(session))
        )
    return jsonify(payload)


def _session_payload(session_id: int) -> tuple[dict[str, Any], list[Session]]:
    session = queries.public_session_by_id(session_id)
    if session is None:
        raise NotFound(description=_("No public session %(id)s.", id=session_id))
    programme = queries.Programme.of([session])
    return schemas.SessionOut().dump(serialize.session_dict(session, programme)), [session]
