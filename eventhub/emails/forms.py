"""Forms of the organiser mail pages."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from eventhub.choices import labelled_select
from eventhub.emails.announcements import AUDIENCE_LABELS, TOPIC_LABELS, Audience, Topic
from eventhub.inputs import EventhubForm
from eventhub.scheduling.models import Series


class AnnouncementForm(EventhubForm):
    subject = StringField(_l("Subject"), validators=[DataRequired(), Length(max=200)])
    body = TextAreaField(
        _l("Message"),
        validators=[DataRequired(), Length(max=20000)],
        description=_l(
            "Markdown: **bold**, *italic*, [links](https://…), lists. Scripts are removed."
        ),
    )
    audience = labelled_select(_l("Send to"), AUDIENCE_LABELS, Audience.ALL)
    topic = labelled_select(_l("About"), TOPIC_LABELS, Topic.NEW_SESSIONS)
    session_id = SelectField(_l("Sessions"), coerce=str, default="")
    batch_id = HiddenField()
    preview = SubmitField(_l("Preview"))
    send = SubmitField(_l("Send announcement"))

    def __init__(self, series: Series, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.session_id.choices = [SelectChoice("", _("All sessions of the series"))] + [
            SelectChoice(
                str(s.id), _("Webinar %(number)s: %(title)s", number=s.number, title=s.title)
            )
            for s in series.sessions
        ]

    @property
    def chosen_session_id(self) -> int | None:
        return int(self.session_id.data) if self.session_id.data else None
