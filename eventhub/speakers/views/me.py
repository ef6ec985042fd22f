"""A speaker's own area: their profile, photo and sessions — nobody else's."""

from __future__ import annotations

from flask import abort, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from eventhub.clock import utcnow
from eventhub.registration.availability import availability_for
from eventhub.speakers import queries, services
from eventhub.speakers.forms import PhotoForm, ProfileForm
from eventhub.speakers.models import SpeakerProfile
from eventhub.speakers.views import editing
from eventhub.speakers.views.blueprint import bp


def _own_profile() -> SpeakerProfile:
    # The profile is found from the logged-in account only; no route takes a profile id.
    profile = services.profile_for_user(current_user)
    if profile is None:
        abort(404)
    return profile


def _edit_page(profile: SpeakerProfile, form: ProfileForm, photo_form: PhotoForm) -> str:
    return render_template(
        "speakers/me_profile.html", speaker=profile, form=form, photo_form=photo_form
    )


@bp.route("/me/")
def my_home() -> ResponseReturnValue:
    """The speaker's landing page is their profile."""
    return redirect(url_for("speakers.my_profile"))


@bp.route("/me/profile", methods=["GET", "POST"])
def my_profile() -> ResponseReturnValue:
    """Edit one's own profile."""
    profile = _own_profile()
    form = editing.profile_form(ProfileForm, profile)
    if form.validate_on_submit() and editing.save_profile(profile, form, current_user):
        return redirect(url_for("speakers.my_profile"))
    return _edit_page(profile, form, PhotoForm(formdata=None))


@bp.route("/me/photo", methods=["POST"])
def my_photo() -> ResponseReturnValue:
    """Upload or replace one's own photo."""
    profile = _own_profile()
    photo_form = PhotoForm()
    if photo_form.validate_on_submit() and editing.save_photo(profile, photo_form, current_user):
        return redirect(url_for("speakers.my_profile"))
    form = editing.profile_form(ProfileForm, profile, from_request=False)
    return _edit_page(profile, form, photo_form), 400


@bp.route("/me/photo/delete", methods=["POST"])
def my_photo_delete() -> ResponseReturnValue:
    """Remove one's own photo."""
    editing.remove_photo(_own_profile(), current_user)
    return redirect(url_for("speakers.my_profile"))


@bp.route("/me/sessions")
def my_sessions() -> ResponseReturnValue:
    """The sessions one speaks in: time, role, join link and how many registered."""
    profile = _own_profile()
    links = queries.own_session_links(profile)
    counts = availability_for(link.session for link in links)
    now = utcnow()
    return render_template(
        "speakers/me_sessions.html",
        speaker=profile,
        upcoming=[link for link in links if link.session.ends_at >= now],
        past=[link for link in reversed(links) if link.session.ends_at < now],
        availability=counts,
    )
