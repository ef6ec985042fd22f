"""The public speaker page."""

from __future__ import annotations

from flask import abort, render_template
from flask.typing import ResponseReturnValue

from eventhub.speakers import queries
from eventhub.speakers.views.blueprint import bp


@bp.route("/speakers/<slug>")
def profile(slug: str) -> ResponseReturnValue:
    """A speaker's photo, name line, bio and their public sessions, upcoming then past."""
    speaker = queries.profile_by_slug(slug)
    if speaker is None:
        abort(404)
    upcoming, past = queries.public_session_links(speaker)
    return render_template("speakers/profile.html", speaker=speaker, upcoming=upcoming, past=past)
