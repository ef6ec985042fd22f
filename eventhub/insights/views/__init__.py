"""The insights pages, by audience: the organiser's home page (home, on the `attention`
blueprint declared here), the series list, dashboard and session page on scheduling's URLs
(organiser) and a speaker's own sessions on the speakers blueprint's URL (speaker). They read
several domains (registrations, mail, speakers), so they live above them all; the app factory
imports the modules so that they attach themselves to their blueprints."""

from __future__ import annotations

from flask import Blueprint

from eventhub.accounts.access import require_role_for_blueprint
from eventhub.accounts.models import Role

bp = Blueprint("attention", __name__, url_prefix="/organiser")
require_role_for_blueprint(bp, Role.ORGANISER)
