"""A speaker's own area: their profile, photo and sessions — nobody else's."""

from __future__ import annotations

from flask import abort, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from eventhub.speakers import services
from eventhub.speakers.forms import PhotoForm, ProfileForm
from eventhub.speakers.models import SpeakerProfile
from eventhub.speakers.views import bp, editing


def own_profile() -> SpeakerProfile:
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
    profile = own_profile()
    form = editing.profile_form(ProfileForm, profile)
    if form.validate_on_submit() and editing.save_profile(profile, form, current_user):
        return redirect(url_for("speakers.my_profile"))
    return _edit_page(profile, form, PhotoForm(formdata=None))


@bp.route("/me/photo", methods=["POST"])
def my_photo() -> ResponseReturnValue:
    """Upload or replace one's own photo."""
    profile = own_profile()
    photo_form = PhotoForm()
    if photo_form.validate_on_submit() and editing.save_photo(profile, photo_form, current_user):
        return redirect(url_for("speakers.my_profile"))
    form = editing.profile_form(ProfileForm, profile, from_request=False)
    return _edit_page(profile, form, photo_form), 400


@bp.route("/me/photo/delete", methods=["POST"])
def my_photo_delete() -> ResponseReturnValue:
    """Remove one's own photo."""
    editing.remove_photo(own_profile(), current_user)
    return redirect(url_for("speakers.my_profile"))
