"""The public speaker page."""

from __future__ import annotations

from flask import abort, render_template
from flask.typing import ResponseReturnValue
from flask_login import current_user

from eventhub.speakers import queries
from eventhub.speakers.models import SpeakerProfile
from eventhub.speakers.views import bp


def _may_preview(speaker: SpeakerProfile) -> bool:
    user = current_user
    return bool(user.is_authenticated and (user.is_organiser or speaker.user_id == user.id))


@bp.route("/speakers/<slug>")
def profile(slug: str) -> ResponseReturnValue:
    """A speaker's photo, name line, bio and their public sessions, upcoming then past."""
    speaker = queries.profile_by_slug(slug)
    if speaker is None:
        abort(404)
    upcoming, past = queries.public_session_links(speaker)
    if not upcoming and not past and not _may_preview(speaker):
        # Not public until a published session names them (a line-up may still change);
        # the speaker and organisers see the page as it will look.
        abort(404)
    return render_template("speakers/profile.html", speaker=speaker, upcoming=upcoming, past=past)
