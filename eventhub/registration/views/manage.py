"""The attendee's private manage pages, reached by the signed link in every email: cancel,
accept an offered seat, switch session, change details, calendar file, leave a series."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from eventhub.i18n import localised, use_series_language
from eventhub.registration import public_data, services
from eventhub.registration import series as series_services
from eventhub.registration.forms import DetailsForm, SwitchForm
from eventhub.registration.invites import invite_attachment
from eventhub.registration.locking import begin_writer
from eventhub.registration.manage_links import (
    manage_token,
    registration_for_token_or_404,
    series_registration_for_token,
    series_token,
)
from eventhub.registration.models import ACTIVE, RegistrationStatus
from eventhub.registration.unsubscribe import unsubscribe
from eventhub.registration.views import bp
from eventhub.registration.views.public import welcome
from eventhub.scheduling.calendar import public_calendar
from eventhub.transaction import change, flash_refusal


@bp.route("/manage/<token>")
def manage(token: str) -> ResponseReturnValue:
    """What you registered for, in your time zone, with what you can do about it."""
    registration = registration_for_token_or_404(token)
    # Without a choice of the reader's own, the page speaks the language of their emails.
    use_series_language(registration.language)
    switch = SwitchForm()
    switch.target.choices = public_data.switch_choices(registration)
    return render_template(
        "registration/manage.html",
        registration=registration,
        session=registration.session,
        series=registration.session.series,
        token=token,
        details=DetailsForm(obj=registration),
        switch=switch,
        position=public_data.waitlist_position(registration),
        is_active=registration.status in ACTIVE,
        series_token=(
            series_token(registration.series_registration)
            if registration.series_registration is not None
            else None
        ),
    )


@bp.route("/manage/<token>/cancel", methods=["GET", "POST"])
def cancel(token: str) -> ResponseReturnValue:
    """Confirm (GET) and cancel (POST) the registration; a freed seat goes to the waitlist."""
    if request.method == "POST":
        begin_writer()
    registration = registration_for_token_or_404(token)
    if request.method == "POST":
        with change(show=lambda refusal: flash_refusal(refusal, "info")) as attempt:
            services.cancel(registration)
        if attempt.ok:
            flash(_("Your registration is cancelled. Thank you for freeing your seat."), "success")
        return redirect(url_for(".manage", token=token))
    return render_template(
        "registration/cancel.html",
        registration=registration,
        session=registration.session,
        token=token,
    )


@bp.route("/manage/<token>/offer", methods=["POST"])
def accept_offer(token: str) -> ResponseReturnValue:
    """Take the seat offered from the waitlist."""
    begin_writer()
    registration = registration_for_token_or_404(token)
    with change() as done:
        services.accept_offer(registration)
    if done.ok:
        flash(_("The seat is yours. Your calendar invite is on the way."), "success")
    return redirect(url_for(".manage", token=token))


@bp.route("/manage/<token>/switch", methods=["POST"])
def switch(token: str) -> ResponseReturnValue:
    """Move the registration to another session of the series."""
    begin_writer()
    registration = registration_for_token_or_404(token)
    form = SwitchForm()
    form.target.choices = public_data.switch_choices(registration)
    if not form.validate_on_submit():
        flash(_("Choose one of the sessions listed."), "error")
        return redirect(url_for(".manage", token=token))
    with change() as done:
        outcome = services.switch(registration, int(form.target.data))
    if not done.ok:
        return redirect(url_for(".manage", token=token))
    flash(welcome(outcome.registration), "success")
    return redirect(url_for(".manage", token=manage_token(outcome.registration)))


@bp.route("/manage/<token>/details", methods=["POST"])
def details(token: str) -> ResponseReturnValue:
    """Correct the name or organisation on the registration."""
    begin_writer()
    registration = registration_for_token_or_404(token)
    form = DetailsForm()
    if form.validate_on_submit():
        with change():
            services.update_details(
                registration, form.name.data or "", form.organisation.data or ""
            )
        flash(_("Your details are updated."), "success")
    else:
        flash(" ".join(e for errors in form.errors.values() for e in errors), "error")
    return redirect(url_for(".manage", token=token))


@bp.route("/manage/<token>/calendar.ics")
def calendar(token: str) -> ResponseReturnValue:
    """The session as an .ics file for the attendee's calendar."""
    registration = registration_for_token_or_404(token)
    if registration.status is RegistrationStatus.CONFIRMED:
        attachment = invite_attachment(registration)
        body = attachment.data
    else:  # no seat (yet): the public calendar, without the join link
        attachment = None
        body = public_calendar([registration.session], name=registration.session.title)
    filename = attachment.filename if attachment else "webinar.ics"
    return Response(
        body,
        mimetype="text/calendar",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.route("/manage/<token>/unsubscribe", methods=["GET", "POST"])
def unsubscribe_series(token: str) -> ResponseReturnValue:
    """Stop series news (follow-ups, announcements); a GET only asks."""
    if request.method == "POST":
        begin_writer()
    registration = registration_for_token_or_404(token)
    series = registration.session.series
    if request.method == "POST":
        with change():
            unsubscribe(series.id, registration.email)
        flash(
            _("You will get no more news from %(title)s.", title=localised(series, "title")),
            "success",
        )
        return redirect(url_for(".manage", token=token))
    return render_template(
        "registration/unsubscribe.html", registration=registration, series=series, token=token
    )


@bp.route("/manage/series/<token>", methods=["GET", "POST"])
def manage_series(token: str) -> ResponseReturnValue:
    """A whole-series registration: stop joining new sessions, or leave the series."""
    if request.method == "POST":
        begin_writer()
    found = series_registration_for_token(token)
    if found is None:
        abort(404)
    if request.method == "POST":
        action = request.form.get("action")
        with change():
            if action == "cancel":
                series_services.cancel_series(found)
                flash(
                    _("You have left the series; your session registrations are cancelled."),
                    "success",
                )
            elif action in ("opt_out", "opt_in"):
                found.is_opted_out_of_new_sessions = action == "opt_out"
                flash(_("Saved."), "success")
            else:
                abort(400)
        return redirect(url_for(".manage_series", token=token))
    return render_template(
        "registration/manage_series.html",
        series_registration=found,
        series=found.series,
        registrations=series_services.registrations_of(found),
        manage_token=manage_token,
    )
