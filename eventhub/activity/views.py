"""The activity page of a series and GET /api/v1/series/<slug>/activity."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import Blueprint, render_template, request
from flask.typing import ResponseReturnValue
from flask_smorest import Blueprint as ApiBlueprint
from sqlalchemy import select
from werkzeug.exceptions import NotFound, UnprocessableEntity

from eventhub.activity import labels, queries
from eventhub.api.auth import BEARER
from eventhub.extensions import db
from eventhub.scheduling.models import Series
from eventhub.tokens import InvalidToken, make_token, read_token

bp = Blueprint("activity", __name__)
blp = ApiBlueprint(
    "api_activity",
    __name__,
    url_prefix="/api/v1/series",
    description="What the organisers of a series did (organiser token; members only).",
)
CURSOR = "activity-cursor"
# Every page showing entries (this one, the account overview) shows words, not codes.
bp.add_app_template_filter(labels.action_label, "action_label")
bp.add_app_template_filter(labels.change_label, "change_label")
bp.add_app_template_filter(labels.change_value, "change_value")


@bp.route("/organiser/series/<int:series_id>/activity")
def series_activity(series_id: int) -> ResponseReturnValue:
    """Who did what to this series, newest first; filter by action or person."""
    series = db.get_or_404(Series, series_id)
    action = request.args.get("action", "")[:80]
    actor = request.args.get("actor", "")[:320]
    before = request.args.get("before", type=int)
    page = queries.entries(series.id, action=action, actor=actor, before_id=before)
    return render_template(
        "activity/series.html",
        series=series,
        page=page,
        action=action,
        actor=actor,
        actions=queries.actions(series.id),
    )


class ActivityQuery(ma.Schema):
    cursor = ma.fields.String(load_default=None)
    limit = ma.fields.Integer(load_default=50, validate=ma.validate.Range(min=1, max=200))
    action = ma.fields.String(load_default="", validate=ma.validate.Length(max=80))
    actor = ma.fields.String(load_default="", validate=ma.validate.Length(max=320))


class ActivityItem(ma.Schema):
    at = ma.fields.DateTime()
    actor = ma.fields.String(
        attribute="actor_email", metadata={"description": "the email of who acted"}
    )
    action = ma.fields.String()
    target = ma.fields.String()
    changes = ma.fields.Dict(metadata={"description": "{what: [before, after]}"})


class ActivityPage(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(ActivityItem))
    next = ma.fields.String(allow_none=True, metadata={"description": "cursor of older entries"})


@blp.route("/<slug>/activity", methods=["GET"])
@blp.arguments(ActivityQuery, location="query")
@blp.response(200, ActivityPage)
@blp.doc(security=BEARER)
def list_activity(query: dict[str, Any], slug: str) -> dict[str, Any]:
    """The series' activity, newest first; pass `next` back as `cursor` for older entries."""
    series_id = db.session.scalar(select(Series.id).where(Series.slug == slug))
    if series_id is None:
        raise NotFound(description=f"No series “{slug}”.")
    before = None
    if query.get("cursor"):
        try:
            before = int(read_token(CURSOR, query["cursor"]))
        except (InvalidToken, TypeError, ValueError) as exc:
            error = UnprocessableEntity(description="The cursor is not one this API gave out.")
            error.data = {"errors": {"cursor": ["Not a valid cursor."]}}  # type: ignore[attr-defined]
            raise error from exc
    page = queries.entries(
        series_id,
        action=query["action"],
        actor=query["actor"],
        before_id=before,
        limit=query["limit"],
    )
    return {
        "items": page.items,  # ActivityEntry rows, dumped by ActivityItem
        "next": make_token(CURSOR, page.next_before) if page.next_before else None,
    }
