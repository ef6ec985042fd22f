"""The organiser's series list and series dashboard, on the scheduling blueprint's URLs."""

from __future__ import annotations

from flask import render_template
from flask.typing import ResponseReturnValue

from eventhub.insights import dashboard
from eventhub.insights.series import series_insights
from eventhub.mail.models import MessageStatus
from eventhub.scheduling.blueprint import bp, series_or_404
from eventhub.scheduling.forms import ConfirmForm


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
