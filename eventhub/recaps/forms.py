"""Forms of the recap editor."""

from __future__ import annotations

from typing import Any

from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import URL, DataRequired, Length, Optional

from eventhub.inputs import EventhubForm
from eventhub.scheduling.models import Session


def _speaker_choices(session: Session) -> list[SelectChoice]:
    return [SelectChoice("", "No speaker (a free section)")] + [
        SelectChoice(str(link.speaker_id), link.speaker.name_line) for link in session.speaker_links
    ]


class RecapForm(EventhubForm):
    headline = StringField(
        "Headline", validators=[DataRequired(), Length(max=300)], description="The page's title."
    )
    lead = TextAreaField(
        "Lead paragraph",
        validators=[Length(max=2000)],
        description="One or two sentences that open the article (plain text).",
    )
    body_markdown = TextAreaField(
        "Closing article",
        validators=[Length(max=50000)],
        description="Markdown, shown after the speaker sections: the discussion, conclusions.",
    )
    recording_url = StringField(
        "Recording link", validators=[Optional(), URL(require_tld=False), Length(max=500)]
    )
    slides_url = StringField(
        "Slides link", validators=[Optional(), URL(require_tld=False), Length(max=500)]
    )


class _SpeakerForm(EventhubForm):
    speaker_id = SelectField("Speaker", default="")

    def __init__(self, session: Session, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.speaker_id.choices = _speaker_choices(session)

    @property
    def chosen_speaker_id(self) -> int | None:
        return int(self.speaker_id.data) if self.speaker_id.data else None


class SectionForm(_SpeakerForm):
    heading = StringField(
        "Heading", validators=[Length(max=300)], description="Empty: the speaker's name is used."
    )
    body = TextAreaField("What they said", validators=[Length(max=50000)], description="Markdown.")


class QuoteForm(_SpeakerForm):
    text = TextAreaField("Quote", validators=[DataRequired(), Length(max=2000)])


class PhotoForm(EventhubForm):
    photo = FileField("Photo", validators=[FileRequired()], description="JPEG, PNG or WebP.")
    caption = StringField("Caption", validators=[Length(max=500)])
