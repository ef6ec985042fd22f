"""Organiser pages: the speaker list, any profile, invitations and history."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from eventhub.clock import utcnow
from eventhub.extensions import db
from eventhub.speakers import invitations, queries, services
from eventhub.speakers.forms import (
    InviteForm,
    OrganiserProfileForm,
    PhotoForm,
    SpeakerFilterForm,
    choices,
)
from eventhub.speakers.models import SpeakerProfile
from eventhub.speakers.views import bp, editing
from eventhub.transaction import change


def _profile(speaker_id: int) -> SpeakerProfile:
    return db.get_or_404(SpeakerProfile, speaker_id)


@bp.route("/organiser/speakers")
def organiser_list() -> ResponseReturnValue:
    """All speaker profiles, filtered by name, account status or series."""
    form = SpeakerFilterForm(request.args)
    form.series.choices = choices([("", _("Any")), *queries.series_choices()])
    form.validate()
    series = form.series.data or ""
    rows = queries.profile_rows(
        search=form.q.data or "",
        status=form.status.data or "",
        series_id=int(series) if series.isdigit() else None,
    )
    return render_template(
        "speakers/organiser_list.html",
        form=form,
        rows=rows,
        labels=queries.STATUS_LABELS,
        is_filtered=any(request.args.get(k) for k in ("q", "status", "series")),
    )


@bp.route("/organiser/speakers/new", methods=["GET", "POST"])
def organiser_new() -> ResponseReturnValue:
    """Create a profile; invite the speaker from its page."""
    form = OrganiserProfileForm()
    if form.validate_on_submit():
        fields = form.profile_fields()
        fields["email"] = form.email.data
        with change(show=lambda refusal: form.form_errors.append(str(refusal))) as done:
            profile = services.create_profile(current_user, **fields)
        if done.ok:
            flash(_("Profile for %(name)s created.", name=profile.name_line), "success")
            return redirect(url_for("speakers.organiser_show", speaker_id=profile.id))
    return render_template("speakers/organiser_form.html", form=form, speaker=None)


@bp.route("/organiser/speakers/<int:speaker_id>")
def organiser_show(speaker_id: int) -> ResponseReturnValue:
    """One profile: account and invitations, sessions, and the history of changes."""
    profile = _profile(speaker_id)
    invitation_list = queries.invitations(profile)
    latest = invitation_list[0] if invitation_list else None
    return render_template(
        "speakers/organiser_show.html",
        speaker=profile,
        invitations=invitation_list,
        status=queries.account_status(profile, latest, utcnow()),
        labels=queries.STATUS_LABELS,
        links=queries.own_session_links(profile),
        history=queries.history(profile),
        invite_form=InviteForm(email=(latest.email if latest else profile.email)),
        now=utcnow(),
    )


def _edit_page(profile: SpeakerProfile, form: OrganiserProfileForm, photo: PhotoForm) -> str:
    return render_template(
        "speakers/organiser_form.html", form=form, photo_form=photo, speaker=profile
    )


@bp.route("/organiser/speakers/<int:speaker_id>/edit", methods=["GET", "POST"])
def organiser_edit(speaker_id: int) -> ResponseReturnValue:
    """Edit any profile."""
    profile = _profile(speaker_id)
    form = editing.profile_form(OrganiserProfileForm, profile)
    if form.validate_on_submit() and editing.save_profile(profile, form, current_user):
        return redirect(url_for("speakers.organiser_show", speaker_id=profile.id))
    return _edit_page(profile, form, PhotoForm(formdata=None))


@bp.route("/organiser/speakers/<int:speaker_id>/photo", methods=["POST"])
def organiser_photo(speaker_id: int) -> ResponseReturnValue:
    """Upload or replace a speaker's photo."""
    profile = _profile(speaker_id)
    photo_form = PhotoForm()
    if photo_form.validate_on_submit() and editing.save_photo(profile, photo_form, current_user):
        return redirect(url_for("speakers.organiser_edit", speaker_id=profile.id))
    form = editing.profile_form(OrganiserProfileForm, profile, from_request=False)
    return _edit_page(profile, form, photo_form), 400


@bp.route("/organiser/speakers/<int:speaker_id>/photo/delete", methods=["POST"])
def organiser_photo_delete(speaker_id: int) -> ResponseReturnValue:
    """Remove a speaker's photo."""
    profile = _profile(speaker_id)
    editing.remove_photo(profile, current_user)
    return redirect(url_for("speakers.organiser_edit", speaker_id=profile.id))


def _send(speaker_id: int, *, resend: bool) -> ResponseReturnValue:
    profile = _profile(speaker_id)
    form = InviteForm()
    with change() as done:
        if resend:
            invitation = invitations.resend(profile, current_user)
        else:
            invitation = invitations.invite(profile, form.email.data, current_user)
    if done.ok:
        days = invitations.valid_days()
        flash(
            ngettext(
                "Invitation sent to %(email)s; the link works for %(num)d day.",
                "Invitation sent to %(email)s; the link works for %(num)d days.",
                days,
                email=invitation.email,
            ),
            "success",
        )
    return redirect(url_for("speakers.organiser_show", speaker_id=speaker_id))


@bp.route("/organiser/speakers/<int:speaker_id>/invite", methods=["POST"])
def organiser_invite(speaker_id: int) -> ResponseReturnValue:
    """Email the speaker a signed link to set their password."""
    return _send(speaker_id, resend=False)


@bp.route("/organiser/speakers/<int:speaker_id>/resend", methods=["POST"])
def organiser_resend(speaker_id: int) -> ResponseReturnValue:
    """Send a fresh link; the earlier one stops working."""
    return _send(speaker_id, resend=True)


@bp.route("/organiser/speakers/<int:speaker_id>/revoke", methods=["POST"])
def organiser_revoke(speaker_id: int) -> ResponseReturnValue:
    """Make the open invitation link unusable."""
    profile = _profile(speaker_id)
    with change():
        count = invitations.revoke(profile, current_user)
    flash(_("Invitation revoked.") if count else _("There was no open invitation."), "info")
    return redirect(url_for("speakers.organiser_show", speaker_id=speaker_id))


@bp.route("/organiser/speakers/<int:speaker_id>/delete", methods=["POST"])
def organiser_delete(speaker_id: int) -> ResponseReturnValue:
    """Delete a profile that is in no session (a duplicate, a speaker who withdrew)."""
    profile = _profile(speaker_id)
    name = profile.name_line
    with change() as done:
        services.delete_profile(profile)
    if not done.ok:
        return redirect(url_for("speakers.organiser_show", speaker_id=speaker_id))
    flash(_("Profile of %(name)s deleted.", name=name), "info")
    return redirect(url_for("speakers.organiser_list"))
