"""Attendees' copy of their data and erasure (manage link), and the organiser's erasure page."""

from __future__ import annotations

import json

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from eventhub.clock import utcnow
from eventhub.i18n import use_series_language
from eventhub.privacy.erasure import (
    ORGANISER_ERASURE,
    SELF_ERASURE,
    erase_person,
    owned_series_ids,
)
from eventhub.privacy.forms import ErasureForm
from eventhub.privacy.personal_data import personal_data
from eventhub.registration.locking import begin_writer
from eventhub.registration.manage_links import registration_for_token_or_404
from eventhub.teams.access import current_actor
from eventhub.transaction import change

bp = Blueprint("privacy", __name__)


@bp.route("/manage/<token>/my-data.json")
def download(token: str) -> ResponseReturnValue:
    """Everything held about the link's address, in every series, as a JSON file."""
    registration = registration_for_token_or_404(token)
    document = personal_data(registration.email, utcnow())
    return Response(
        json.dumps(document, ensure_ascii=False, indent=2),
        mimetype="application/json",
        headers={
            "Content-Disposition": 'attachment; filename="my-eventhub-data.json"',
            "Cache-Control": "no-store",
        },
    )


@bp.route("/manage/<token>/erase", methods=["GET", "POST"])
def erase(token: str) -> ResponseReturnValue:
    """Confirm (GET) and erase (POST) everything held about the link's address."""
    if request.method == "POST":
        begin_writer()
    registration = registration_for_token_or_404(token)
    # Without a choice of the reader's own, the pages speak the language of their emails.
    use_series_language(registration.language)
    if request.method == "POST":
        with change():
            erase_person(registration.email, series_ids=None, actor=None, action=SELF_ERASURE)
        flash(_("Your personal data is erased. This link no longer works."), "success")
        return redirect(url_for(".erased", lang=registration.language))
    return render_template(
        "privacy/erase.html",
        registration=registration,
        series=registration.session.series,
        token=token,
    )


@bp.route("/privacy/erased")
def erased() -> ResponseReturnValue:
    """Where an erasure ends: the manage link is gone, so nothing of the person is shown."""
    # The language their emails were in, unless the reader chose one (unknown tags: ignored).
    use_series_language(request.args.get("lang"))
    return render_template("privacy/erased.html")


@bp.route("/organiser/privacy/erase", methods=["GET", "POST"])
def organiser_erase() -> ResponseReturnValue:
    """Erase a person by address in the series the organiser owns (an admin: everywhere)."""
    actor = current_actor()
    if actor is None:  # the access hook lets only organisers in
        abort(403)
    scope = owned_series_ids(actor)
    form = ErasureForm()
    if form.validate_on_submit():
        begin_writer()
        with change():
            outcome = erase_person(
                form.email.data or "", series_ids=scope, actor=actor, action=ORGANISER_ERASURE
            )
        if outcome.found_anything:
            flash(
                _(
                    "Erased: %(registrations)s registration(s) in %(series)s series; "
                    "%(cancelled)s unsent email(s) cancelled.",
                    registrations=outcome.registrations + outcome.series_registrations,
                    series=len(outcome.series_ids),
                    cancelled=outcome.messages_cancelled,
                ),
                "success",
            )
        else:
            flash(_("Nothing of that address is held in the series you own."), "info")
        return redirect(url_for(".organiser_erase"))
    return render_template(
        "privacy/organiser_erase.html",
        form=form,
        owns_any=scope is None or bool(scope),
        everywhere=scope is None,
    )
