"""The organiser's series list, series dashboard and session page, on scheduling's URLs.

They read several domains (registrations, mail, speakers), so they live above them all.
"""

from __future__ import annotations

from flask import render_template
from flask.typing import ResponseReturnValue

from eventhub.clock import utcnow
from eventhub.insights import dashboard
from eventhub.insights.series import series_insights
from eventhub.mail.models import MessageStatus
from eventhub.registration.availability import counts_by_session
from eventhub.scheduling import checks
from eventhub.scheduling.forms import ConfirmForm
from eventhub.scheduling.models import SessionStatus
from eventhub.scheduling.views import bp, series_or_404, session_or_404


@bp.route("/series")
def series_index() -> ResponseReturnValue:
    """Every series, newest first."""
    return render_template("scheduling/series_index.html", rows=dashboard.all_series())


@bp.route("/series/<int:series_id>")
def series_show(series_id: int) -> ResponseReturnValue:
    """The series dashboard: sessions with status, registrations and the next step."""
    series = series_or_404(series_id)
    return render_template(
        "scheduling/series_show.html",
        series=series,
        rows=dashboard.series_rows(series),
        insights=series_insights(series),
        statuses=list(MessageStatus),
        confirm_form=ConfirmForm(),
    )


@bp.route("/sessions/<int:session_id>")
def session_show(session_id: int) -> ResponseReturnValue:
    """A session: details, warnings, line-up, registrations and the actions its status allows."""
    session = session_or_404(session_id)
    counts = counts_by_session([session.id])[session.id]
    return render_template(
        "scheduling/session_show.html",
        session=session,
        series=session.series,
        warnings=checks.publish_warnings(session)
        if session.status in (SessionStatus.DRAFT, SessionStatus.PUBLISHED)
        else [],
        counts=counts,
        is_over=session.ends_at <= utcnow(),
        confirm_form=ConfirmForm(),
    )
