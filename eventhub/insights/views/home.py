"""`/organiser/`: the organiser's home page."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue

from eventhub.accounts.access import require_role_for_blueprint
from eventhub.accounts.models import Role
from eventhub.clock import utcnow
from eventhub.insights.attention import attention

bp = Blueprint("attention", __name__, url_prefix="/organiser")
require_role_for_blueprint(bp, Role.ORGANISER)


@bp.route("/")
def home() -> ResponseReturnValue:
    """What needs attention now: next sessions, approvals, mail trouble, drafts, recaps."""
    return render_template("insights/home.html", attention=attention(utcnow()))
