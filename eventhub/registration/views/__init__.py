"""The registration pages, by audience: the public forms (public), the attendee's private
manage links (manage), the organisers' lists and actions (organiser), their registration
questions (questions) and the JSON API (api). Each module only reads and calls the services.

The blueprints are declared here; the app factory imports the route modules."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar

from flask import Blueprint, current_app, request

from eventhub.accounts.access import require_role_for_blueprint
from eventhub.accounts.models import Role
from eventhub.extensions import limiter

P = ParamSpec("P")
R = TypeVar("R")

# The attendee's pages (public forms and private manage links). A seat-lock timeout on any of
# them answers 503 "try again later": the app's one handler for it is in eventhub/errors.py.
bp = Blueprint("registration", __name__)

# The organisers' lists and actions, and their registration questions.
admin_bp = Blueprint("registration_admin", __name__, url_prefix="/organiser/registrations")
require_role_for_blueprint(admin_bp, Role.ORGANISER)
questions_bp = Blueprint(
    "registration_questions",
    __name__,
    url_prefix="/organiser/registrations/series/<int:series_id>/questions",
)
require_role_for_blueprint(questions_bp, Role.ORGANISER)


def registration_limit() -> str:
    return str(current_app.config["EVENTHUB_RATELIMIT_REGISTRATION"])


def registration_limited(view: Callable[P, R]) -> Callable[P, R]:
    """The registration limit on a view's POSTs, per address and endpoint (one storage call:
    see extensions._Limiter.hit_route_limit)."""

    @wraps(view)
    def limited(*args: P.args, **kwargs: P.kwargs) -> R:
        if request.method == "POST":
            limiter.hit_route_limit(registration_limit())
        return view(*args, **kwargs)

    return limited
