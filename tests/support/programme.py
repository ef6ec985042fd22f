"""A stand-in for the recap page, for tests of pages linking to it (rows: support/factories)."""

from __future__ import annotations

from flask import Blueprint, Flask


def install_recap_page(app: Flask) -> None:
    """Stand-in for the recaps blueprint (another issue), so `recaps.show` can be linked."""
    if "recaps.show" in app.view_functions:
        return
    stub = Blueprint("recaps", __name__)
    stub.add_url_rule("/series/<series_slug>/<session_slug>/recap", "show", lambda **_: "recap")
    app.register_blueprint(stub)
