"""The public recap page ("Read more"): the article of a past webinar."""

from __future__ import annotations

from flask import abort, render_template
from flask.typing import ResponseReturnValue

from eventhub.clock import utcnow
from eventhub.i18n import use_series_language
from eventhub.public.queries import public_session
from eventhub.public.views import recaps_bp as bp
from eventhub.recaps import pages


@bp.route("/series/<series_slug>/<session_slug>/recap")
def show(series_slug: str, session_slug: str) -> ResponseReturnValue:
    """A published recap; anything else is not found."""
    session = public_session(series_slug, session_slug)
    recap = pages.load_recap(session) if session is not None else None
    if session is None or recap is None or not recap.is_published:
        abort(404)
    use_series_language(session.series.default_language)
    page = pages.build_page(session, recap)
    page.others = pages.upcoming_first(page.others, utcnow())
    return render_template("recaps/show.html", page=page, cards=pages.cards(page), is_preview=False)
