"""The public recap page ("Read more"): the article of a past webinar."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, current_app, render_template, send_from_directory
from flask.typing import ResponseReturnValue

from eventhub.clock import utcnow
from eventhub.recaps import pages

bp = Blueprint("recaps", __name__)

# Recap photos live under EVENTHUB_UPLOAD_FOLDER/<this>/.
PHOTO_SUBFOLDER = "recaps"


@bp.route("/series/<series_slug>/<session_slug>/recap")
def show(series_slug: str, session_slug: str) -> ResponseReturnValue:
    """A published recap; anything else is not found."""
    session = pages.find_session(series_slug, session_slug)
    recap = pages.load_recap(session) if session is not None else None
    if session is None or recap is None or not recap.is_published:
        abort(404)
    page = pages.build_page(session, recap)
    page.others = pages.upcoming_first(page.others, utcnow())
    return render_template("recaps/show.html", page=page, cards=pages.cards(page), is_preview=False)


@bp.route("/recap-photos/<path:filename>")
def photo(filename: str) -> ResponseReturnValue:
    """A recap photo (re-encoded at upload, random name): cacheable for a long time."""
    folder = Path(current_app.config["EVENTHUB_UPLOAD_FOLDER"]) / PHOTO_SUBFOLDER
    response = send_from_directory(folder, filename, max_age=365 * 24 * 3600)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
