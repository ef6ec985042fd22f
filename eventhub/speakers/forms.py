"""Forms for profiles, photos, invitations, the password step and session line-ups."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

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

from eventhub.inputs import EventhubForm
from eventhub.speakers.models import SpeakerRole
from eventhub.speakers.queries import STATUS_LABELS
from eventhub.speakers.services import (
    LONG_BIO_MAX,
    MAX_LINKS,
    PROFILE_FIELDS,
    SHORT_BIO_MAX,
    SpeakerError,
    clean_url,
)

HONORIFIC_SUGGESTIONS = ("Prof", "Dr", "Ir", "Mr", "Ms", "Mx", "Mrs")


def choices(pairs: Iterable[tuple[object, str]]) -> list[SelectChoice]:
    """Select options from (value, label) pairs (WTForms 3.3 deprecates bare tuples)."""
    return [SelectChoice(str(value), label) for value, label in pairs]


ROLE_CHOICES = choices((r.value, r.value.capitalize()) for r in SpeakerRole)


class LinkForm(Form):
    label = StringField("Label", validators=[Optional(), Length(max=40)])
    # No Optional(): it would stop the chain before the label-without-address check.
    url = URLField("Address", validators=[Length(max=500)])

    def validate_url(self, field: Any) -> None:
        if not (field.data and field.data.strip()):
            if self.label.data and self.label.data.strip():
                raise ValidationError("Add the address, or clear the label.")
            return
        try:
            field.data = clean_url(field.data)
        except SpeakerError as exc:
            raise ValidationError(str(exc)) from exc


class ProfileForm(EventhubForm):
    honorific = StringField(
        "Honorific",
        validators=[Optional(), Length(max=40)],
        description="As it appears before the name: Prof, Dr, Ir…",
    )
    full_name = StringField("Full name", validators=[DataRequired(), Length(max=200)])
    alternate_name = StringField(
        "Name in another script",
        validators=[Optional(), Length(max=200)],
        description="For example your name in Chinese characters.",
    )
    pronunciation = StringField(
        "Pronunciation", validators=[Optional(), Length(max=200)], description="How to say it."
    )
    position = StringField("Position", validators=[Optional(), Length(max=200)])
    organisation = StringField("Organisation", validators=[Optional(), Length(max=200)])
    short_bio = TextAreaField(
        "Short bio",
        validators=[Optional(), Length(max=SHORT_BIO_MAX)],
        description=f"Plain text, up to {SHORT_BIO_MAX} characters; shown on session pages.",
    )
    long_bio_markdown = TextAreaField(
        "Long bio",
        validators=[Optional(), Length(max=LONG_BIO_MAX)],
        description="Shown on your speaker page. Markdown: **bold**, *italic*, [links](https://…).",
    )
    # Traditional Chinese versions, shown to Chinese readers (the English ones otherwise).
    name_zh = StringField(
        "Name in Chinese characters",
        validators=[Optional(), Length(max=200)],
        description="Shown first to readers of the Chinese pages, e.g. 文效忠.",
    )
    short_bio_zh = TextAreaField(
        "Short bio in Traditional Chinese", validators=[Optional(), Length(max=SHORT_BIO_MAX)]
    )
    long_bio_markdown_zh = TextAreaField(
        "Long bio in Traditional Chinese", validators=[Optional(), Length(max=LONG_BIO_MAX)]
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
        "Email",
        validators=[Optional(), Length(max=320)],
        description="Where the invitation goes. Never shown publicly.",
    )


class PhotoForm(EventhubForm):
    photo = FileField(
        "Upload a new photo",
        validators=[FileRequired("Choose a photo to upload.")],
        description="JPEG, PNG or WebP, up to 5 MB and 6000x6000 pixels. A square crop is made.",
    )


class InviteForm(EventhubForm):
    email = EmailField("Send the invitation to", validators=[Optional(), Length(max=320)])


class SetPasswordForm(EventhubForm):
    password = PasswordField(
        "Choose a password",
        validators=[DataRequired(), Length(max=200)],
        description="At least 10 characters; a few words make a strong, memorable password.",
    )
    confirm = PasswordField(
        "Repeat the password",
        validators=[DataRequired(), EqualTo("password", "The two passwords differ.")],
    )


class SpeakerFilterForm(EventhubForm):
    class Meta:
        csrf = False

    q = SearchField("Search", validators=[Optional(), Length(max=100)])
    status = SelectField(
        "Account", choices=choices([("", "Any"), *STATUS_LABELS.items()]), validators=[Optional()]
    )
    series = SelectField("Series", coerce=str, validators=[Optional()])


class AddSpeakerForm(EventhubForm):
    speaker_id = SelectField("Speaker", coerce=int, validators=[InputRequired()])
    role = SelectField("Role", choices=ROLE_CHOICES, default=SpeakerRole.SPEAKER.value)


class LineupRowForm(Form):
    link_id = HiddenField()
    role = SelectField("Role", choices=ROLE_CHOICES)
    position = IntegerField("Order", validators=[InputRequired(), NumberRange(min=1, max=99)])


class LineupForm(EventhubForm):
    rows = FieldList(FormField(LineupRowForm))
