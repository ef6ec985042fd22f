"""Public registration pages: the form for one session and whole-series sign-up."""

from __future__ import annotations

from flask import (
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from eventhub.clock import utcnow
from eventhub.i18n import current_tag, normalise
from eventhub.registration import public_data, services
from eventhub.registration import series as series_services
from eventhub.registration.answers import questions_for
from eventhub.registration.forms import (
    RegistrationForm,
    SeriesRegistrationForm,
    registration_form,
)
from eventhub.registration.locking import begin_writer
from eventhub.registration.manage_links import (
    manage_token,
)
from eventhub.registration.models import Registration, RegistrationStatus
from eventhub.registration.views import bp, registration_limited
from eventhub.transaction import change


def applicant_from_form(form: RegistrationForm, fallback_zone: str) -> services.Applicant:
    return services.Applicant(
        name=(form.name.data or "").strip(),
        email=form.email.data or "",
        timezone=form.timezone.data or fallback_zone,
        language=normalise(form.language.data) or current_tag(),
        organisation=(form.organisation.data or "").strip(),
        answers=form.answers(),
        is_marketing_consent=bool(form.marketing.data),
    )


@bp.route("/sessions/<int:session_id>/register", methods=["GET", "POST"])
@registration_limited
def register(session_id: int) -> ResponseReturnValue:
    """The registration form for one session (GET) and signing up (POST)."""
    if request.method != "POST":
        session, questions = public_data.public_session_and_questions_or_404(session_id)
        form = registration_form(questions)
        panel = public_data.panel_for(session, form)
        return render_template("registration/register.html", panel=panel, **panel)
    begin_writer()
    # Read without the lock, and only what signing up needs (the page is rebuilt only to show
    # errors): the seat lock is held only from the service's seat decision to the commit, so
    # concurrent sign-ups overlap their validation work.
    target = public_data.public_signup_target_or_404(session_id)
    form = registration_form(target.questions)
    status = 422
    if form.validate_on_submit():
        if form.is_bot:
            return redirect(url_for(".sent", session_id=session_id))
        applicant = applicant_from_form(form, target.series_timezone)
        with change(show=lambda refusal: form.form_errors.append(str(refusal))) as done:
            outcome = services.register_after_a_twin(session_id, applicant)
        if not done.ok:
            status = 409
        else:
            if not outcome.is_new:
                return redirect(url_for(".sent", session_id=session_id))
            flash(welcome(outcome.registration), "success")
            return redirect(url_for(".manage", token=manage_token(outcome.registration)))
    panel = public_data.panel_for(public_data.public_session_or_404(session_id), form)
    return render_template("registration/register.html", panel=panel, **panel), status


def welcome(registration: Registration) -> str:
    return str(WELCOME.get(registration.status, _("Your registration is saved.")))


WELCOME = {
    RegistrationStatus.CONFIRMED: _l(
        "You're registered. Your confirmation and calendar invite are on the way."
    ),
    RegistrationStatus.WAITLISTED: _l(
        "The session is full: you're on the waitlist. We'll email you the moment a seat frees up."
    ),
    RegistrationStatus.PENDING: _l(
        "Thanks! The organisers approve registrations for this session; "
        "we'll email you their answer."
    ),
}


@bp.route("/sessions/<int:session_id>/register/sent")
def sent(session_id: int) -> ResponseReturnValue:
    """After a repeat sign-up: the details went to the address, never to this browser."""
    session = public_data.public_session_or_404(session_id)
    return render_template("registration/sent.html", session=session)


@bp.route("/series/<slug>/register", methods=["GET", "POST"])
@registration_limited
def register_series(slug: str) -> ResponseReturnValue:
    """One form that registers for every upcoming session of a series."""
    if request.method == "POST":
        begin_writer()
    series = public_data.public_series_or_404(slug)
    form = registration_form(questions_for(series.id), base=SeriesRegistrationForm)
    status = 200
    if form.validate_on_submit():
        if form.is_bot:
            return render_template("registration/series_sent.html", series=series)
        applicant = applicant_from_form(form, series.timezone)
        with change(show=lambda refusal: form.form_errors.append(str(refusal))) as done:
            outcome = series_services.register_series(
                series, applicant, include_new=bool(form.include_new.data)
            )
        if not done.ok:
            status = 409
        else:
            if outcome.is_new:
                return render_template(
                    "registration/series_done.html",
                    series=series,
                    outcome=outcome,
                    manage_token=manage_token,
                )
            return render_template("registration/series_sent.html", series=series)
    elif request.method == "POST":
        status = 422
    sessions = series_services.open_sessions(series, utcnow())
    return (
        render_template(
            "registration/register_series.html", series=series, form=form, sessions=sessions
        ),
        status,
    )
