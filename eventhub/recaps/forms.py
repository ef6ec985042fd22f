"""Forms of the recap editor."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import Field, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import URL, Length, Optional, ValidationError

from eventhub.i18n import speaker_name
from eventhub.inputs import EventhubForm
from eventhub.scheduling.models import Session
from eventhub.speakers.models import lineup_of

# Each text has an optional Traditional Chinese version: Chinese readers see it, everyone
# else the English one, and either falls back to the other when it is empty.
ZH_HELP = _l("Optional. Chinese readers see it; either language falls back to the other.")


def _speaker_choices(session: Session) -> list[SelectChoice]:
    return [SelectChoice("", str(_l("No speaker (a free section)")))] + [
        SelectChoice(str(link.speaker_id), speaker_name(link.speaker))
        for link in lineup_of(session)
    ]


class RecapForm(EventhubForm):
    headline = StringField(
        _l("Headline"),
        validators=[Length(max=300)],
        description=_l("The page's title."),
    )
    headline_zh = StringField(
        _l("Headline in Traditional Chinese"), validators=[Length(max=300)], description=ZH_HELP
    )
    lead = TextAreaField(
        _l("Lead paragraph"),
        validators=[Length(max=2000)],
        description=_l("One or two sentences that open the article (plain text)."),
    )
    lead_zh = TextAreaField(
        _l("Lead paragraph in Traditional Chinese"),
        validators=[Length(max=2000)],
        description=ZH_HELP,
    )
    body_markdown = TextAreaField(
        _l("Closing article"),
        validators=[Length(max=50000)],
        description=_l("Markdown, shown after the speaker sections: the discussion, conclusions."),
    )
    body_markdown_zh = TextAreaField(
        _l("Closing article in Traditional Chinese"),
        validators=[Length(max=50000)],
        description=ZH_HELP,
    )
    recording_url = StringField(
        _l("Recording link"), validators=[Optional(), URL(require_tld=False), Length(max=500)]
    )
    slides_url = StringField(
        _l("Slides link"), validators=[Optional(), URL(require_tld=False), Length(max=500)]
    )

    def validate_headline(self, field: Field) -> None:
        # A Chinese-only recap is fine; a recap with no headline at all is not.
        if not (field.data or "").strip() and not (self.headline_zh.data or "").strip():
            raise ValidationError(_l("Give the recap a headline, in either language."))


class _SpeakerForm(EventhubForm):
    speaker_id = SelectField(_l("Speaker"), default="")

    def __init__(self, session: Session, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.speaker_id.choices = _speaker_choices(session)

    @property
    def chosen_speaker_id(self) -> int | None:
        return int(self.speaker_id.data) if self.speaker_id.data else None


class SectionForm(_SpeakerForm):
    heading = StringField(
        _l("Heading"),
        validators=[Length(max=300)],
        description=_l("Empty: the speaker's name is used."),
    )
    heading_zh = StringField(
        _l("Heading in Traditional Chinese"), validators=[Length(max=300)], description=ZH_HELP
    )
    body = TextAreaField(
        _l("What they said"), validators=[Length(max=50000)], description=_l("Markdown.")
    )
    body_zh = TextAreaField(
        _l("What they said, in Traditional Chinese"),
        validators=[Length(max=50000)],
        description=ZH_HELP,
    )


class QuoteForm(_SpeakerForm):
    text = TextAreaField(_l("Quote"), validators=[Length(max=2000)])
    text_zh = TextAreaField(
        _l("Quote in Traditional Chinese"), validators=[Length(max=2000)], description=ZH_HELP
    )

    def validate_text(self, field: Field) -> None:
        if not (field.data or "").strip() and not (self.text_zh.data or "").strip():
            raise ValidationError(_l("Write the quote, in either language."))


class PhotoForm(EventhubForm):
    photo = FileField(
        _l("Photo"), validators=[FileRequired()], description=_l("JPEG, PNG or WebP.")
    )
    caption = StringField(_l("Caption"), validators=[Length(max=500)])
