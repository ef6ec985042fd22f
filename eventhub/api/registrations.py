"""GET /api/v1/sessions/<id>/registrations: a session's registrants for organisers (a contract).

Cursor-paginated by registration id: `next` is an opaque cursor to pass back as `cursor`, or
null on the last page. Needs an organiser's personal access token.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

import marshmallow as ma
from flask_babel import gettext as _
from flask_smorest import Blueprint
from sqlalchemy import select
from werkzeug.exceptions import NotFound, UnprocessableEntity

from eventhub.api.auth import BEARER
from eventhub.extensions import db
from eventhub.registration.models import Registration, RegistrationStatus
from eventhub.scheduling.models import Session

bp = Blueprint(
    "api_registrations",
    __name__,
    url_prefix="/api/v1",
    description="Read a session's registrations (organiser token required).",
)

DEFAULT_LIMIT = 100
MAX_LIMIT = 500


class RegistrationsQuery(ma.Schema):
    cursor = ma.fields.String(
        load_default=None, metadata={"description": "The `next` value of the previous page."}
    )
    limit = ma.fields.Integer(
        load_default=DEFAULT_LIMIT, validate=ma.validate.Range(min=1, max=MAX_LIMIT)
    )


class RegistrantOut(ma.Schema):
    id = ma.fields.Integer()
    name = ma.fields.String()
    email = ma.fields.String()
    organisation = ma.fields.String()
    status = ma.fields.String(metadata={"enum": [s.value for s in RegistrationStatus]})
    attended = ma.fields.Boolean()
    registered_at = ma.fields.DateTime(metadata={"description": "ISO 8601, UTC."})
    answers = ma.fields.Dict(
        keys=ma.fields.String(),
        metadata={"description": "Answers keyed by question id; lists for multiple choice."},
    )


class RegistrationsPage(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(RegistrantOut))
    next = ma.fields.String(
        allow_none=True, metadata={"description": "Cursor of the next page; null on the last."}
    )


def encode_cursor(after_id: int) -> str:
    raw = json.dumps({"after": after_id}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_cursor(cursor: str) -> int:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        after = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))["after"]
    except (ValueError, KeyError, TypeError, UnicodeError, binascii.Error) as exc:
        raise _bad_cursor() from exc
    if not isinstance(after, int) or isinstance(after, bool) or not 0 <= after < 2**63:
        raise _bad_cursor()
    return after


def _bad_cursor() -> UnprocessableEntity:
    error = UnprocessableEntity(description=_("The cursor is not one this API gave out."))
    error.data = {"errors": {"cursor": [_("Not a valid cursor.")]}}  # type: ignore[attr-defined]
    return error


@bp.route("/sessions/<int:session_id>/registrations", methods=["GET"])
@bp.arguments(RegistrationsQuery, location="query")
@bp.response(200, RegistrationsPage)
@bp.alt_response(401, description="No valid organiser token was sent.")
@bp.alt_response(404, description="No such session.")
@bp.alt_response(422, description="A bad cursor or limit.")
@bp.doc(security=BEARER)
def list_registrations(query: dict[str, Any], session_id: int) -> dict[str, Any]:
    """A session's registrations in the order they came, one page at a time."""
    # The token and the caller's role in the session's series are checked before this runs
    # (eventhub.teams.access, policy in eventhub.access_policy): non-members get 404.
    if db.session.get(Session, session_id) is None:
        raise NotFound(description=_("No session %(id)s.", id=session_id))
    limit = int(query["limit"])
    statement = (
        select(Registration)
        .where(Registration.session_id == session_id)
        .order_by(Registration.id)
        .limit(limit + 1)
    )
    if query.get("cursor"):
        statement = statement.where(Registration.id > decode_cursor(query["cursor"]))
    rows = list(db.session.scalars(statement))
    page, more = rows[:limit], len(rows) > limit
    return {
        "items": [
            {
                "id": r.id,
                "name": r.name,
                "email": r.email,
                "organisation": r.organisation,
                "status": r.status.value,
                "attended": bool(r.is_attended),
                "registered_at": r.created_at,
                "answers": dict(r.answers or {}),
            }
            for r in page
        ],
        "next": encode_cursor(page[-1].id) if more and page else None,
    }
