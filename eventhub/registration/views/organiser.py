"""Organiser pages: registrants per session and series, exports, attendance, approvals."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import (
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select

from eventhub.extensions import db
from eventhub.inputs import int32
from eventhub.registration import attendance, exports, seats, services
from eventhub.registration.admin_forms import CancelForm, CapacityForm, ImportForm
from eventhub.registration.answers import questions_for
from eventhub.registration.availability import availability_for
from eventhub.registration.locking import begin_writer, lock_session
from eventhub.registration.models import Registration, RegistrationStatus
from eventhub.registration.views import admin_bp as bp
from eventhub.scheduling.models import Series, Session
from eventhub.teams.access import in_reach
from eventhub.transaction import change


@bp.route("/")
def index() -> ResponseReturnValue:
    """Every series one belongs to, with its sessions' seats, waitlists and approvals waiting."""
    series_list = list(
        db.session.scalars(select(Series).where(in_reach(Series.id)).order_by(Series.title))
    )
    sessions = [s for series in series_list for s in series.sessions]
    return render_template(
        "registration/organiser/index.html",
        series_list=series_list,
        availability=availability_for(sessions),
    )


def _query_args() -> dict[str, Any]:
    return exports.Filters.from_args(request.args).as_args()


def _listing(
    template_args: dict[str, Any], session_ids: list[int], series: Series
) -> ResponseReturnValue:
    filters = exports.Filters.from_args(request.args)
    page = max(request.args.get("page", 1, type=int32) or 1, 1)
    rows, total = exports.page_of(session_ids, filters, page)
    return render_template(
        "registration/organiser/registrants.html",
        series=series,
        rows=rows,
        total=total,
        page=page,
        pages=max((total + exports.PAGE_SIZE - 1) // exports.PAGE_SIZE, 1),
        filters=filters,
        counts=exports.status_counts(session_ids),
        statuses=list(RegistrationStatus),
        questions=questions_for(series.id),
        **template_args,
    )


@bp.route("/sessions/<int:session_id>")
def session_registrants(session_id: int) -> ResponseReturnValue:
    """Registrants of one session, filtered and searchable, with its capacity settings."""
    session = db.get_or_404(Session, session_id)
    capacity = CapacityForm(obj=session, formdata=None)
    return _listing(
        {
            "session": session,
            "capacity_form": capacity,
            "import_form": ImportForm(formdata=None),
            "export_url": url_for(".session_export", session_id=session.id, **_query_args()),
            "availability": availability_for([session])[session.id],
        },
        [session.id],
        session.series,
    )


@bp.route("/series/<int:series_id>")
def series_registrants(series_id: int) -> ResponseReturnValue:
    """Registrants across every session of a series."""
    series = db.get_or_404(Series, series_id)
    return _listing(
        {
            "session": None,
            "export_url": url_for(".series_export", series_id=series.id, **_query_args()),
        },
        [s.id for s in series.sessions],
        series,
    )


def _csv_response(session_ids: list[int], series: Series, filename: str) -> Response:
    filters = exports.Filters.from_args(request.args)
    questions = questions_for(series.id)
    return Response(
        stream_with_context(exports.stream_csv(session_ids, filters, questions, series.timezone)),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.route("/sessions/<int:session_id>/export.csv")
def session_export(session_id: int) -> ResponseReturnValue:
    """The session's registrants as CSV, streamed."""
    session = db.get_or_404(Session, session_id)
    return _csv_response([session.id], session.series, f"{session.series.slug}-{session.slug}.csv")


@bp.route("/series/<int:series_id>/export.csv")
def series_export(series_id: int) -> ResponseReturnValue:
    """The series' registrants as CSV, streamed."""
    series = db.get_or_404(Series, series_id)
    return _csv_response([s.id for s in series.sessions], series, f"{series.slug}.csv")


@bp.route("/sessions/<int:session_id>/capacity", methods=["POST"])
def capacity(session_id: int) -> ResponseReturnValue:
    """Change capacity and seat offers; raised capacity moves the waitlist up at once."""
    begin_writer()
    session = lock_session(session_id)
    form = CapacityForm()
    if not form.validate_on_submit():
        flash(" ".join(e for errs in form.errors.values() for e in errs), "error")
        return redirect(url_for(".session_registrants", session_id=session_id))
    session.seat_offer_hours = form.seat_offer_hours.data or None
    with change() as done:
        moved = seats.change_capacity(session, form.capacity.data)
    if not done.ok:
        return redirect(url_for(".session_registrants", session_id=session_id))
    flash(
        _("Saved.") + " " + _moved_up(len(moved)) if moved else _("Saved."),
        "success",
    )
    return redirect(url_for(".session_registrants", session_id=session_id))


def _registration(registration_id: int) -> Registration:
    return db.get_or_404(Registration, registration_id)


def _back(registration: Registration) -> ResponseReturnValue:
    target = request.form.get("next") or ""
    if target.startswith("/organiser/") and not target.startswith("//"):
        return redirect(target)
    return redirect(url_for(".session_registrants", session_id=registration.session_id))


def _decide(
    registration_id: int,
    decision: Callable[[Registration], object],
    done_message: Callable[[Registration], str],
) -> ResponseReturnValue:
    """Approve or decline one pending registration, then go back to the list it came from."""
    begin_writer()
    registration = _registration(registration_id)
    with change() as done:
        decision(registration)
    if done.ok:
        flash(done_message(registration), "success")
    return _back(registration)


@bp.route("/<int:registration_id>/approve", methods=["POST"])
def approve(registration_id: int) -> ResponseReturnValue:
    """Approve one pending registration."""
    return _decide(
        registration_id, services.approve, lambda r: _("Approved %(email)s.", email=r.email)
    )


@bp.route("/<int:registration_id>/decline", methods=["POST"])
def decline(registration_id: int) -> ResponseReturnValue:
    """Decline one pending registration; its seat passes to the waitlist."""
    return _decide(
        registration_id, services.decline, lambda r: _("Declined %(email)s.", email=r.email)
    )


def _moved_up(count: int) -> str:
    return ngettext(
        "%(num)d moved up from the waitlist.", "%(num)d moved up from the waitlist.", count
    )


@bp.route("/<int:registration_id>/cancel", methods=["GET", "POST"])
def cancel(registration_id: int) -> ResponseReturnValue:
    """Confirm, then cancel a registration with a reason sent to the attendee."""
    if request.method == "POST":
        begin_writer()
    registration = _registration(registration_id)
    form = CancelForm()
    if form.validate_on_submit():
        reason = form.reason.data or ""
        with change() as cancelled:
            moved = services.cancel(registration, by_organiser=True, reason=reason)
        if cancelled.ok:
            note = " " + _moved_up(len(moved)) if moved else ""
            flash(_("Cancelled %(email)s.", email=registration.email) + note, "success")
        return redirect(url_for(".session_registrants", session_id=registration.session_id))
    return render_template(
        "registration/organiser/cancel.html", registration=registration, form=form
    )


@bp.route("/<int:registration_id>/attendance", methods=["POST"])
def mark_attendance(registration_id: int) -> ResponseReturnValue:
    """Mark one registrant as attended or not."""
    begin_writer()
    registration = _registration(registration_id)
    with change():
        attendance.mark(registration, request.form.get("attended") == "yes")
    return _back(registration)


BULK_ACTIONS = ("approve", "decline", "attended", "not_attended")


@bp.route("/sessions/<int:session_id>/bulk", methods=["POST"])
def bulk(session_id: int) -> ResponseReturnValue:
    """Approve, decline or mark attendance for the selected registrants at once."""
    begin_writer()
    session = db.get_or_404(Session, session_id)
    action = request.form.get("action", "")
    if action not in BULK_ACTIONS:
        abort(400)
    ids = [int(i) for i in request.form.getlist("ids") if i.isdigit()]
    chosen = list(
        db.session.scalars(
            select(Registration)
            .where(Registration.session_id == session.id, Registration.id.in_(ids))
            .order_by(Registration.created_at, Registration.id)
        )
    )
    if not chosen:
        flash(_("Select at least one registrant."), "info")
        return redirect(url_for(".session_registrants", session_id=session.id))
    done, skipped = 0, 0
    with change():
        if action in ("attended", "not_attended"):
            done = attendance.mark_many(chosen, action == "attended")
        else:
            for registration in chosen:
                try:
                    (services.approve if action == "approve" else services.decline)(registration)
                    done += 1
                except services.NotAllowed:  # not awaiting approval: left as it is
                    skipped += 1
    message = ngettext("%(num)d updated.", "%(num)d updated.", done)
    if skipped:
        message += " " + ngettext(
            "%(num)d skipped (not awaiting approval).",
            "%(num)d skipped (not awaiting approval).",
            skipped,
        )
    flash(message, "success")
    return redirect(url_for(".session_registrants", session_id=session.id))


@bp.route("/sessions/<int:session_id>/attendance-import", methods=["POST"])
def import_attendance(session_id: int) -> ResponseReturnValue:
    """Mark attendance from the meeting tool's CSV; show the rows that matched nobody."""
    begin_writer()
    session = db.get_or_404(Session, session_id)
    form = ImportForm()
    if not form.validate_on_submit():
        flash(" ".join(e for errs in form.errors.values() for e in errs), "error")
        return redirect(url_for(".session_registrants", session_id=session.id))
    with change() as done:
        result = attendance.import_attendance(
            session, form.file.data.read(), min_minutes=form.min_minutes.data
        )
    if not done.ok:
        return redirect(url_for(".session_registrants", session_id=session.id))
    return render_template(
        "registration/organiser/import_result.html", session=session, result=result
    )
