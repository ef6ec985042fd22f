"""Liveness for load balancers and the compose healthcheck, and the site's icon at the root."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, send_from_directory
from flask.typing import ResponseReturnValue
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from eventhub.extensions import db

bp = Blueprint("health", __name__)


@bp.route("/healthz")
def healthz() -> ResponseReturnValue:
    """200 when the database answers, 503 otherwise."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        return jsonify(status="unavailable", database=False), 503
    return jsonify(status="ok", database=True)


@bp.route("/favicon.ico")
def favicon() -> ResponseReturnValue:
    """Browsers ask for /favicon.ico whatever the page says; answer from static/."""
    folder = current_app.static_folder or "static"
    return send_from_directory(folder, "img/favicon.ico", max_age=7 * 24 * 3600)
