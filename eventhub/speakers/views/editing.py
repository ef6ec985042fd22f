"""Profile editing shared by the speaker's own page and the organisers' page."""

from __future__ import annotations

from flask import flash
from flask_babel import gettext as _
from werkzeug.datastructures import FileStorage

from eventhub.accounts.models import User
from eventhub.speakers import services
from eventhub.speakers.forms import PhotoForm, ProfileForm
from eventhub.speakers.models import SpeakerProfile
from eventhub.transaction import change, keep_quiet


def save_profile(profile: SpeakerProfile, form: ProfileForm, actor: User) -> bool:
    """Apply a validated form; commit and flash, or put the refusal on the form."""
    fields = form.profile_fields()
    if "email" in form:
        fields["email"] = form["email"].data
    with change(show=keep_quiet) as done:
        changes = services.update_profile(profile, actor, **fields)
    if not done.ok:
        form.form_errors.append(str(done.refusal))
        return False
    flash(
        _("Profile saved.") if changes else _("Nothing changed."), "success" if changes else "info"
    )
    return True


def save_photo(profile: SpeakerProfile, form: PhotoForm, actor: User) -> bool:
    """Store an uploaded photo; refusals become the field's error message."""
    upload = form.photo.data
    if not isinstance(upload, FileStorage):
        form.photo.errors = [_("Choose a photo to upload.")]
        return False
    with change(show=keep_quiet) as done:
        services.set_photo(profile, upload.stream, actor)
    if not done.ok:
        form.photo.errors = [str(done.refusal)]
        return False
    flash(_("Photo updated."), "success")
    return True


def remove_photo(profile: SpeakerProfile, actor: User) -> None:
    with change():
        services.remove_photo(profile, actor)
    flash(_("Photo removed; your initials are shown instead."), "info")


def profile_form(
    form_class: type[ProfileForm], profile: SpeakerProfile, *, from_request: bool = True
) -> ProfileForm:
    """The profile form, from the posted data or (for a page re-shown) from the profile."""
    form = form_class(obj=profile) if from_request else form_class(formdata=None, obj=profile)
    if not from_request or not form.is_submitted():
        form.fill_links(profile.links or [])
    return form
