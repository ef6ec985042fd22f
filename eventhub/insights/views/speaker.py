"""A speaker's own sessions page, on the speakers blueprint's URL.

It reads registrations (how many registered) as well as the line-up, so it lives above both.
"""

from __future__ import annotations

from flask import render_template
from flask.typing import ResponseReturnValue

from eventhub.clock import utcnow
from eventhub.registration.availability import availability_for
from eventhub.speakers import queries
from eventhub.speakers.views import bp
from eventhub.speakers.views.me import own_profile


@bp.route("/me/sessions")
def my_sessions() -> ResponseReturnValue:
    """The sessions one speaks in: time, role, join link and how many registered."""
    profile = own_profile()
    links = queries.own_session_links(profile)
    counts = availability_for(link.session for link in links)
    now = utcnow()
    return render_template(
        "speakers/me_sessions.html",
        speaker=profile,
        upcoming=[link for link in links if link.session.ends_at >= now],
        past=[link for link in reversed(links) if link.session.ends_at < now],
        availability=counts,
    )
