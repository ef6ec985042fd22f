"""The public pages: home, a series' programme, one session and their calendar files (pages),
and the recap of a past webinar (recap). The app factory imports the modules so that they
attach themselves to these blueprints."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("public", __name__)
# Endpoint names stay `recaps.*`: templates, emails and the API link to them.
recaps_bp = Blueprint("recaps", __name__)
