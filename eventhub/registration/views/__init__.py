"""The registration pages, by audience: the public forms (public), the attendee's private
manage links (manage), the organisers' lists and actions (organiser), their registration
questions (questions) and the JSON API (api). Each module only reads and calls the services.

The blueprints are declared here; the app factory imports the route modules."""

from __future__ import annotations

from flask import Blueprint, current_app

from eventhub.accounts.access import require_role_for_blueprint
from eventhub.accounts.models import Role

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
