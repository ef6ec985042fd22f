"""The members API: who belongs to a series (a contract; owners and admins change it)."""

from __future__ import annotations

from typing import Any, NoReturn

import marshmallow as ma
from flask import g
from flask_babel import gettext as _
from flask_smorest import Blueprint
from sqlalchemy import select
from werkzeug.exceptions import NotFound, UnprocessableEntity

from eventhub.accounts.services import find_user
from eventhub.api.auth import BEARER
from eventhub.extensions import db
from eventhub.inputs import SingleLine
from eventhub.refusal import Refusal
from eventhub.scheduling.models import Series
from eventhub.teams import invitations, services
from eventhub.teams.models import MemberRole
from eventhub.transaction import change

blp = Blueprint(
    "api_teams",
    __name__,
    url_prefix="/api/v1/series",
    description="The members of a series (organiser token; owners change them).",
)


class MemberIn(ma.Schema):
    email = SingleLine(required=True, validate=ma.validate.Length(min=3, max=320))
    role = ma.fields.String(
        required=True, validate=ma.validate.OneOf([r.value for r in MemberRole])
    )


class MemberOut(ma.Schema):
    email = ma.fields.String()
    role = ma.fields.String(metadata={"enum": [r.value for r in MemberRole]})
    status = ma.fields.String(
        metadata={"enum": ["member", "invited"], "description": "invited: a link was emailed"}
    )


class MembersOut(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(MemberOut))


def _series(slug: str) -> Series:
    series = db.session.scalar(select(Series).where(Series.slug == slug))
    if series is None:
        raise NotFound(description=_("No series “%(slug)s”.", slug=slug))
    return series


def _refused(refusal: Refusal) -> NoReturn:
    """A refused membership change: 422 with the message on the email field."""
    message = str(refusal)
    error = UnprocessableEntity(description=message)
    error.data = {"errors": {"email": [message]}}  # type: ignore[attr-defined]
    raise error


@blp.route("/<slug>/members", methods=["GET"])
@blp.response(200, MembersOut)
@blp.doc(security=BEARER)
def list_members(slug: str) -> dict[str, Any]:
    """The members of a series with their roles, then the open invitations."""
    series = _series(slug)
    items = [
        {"email": m.user.email, "role": m.role.value, "status": "member"}
        for m in services.members(series.id)
    ]
    items += [
        {"email": i.email, "role": i.role.value, "status": "invited"}
        for i in invitations.pending(series.id)
    ]
    return {"items": items}


@blp.route("/<slug>/members", methods=["POST"])
@blp.arguments(MemberIn)
@blp.response(201, MemberOut)
@blp.alt_response(422, description="Not an address, or a speaker's account.")
@blp.doc(security=BEARER)
def add_member(body: dict[str, Any], slug: str) -> dict[str, Any]:
    """Give an organiser a role in the series, or email an invitation to a new address."""
    series = _series(slug)
    role = MemberRole(body["role"])
    with change(show=_refused):
        added = invitations.add_member(series, body["email"], role, g.api_user)
    if added.membership is not None:
        return {"email": added.membership.user.email, "role": role.value, "status": "member"}
    assert added.invitation is not None
    return {"email": added.invitation.email, "role": role.value, "status": "invited"}


@blp.route("/<slug>/members/<email>", methods=["DELETE"])
@blp.response(204)
@blp.alt_response(404, description="No such member.")
@blp.alt_response(422, description="The last owner cannot leave.")
@blp.doc(security=BEARER)
def remove_member(slug: str, email: str) -> None:
    """Take a member off the series (open invitations to that address are revoked too)."""
    series = _series(slug)
    user = find_user(email)
    with change(show=_refused):
        revoked = 0
        for invitation in invitations.pending(series.id):
            if invitation.email.lower() == email.strip().lower():
                invitations.revoke(invitation)
                revoked += 1
        if user is not None and services.membership(series.id, user.id) is not None:
            services.remove(series.id, user)
        elif not revoked:
            raise NotFound(description=_("%(email)s is not a member of this series.", email=email))
