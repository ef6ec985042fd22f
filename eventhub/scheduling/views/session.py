"""Organiser pages for sessions: create, edit, publish, reschedule, cancel, end, line-up."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from eventhub import signals
from eventhub.scheduling import checks, lifecycle
from eventhub.scheduling.forms import (
    CancelForm,
    ConfirmForm,
    PublishForm,
    RescheduleForm,
    SessionForm,
)
from eventhub.scheduling.models import Series, Session, SessionStatus
from eventhub.scheduling.services import session as session_service
from eventhub.scheduling.views import bp, series_or_404, session_or_404
from eventhub.scheduling.zones import to_wall_clock
from eventhub.transaction import change


def _audience(session: Session) -> int:
    """How many people a change to the session reaches (registration counts its registrants)."""
    return sum(count for _receiver, count in signals.counting_audience.send(session))


def _change_page(template: str, session: Session, form: RescheduleForm | CancelForm) -> str:
    """The page that asks for a change every registrant hears about, saying how many they are."""
    return render_template(template, session=session, form=form, registrants=_audience(session))


def _fill_times(form: SessionForm | RescheduleForm, session: Session) -> None:
    """Show stored UTC moments as wall-clock readings in the session's zone."""
    form.timezone.data = session.timezone
    names = ["starts_at"]
    if isinstance(form, SessionForm):
        names += ["registration_opens_at", "registration_closes_at"]
    for name in names:
        value = getattr(session, name)
        if value is None:
            continue
        naive, fold = to_wall_clock(value, session.timezone)
        getattr(form, name).data = naive
        getattr(form, f"{name}_fold").data = fold.value if fold else None


def _session_data(
    form: SessionForm, fallback: Session | None
) -> session_service.SessionData | None:
    moments = form.moments()
    if form.ambiguous or any(getattr(form, n).errors for n in moments):
        return None
    starts_at = moments["starts_at"] or (fallback.starts_at if fallback else None)
    assert starts_at is not None
    return session_service.SessionData(
        number=form.number.data,
        title=form.title.data or "",
        slug=(form.slug.data or "").strip() or None,
        abstract=form.abstract.data or "",
        title_zh=form.title_zh.data or "",
        abstract_zh=form.abstract_zh.data or "",
        starts_at=starts_at,
        duration_minutes=form.duration_minutes.data or 0,
        timezone=form.timezone.data,
        join_url=form.join_url.data or "",
        capacity=form.capacity.data,
        registration_opens_at=moments["registration_opens_at"],
        registration_closes_at=moments["registration_closes_at"],
        requires_approval=bool(form.requires_approval.data),
        is_join_url_hidden_until_reminder=bool(form.is_join_url_hidden_until_reminder.data),
    )


@bp.route("/series/<int:series_id>/sessions/new", methods=["GET", "POST"])
def session_new(series_id: int) -> ResponseReturnValue:
    """Add a draft session to a series."""
    series = series_or_404(series_id)
    form = SessionForm()
    if not form.is_submitted():
        form.timezone.data = series.timezone
        form.number.data = session_service.next_number(series)
    if form.validate_on_submit():
        data = _session_data(form, None)
        if data is not None:
            with change(show=form.show_errors) as done:
                session = session_service.create_session(series, data)
            if done.ok:
                flash(_("Webinar %(number)s saved as a draft.", number=session.number), "success")
                return redirect(url_for("scheduling.session_show", session_id=session.id))
    return render_template("scheduling/session_form.html", form=form, series=series, session=None)


@bp.route("/sessions/<int:session_id>/edit", methods=["GET", "POST"])
def session_edit(session_id: int) -> ResponseReturnValue:
    """Edit a session; once published its time changes only by rescheduling."""
    session = session_or_404(session_id)
    locked = session.status is not SessionStatus.DRAFT
    form = SessionForm(obj=session, time_locked=locked)
    if not form.is_submitted():
        _fill_times(form, session)
    if locked:
        form.duration_minutes.data = session.duration_minutes
    if form.validate_on_submit():
        data = _session_data(form, session)
        if data is not None:
            if locked:
                data.starts_at = session.starts_at
            with change(show=form.show_errors) as done:
                session_service.update_details(session, data)
            if done.ok:
                flash(_("Session saved."), "success")
                return redirect(url_for("scheduling.session_show", session_id=session.id))
    return render_template(
        "scheduling/session_form.html", form=form, series=session.series, session=session
    )


@bp.route("/sessions/<int:session_id>/publish", methods=["GET", "POST"])
def session_publish(session_id: int) -> ResponseReturnValue:
    """Show the warnings, then publish (warnings must be acknowledged)."""
    session = session_or_404(session_id)
    form = PublishForm()
    warnings = checks.publish_warnings(session)
    if form.validate_on_submit():
        if warnings and not form.confirm.data:
            form.confirm.errors = [_("Tick the box to publish despite the warnings.")]
        else:
            with change() as done:
                lifecycle.publish_session(session)
            if done.ok:
                flash(_("Webinar %(number)s is published.", number=session.number), "success")
            return redirect(url_for("scheduling.session_show", session_id=session.id))
    return render_template(
        "scheduling/session_publish.html", session=session, form=form, warnings=warnings
    )


@bp.route("/sessions/<int:session_id>/reschedule", methods=["GET", "POST"])
def session_reschedule(session_id: int) -> ResponseReturnValue:
    """Move a published session; every registrant gets the new time and invite."""
    session = session_or_404(session_id)
    form = RescheduleForm()
    if not form.is_submitted():
        _fill_times(form, session)
        form.duration_minutes.data = session.duration_minutes
    if form.validate_on_submit():
        starts_at = form.moment("starts_at", required=True)
        if starts_at is not None and not form.ambiguous:
            with change(show=form.show_errors) as done:
                # The new zone first: the invites sent with the notice carry it.
                session.timezone = form.timezone.data or session.timezone
                lifecycle.reschedule_session(
                    session, starts_at, form.duration_minutes.data or 0, form.reason.data or ""
                )
            if done.ok:
                flash(_("Rescheduled; registrants are being told."), "success")
                return redirect(url_for("scheduling.session_show", session_id=session.id))
    return _change_page("scheduling/session_reschedule.html", session, form)


@bp.route("/sessions/<int:session_id>/cancel", methods=["GET", "POST"])
def session_cancel(session_id: int) -> ResponseReturnValue:
    """Confirm, then cancel a session and tell its registrants."""
    session = session_or_404(session_id)
    form = CancelForm()
    if form.validate_on_submit():
        with change(show=form.show_errors) as done:
            lifecycle.cancel_session(session, form.reason.data or "")
        if done.ok:
            flash(
                _(
                    "Webinar %(number)s is cancelled; registrants are being told.",
                    number=session.number,
                ),
                "success",
            )
            return redirect(url_for("scheduling.session_show", session_id=session.id))
    return _change_page("scheduling/session_cancel.html", session, form)


@bp.route("/sessions/<int:session_id>/end", methods=["POST"])
def session_end(session_id: int) -> ResponseReturnValue:
    """Mark a session that is over as ended."""
    session = session_or_404(session_id)
    if ConfirmForm().validate_on_submit():
        with change() as ended:
            lifecycle.end_session(session)
        if ended.ok:
            flash(_("Webinar %(number)s is marked as ended.", number=session.number), "success")
    return redirect(url_for("scheduling.session_show", session_id=session.id))


@bp.route("/sessions/<int:session_id>/delete", methods=["GET", "POST"])
def session_delete(session_id: int) -> ResponseReturnValue:
    """Confirm, then delete a session nobody registered for."""
    session = session_or_404(session_id)
    series: Series = session.series
    form = ConfirmForm()
    if form.validate_on_submit():
        with change() as done:
            session_service.delete_session(session)
        if not done.ok:
            return redirect(url_for("scheduling.session_show", session_id=session_id))
        flash(_("Session deleted."), "success")
        return redirect(url_for("scheduling.series_show", series_id=series.id))
    return render_template("scheduling/session_delete.html", session=session, form=form)
