"""Forms for profiles, photos, invitations, the password step and session line-ups."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    EmailField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    PasswordField,
    SearchField,
    SelectField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    EqualTo,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from eventhub.accounts.forms import password_field
from eventhub.inputs import EventhubForm
from eventhub.speakers.models import SpeakerRole
from eventhub.speakers.queries import STATUS_LABELS
from eventhub.speakers.services import (
    MAX_LINKS,
    PROFILE_FIELDS,
    PROFILE_LENGTHS,
    SHORT_BIO_MAX,
    SpeakerError,
    clean_url,
)

HONORIFIC_SUGGESTIONS = ("Prof", "Dr", "Ir", "Mr", "Ms", "Mx", "Mrs")


def choices(pairs: Iterable[tuple[object, str | LazyString]]) -> list[SelectChoice]:
    """Select options from (value, label) pairs (WTForms 3.3 deprecates bare tuples)."""
    return [SelectChoice(str(value), label) for value, label in pairs]


ROLE_LABELS = {
    SpeakerRole.SPEAKER: _l("Speaker"),
    SpeakerRole.PANELIST: _l("Panelist"),
    SpeakerRole.MODERATOR: _l("Moderator"),
}
ROLE_CHOICES = choices((r.value, ROLE_LABELS[r]) for r in SpeakerRole)


class LinkForm(Form):
    label = StringField(_l("Label"), validators=[Optional(), Length(max=40)])
    # No Optional(): it would stop the chain before the label-without-address check.
    url = URLField(_l("Address"), validators=[Length(max=500)])

    def validate_url(self, field: Any) -> None:
        if not (field.data and field.data.strip()):
            if self.label.data and self.label.data.strip():
                raise ValidationError(_("Add the address, or clear the label."))
            return
        try:
            field.data = clean_url(field.data)
        except SpeakerError as exc:
            raise ValidationError(str(exc)) from exc


def _profile_text(
    label: LazyString,
    name: str,
    description: str | LazyString = "",
    *,
    box: type[StringField] = StringField,
    required: bool = False,
) -> StringField:
    """A profile text box, as long as the service lets that text be."""
    presence = DataRequired() if required else Optional()
    longest = Length(max=PROFILE_LENGTHS[name])
    return box(label, validators=[presence, longest], description=description)


class ProfileForm(EventhubForm):
    honorific = _profile_text(
        _l("Honorific"), "honorific", _l("As it appears before the name: Prof, Dr, Ir…")
    )
    full_name = _profile_text(_l("Full name"), "full_name", required=True)
    alternate_name = _profile_text(
        _l("Name in another script"),
        "alternate_name",
        _l("For example your name in Chinese characters."),
    )
    pronunciation = _profile_text(_l("Pronunciation"), "pronunciation", _l("How to say it."))
    position = _profile_text(_l("Position"), "position")
    organisation = _profile_text(_l("Organisation"), "organisation")
    short_bio = _profile_text(
        _l("Short bio"),
        "short_bio",
        _l("Plain text, up to %(max)s characters; shown on session pages.", max=SHORT_BIO_MAX),
        box=TextAreaField,
    )
    long_bio_markdown = _profile_text(
        _l("Long bio"),
        "long_bio_markdown",
        _l("Shown on your speaker page. Markdown: **bold**, *italic*, [links](https://…)."),
        box=TextAreaField,
    )
    # Traditional Chinese versions, shown to Chinese readers (the English ones otherwise).
    name_zh = _profile_text(
        _l("Name in Chinese characters"),
        "name_zh",
        _l("Shown first to readers of the Chinese pages, e.g. 文效忠."),
    )
    short_bio_zh = _profile_text(
        _l("Short bio in Traditional Chinese"), "short_bio_zh", box=TextAreaField
    )
    long_bio_markdown_zh = _profile_text(
        _l("Long bio in Traditional Chinese"), "long_bio_markdown_zh", box=TextAreaField
    )
    links = FieldList(FormField(LinkForm), min_entries=MAX_LINKS, max_entries=MAX_LINKS)

    def profile_fields(self) -> dict[str, Any]:
        values: dict[str, Any] = {
            name: getattr(self, name).data or ""
            for name in PROFILE_FIELDS
            if name not in ("links", "email")
        }
        values["links"] = [entry.data for entry in self.links]
        return values

    def fill_links(self, links: list[dict[str, str]]) -> None:
        for entry, link in zip(self.links, links, strict=False):
            entry.form.label.data = link.get("label", "")
            entry.form.url.data = link.get("url", "")


class OrganiserProfileForm(ProfileForm):
    email = EmailField(
        _l("Email"),
        validators=[Optional(), Length(max=320)],
        description=_l("Where the invitation goes. Never shown publicly."),
    )


class PhotoForm(EventhubForm):
    photo = FileField(
        _l("Upload a new photo"),
        validators=[FileRequired(_l("Choose a photo to upload."))],
        description=_l(
            "JPEG, PNG or WebP, up to 5 MB and 6000x6000 pixels. A square crop is made."
        ),
    )


class InviteForm(EventhubForm):
    email = EmailField(_l("Send the invitation to"), validators=[Optional(), Length(max=320)])


class SetPasswordForm(EventhubForm):
    password = password_field(
        _l("Choose a password"),
        _l("At least 10 characters; a few words make a strong, memorable password."),
    )
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[DataRequired(), EqualTo("password", _l("The two passwords differ."))],
    )


class SpeakerFilterForm(EventhubForm):
    class Meta:
        csrf = False

    q = SearchField(_l("Search"), validators=[Optional(), Length(max=100)])
    status = SelectField(
        _l("Account"),
        choices=choices([("", _l("Any")), *STATUS_LABELS.items()]),
        validators=[Optional()],
    )
    series = SelectField(_l("Series"), coerce=str, validators=[Optional()])


class AddSpeakerForm(EventhubForm):
    speaker_id = SelectField(_l("Speaker"), coerce=int, validators=[InputRequired()])
    role = SelectField(_l("Role"), choices=ROLE_CHOICES, default=SpeakerRole.SPEAKER.value)


class LineupRowForm(Form):
    link_id = HiddenField()
    role = SelectField(_l("Role"), choices=ROLE_CHOICES)
    position = IntegerField(_l("Order"), validators=[InputRequired(), NumberRange(min=1, max=99)])


class LineupForm(EventhubForm):
    rows = FieldList(FormField(LineupRowForm))
