"""Organiser pages for series: create, edit, duplicate, delete (the dashboard is insights')."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from eventhub.scheduling import banner
from eventhub.scheduling.forms import ConfirmForm, SeriesForm, format_offsets
from eventhub.scheduling.models import Series
from eventhub.scheduling.services import series as series_service
from eventhub.scheduling.views import bp, series_or_404
from eventhub.transaction import change


def _series_data(form: SeriesForm) -> series_service.SeriesData:
    return series_service.SeriesData(
        title=form.title.data or "",
        slug=(form.slug.data or "").strip() or None,
        summary=form.summary.data or "",
        title_zh=form.title_zh.data or "",
        summary_zh=form.summary_zh.data or "",
        default_language=form.default_language.data or "en",
        timezone=form.timezone.data or "",
        reminder_offsets_minutes=form.offsets(),
        follow_up_delay_minutes=form.follow_up_delay_minutes.data or 0,
        is_published=bool(form.is_published.data),
        privacy_statement=form.privacy_statement.data or "",
    )


def _store_banner(form: SeriesForm, series: Series) -> None:
    upload = form.banner.data
    if form.remove_banner.data and series.banner_path:
        banner.discard_banner(series.banner_path)
        series.banner_path = None
    if upload and getattr(upload, "filename", ""):
        old = series.banner_path
        series.banner_path = banner.store_banner(upload.stream)
        banner.discard_banner(old)


@bp.route("/series/new", methods=["GET", "POST"])
def series_new() -> ResponseReturnValue:
    """Create a series."""
    form = SeriesForm()
    if not form.is_submitted():
        form.timezone.data = current_app.config["EVENTHUB_TIMEZONE"]
    if form.validate_on_submit():
        with change(show=form.show_errors) as done:
            series = series_service.create_series(_series_data(form), current_user)
            _store_banner(form, series)
        if done.ok:
            flash(
                _("Series “%(title)s” created. Add its first session.", title=series.title),
                "success",
            )
            return redirect(url_for("scheduling.series_show", series_id=series.id))
    return render_template("scheduling/series_form.html", form=form, series=None)


@bp.route("/series/<int:series_id>/edit", methods=["GET", "POST"])
def series_edit(series_id: int) -> ResponseReturnValue:
    """Change a series' settings."""
    series = series_or_404(series_id)
    form = SeriesForm(obj=series)
    if not form.is_submitted():
        form.reminder_offsets.data = format_offsets(series.reminder_offsets_minutes)
    if form.validate_on_submit():
        with change(show=form.show_errors) as done:
            series_service.update_series(series, _series_data(form))
            _store_banner(form, series)
        if done.ok:
            flash(_("Series saved."), "success")
            return redirect(url_for("scheduling.series_show", series_id=series.id))
    return render_template("scheduling/series_form.html", form=form, series=series)


@bp.route("/series/<int:series_id>/duplicate", methods=["POST"])
def series_duplicate(series_id: int) -> ResponseReturnValue:
    """Copy a series and its sessions as unpublished drafts."""
    series = series_or_404(series_id)
    if not ConfirmForm().validate_on_submit():
        flash(_("The form expired; try again."), "error")
        return redirect(url_for("scheduling.series_show", series_id=series.id))
    with change():
        copy = series_service.duplicate_series(series, current_user)
    flash(
        _("Copied as “%(title)s”: every session is a draft; check the dates.", title=copy.title),
        "success",
    )
    return redirect(url_for("scheduling.series_show", series_id=copy.id))


@bp.route("/series/<int:series_id>/delete", methods=["GET", "POST"])
def series_delete(series_id: int) -> ResponseReturnValue:
    """Confirm, then delete a series nothing depends on."""
    series = series_or_404(series_id)
    form = ConfirmForm()
    reasons = series_service.dependants(series)
    if form.validate_on_submit():
        title, old_banner = series.title, series.banner_path
        with change() as done:
            series_service.delete_series(series)
            banner.discard_banner(old_banner)
        if not done.ok:
            return redirect(url_for("scheduling.series_show", series_id=series_id))
        flash(_("Series “%(title)s” deleted.", title=title), "success")
        return redirect(url_for("scheduling.series_index"))
    return render_template(
        "scheduling/series_delete.html", series=series, form=form, reasons=reasons
    )
