"""Public forms: registering (with the organiser's questions) and managing a registration."""

from __future__ import annotations

from typing import Any

from email_validator import EmailNotValidError, validate_email
from wtforms import (
    BooleanField,
    EmailField,
    Field,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from eventhub.inputs import EventhubForm
from eventhub.registration.answers import check_answer
from eventhub.registration.models import QuestionKind, RegistrationQuestion
from eventhub.timefmt import is_valid_zone

HONEYPOT = "website"


def normalise_email(raw: str) -> str:
    """Validated, normalised and lower-cased: one address, one seat."""
    result = validate_email(raw.strip(), check_deliverability=False)
    return result.normalized.lower()


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class RegistrationForm(EventhubForm):
    name = StringField("Name", validators=[DataRequired("Tell us your name."), Length(max=200)])
    email = EmailField(
        "Email", validators=[DataRequired("We need an email to send your invite to.")]
    )
    organisation = StringField("Organisation", validators=[Optional(), Length(max=200)])
    timezone = StringField(
        "Your time zone",
        description="Times in your emails use this zone, e.g. Europe/London.",
        validators=[Optional(), Length(max=64)],
        render_kw={"data-browser-timezone": "", "autocomplete": "off"},
    )
    consent = BooleanField(
        "I agree to the privacy statement of this series.",
        validators=[DataRequired("Please agree to the privacy statement to register.")],
    )
    marketing = BooleanField("Tell me about future sessions of this series.")
    # Hidden from people; bots fill every field they see.
    website = StringField("Leave this field empty", validators=[Optional()])

    questions: list[RegistrationQuestion] = []

    def validate_email(self, field: Field) -> None:
        try:
            field.data = normalise_email(field.data or "")
        except EmailNotValidError as exc:
            raise ValidationError(str(exc)) from exc

    def validate_timezone(self, field: Field) -> None:
        if field.data and not is_valid_zone(field.data.strip()):
            raise ValidationError("Choose a time zone such as Asia/Hong_Kong or Europe/London.")
        field.data = (field.data or "").strip()

    def validate(self, extra_validators: Any = None) -> bool:
        ok = super().validate(extra_validators)
        for question in self.questions:
            field = self[question_field(question)]
            value, error = check_answer(question, field.data)
            if error:
                field.errors = [*field.errors, error]
                ok = False
            else:
                field.data = value
        return ok

    def answers(self) -> dict[str, Any]:
        return {str(q.id): self[question_field(q)].data for q in self.questions}

    def question_fields(self) -> list[Field]:
        return [self[question_field(q)] for q in self.questions]

    @property
    def is_bot(self) -> bool:
        return bool((self.website.data or "").strip())


def question_field(question: RegistrationQuestion) -> str:
    return f"q_{question.id}"


def _field_for(question: RegistrationQuestion) -> Field:
    label, help_text = question.label, question.help_text
    choices = [SelectChoice(c, c) for c in question.choices]
    # Required-ness is checked in check_answer (shared with the API); flags only mark the label.
    kwargs: dict[str, Any] = {"description": help_text}
    if question.kind is QuestionKind.LONG_TEXT:
        field: Any = TextAreaField(label, **kwargs)
    elif question.kind is QuestionKind.SINGLE_CHOICE:
        field = (
            RadioField(label, choices=choices, validate_choice=False, **kwargs)
            if len(choices) <= 5
            else SelectField(
                label,
                choices=[SelectChoice("", "Choose…"), *choices],
                validate_choice=False,
                **kwargs,
            )
        )
    elif question.kind is QuestionKind.MULTIPLE_CHOICE:
        field = MultiCheckboxField(label, choices=choices, validate_choice=False, **kwargs)
    else:
        field = StringField(label, **kwargs)
    return field


class SeriesRegistrationForm(RegistrationForm):
    include_new = BooleanField(
        "Also register me for sessions added to the series later.", default=True
    )


def registration_form(
    questions: list[RegistrationQuestion],
    base: type[RegistrationForm] = RegistrationForm,
    **kwargs: Any,
) -> Any:
    """A registration form carrying one field per organiser question, in their order."""
    attributes: dict[str, Any] = {"questions": questions}
    for question in questions:
        attributes[question_field(question)] = _field_for(question)
    form_class = type("QuestionnaireForm", (base,), attributes)
    form: RegistrationForm = form_class(**kwargs)
    for question in questions:
        form[question_field(question)].flags.required = question.is_required
    return form


class DetailsForm(EventhubForm):
    name = StringField("Name", validators=[DataRequired("Tell us your name."), Length(max=200)])
    organisation = StringField("Organisation", validators=[Optional(), Length(max=200)])


class SwitchForm(EventhubForm):
    target = SelectField("Switch to", coerce=int, validate_choice=True)
