"""`/organiser/`: the organiser's home page."""

from __future__ import annotations

from flask import render_template
from flask.typing import ResponseReturnValue

from eventhub.clock import utcnow
from eventhub.insights.attention import attention
from eventhub.insights.views import bp


@bp.route("/")
def home() -> ResponseReturnValue:
    """What needs attention now: next sessions, approvals, mail trouble, drafts, recaps."""
    return render_template("insights/home.html", attention=attention(utcnow()))
