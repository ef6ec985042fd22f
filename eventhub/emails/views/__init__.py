"""The email pages, by audience: the organisers' delivery status, retries and announcements
(organiser) and the recipients' unsubscribe links (unsubscribe)."""

from __future__ import annotations

from flask import Blueprint

from eventhub.accounts.access import require_role_for_blueprint
from eventhub.accounts.models import Role

# Endpoint names stay `mail.*` and `unsubscribe.*`: templates, emails and tests link to them.
organiser_bp = Blueprint("mail", __name__, url_prefix="/organiser/mail")
require_role_for_blueprint(organiser_bp, Role.ORGANISER)

unsubscribe_bp = Blueprint("unsubscribe", __name__, url_prefix="/unsubscribe")
