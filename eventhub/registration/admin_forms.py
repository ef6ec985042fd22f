"""Organiser forms: capacity, cancellation with a reason, attendance import, questions."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from eventhub.choices import labelled_select
from eventhub.inputs import EventhubForm
from eventhub.registration.models import QuestionKind

KIND_LABELS = {
    QuestionKind.SHORT_TEXT: _l("Short text"),
    QuestionKind.LONG_TEXT: _l("Long text"),
    QuestionKind.SINGLE_CHOICE: _l("Single choice"),
    QuestionKind.MULTIPLE_CHOICE: _l("Multiple choice"),
}


class CapacityForm(EventhubForm):
    capacity = IntegerField(
        _l("Capacity"),
        validators=[Optional(), NumberRange(min=0, max=1_000_000)],
        description=_l("Leave empty for no limit. Raising it moves people up from the waitlist."),
    )
    seat_offer_hours = IntegerField(
        _l("Offer freed seats for (hours)"),
        validators=[Optional(), NumberRange(min=1, max=24 * 14)],
        description=_l(
            "Empty: a freed seat goes to the next person at once. Otherwise it is offered "
            "for this many hours and passes on if not taken."
        ),
    )


class CancelForm(EventhubForm):
    reason = TextAreaField(
        _l("Reason (sent to the attendee)"), validators=[Optional(), Length(max=2000)]
    )


class ImportForm(EventhubForm):
    file = FileField(
        _l("Attendance report"),
        description=_l(
            "Zoom webinar or meeting report, Microsoft Teams attendance list, Google Meet "
            "attendance sheet (as CSV), or a CSV of emails."
        ),
        validators=[FileRequired(_l("Choose the report file."))],
    )
    min_minutes = IntegerField(
        _l("Minimum minutes present"),
        description=_l("Leave empty to count anyone who joined."),
        validators=[Optional(), NumberRange(min=1, max=24 * 60)],
    )


class QuestionForm(EventhubForm):
    label = StringField(_l("Question"), validators=[DataRequired(), Length(max=300)])
    help_text = StringField(_l("Help text"), validators=[Optional(), Length(max=500)])
    kind = labelled_select(_l("Kind"), KIND_LABELS, QuestionKind.SHORT_TEXT)
    choices = TextAreaField(
        _l("Choices"),
        validators=[Optional(), Length(max=5000)],
        description=_l("For single and multiple choice: one option per line."),
    )
    is_required = BooleanField(_l("Required"))
