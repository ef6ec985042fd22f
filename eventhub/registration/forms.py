"""Public forms: registering (with the organiser's questions) and managing a registration."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
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

from eventhub.i18n import NATIVE_NAMES, current_tag
from eventhub.inputs import EventhubForm
from eventhub.registration.answers import AskedQuestion, check_answer
from eventhub.registration.models import (
    NAME_MAX,
    ORGANISATION_MAX,
    QuestionKind,
)
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
    name = StringField(
        _l("Name"), validators=[DataRequired(_l("Tell us your name.")), Length(max=NAME_MAX)]
    )
    email = EmailField(
        _l("Email"), validators=[DataRequired(_l("We need an email to send your invite to."))]
    )
    organisation = StringField(
        _l("Organisation"), validators=[Optional(), Length(max=ORGANISATION_MAX)]
    )
    timezone = StringField(
        _l("Your time zone"),
        description=_l("Times in your emails use this zone, e.g. Europe/London."),
        validators=[Optional(), Length(max=64)],
        render_kw={"data-browser-timezone": "", "autocomplete": "off"},
    )
    # Defaults to the page's language in the view; every email to this person uses it.
    language = SelectField(
        _l("Preferred language"),
        description=_l("Your confirmation, reminders and other messages come in this language."),
        choices=[SelectChoice(tag, name) for tag, name in NATIVE_NAMES.items()],
        validators=[Optional()],
        validate_choice=False,  # anything else falls back to the page's language
    )
    consent = BooleanField(
        _l("I agree to the privacy statement of this series."),
        validators=[DataRequired(_l("Please agree to the privacy statement to register."))],
    )
    marketing = BooleanField(_l("Tell me about future sessions of this series."))
    # Hidden from people; bots fill every field they see.
    website = StringField(_l("Leave this field empty"), validators=[Optional()])

    questions: Sequence[AskedQuestion] = ()

    def validate_email(self, field: Field) -> None:
        try:
            field.data = normalise_email(field.data or "")
        except EmailNotValidError as exc:
            # email-validator explains in English only; the reader gets one clear sentence.
            raise ValidationError(_("Enter a valid email address, like name@example.org.")) from exc

    def validate_timezone(self, field: Field) -> None:
        if field.data and not is_valid_zone(field.data.strip()):
            raise ValidationError(_("Choose a time zone such as Asia/Hong_Kong or Europe/London."))
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


def question_field(question: AskedQuestion) -> str:
    return f"q_{question.id}"


def _field_for(question: AskedQuestion) -> Field:
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
                choices=[SelectChoice("", _("Choose…")), *choices],
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
        _l("Also register me for sessions added to the series later."), default=True
    )


# Form classes by (base, language, question set). Building one (a class with a field per
# question through WTForms' metaclass) cost more than rendering the session page's form; the
# same few question sets are asked on every request. Bounded: cleared when it grows past this.
_FORM_CLASSES: dict[tuple[Any, ...], type[RegistrationForm]] = {}
_FORM_CLASSES_MAX = 256


def _form_class(
    questions: Sequence[AskedQuestion], base: type[RegistrationForm]
) -> type[RegistrationForm]:
    # Everything a field is built from; the language too, for the "Choose…" prompt.
    key = (
        base,
        current_tag(),
        tuple(
            (q.id, q.kind, q.label, q.help_text, tuple(q.choices or ()), q.is_required)
            for q in questions
        ),
    )
    found = _FORM_CLASSES.get(key)
    if found is None:
        attributes = {question_field(q): _field_for(q) for q in questions}
        found = type("QuestionnaireForm", (base,), attributes)
        if len(_FORM_CLASSES) >= _FORM_CLASSES_MAX:
            _FORM_CLASSES.clear()
        _FORM_CLASSES[key] = found
    return found


def registration_form(
    questions: Sequence[AskedQuestion],
    base: type[RegistrationForm] = RegistrationForm,
    **kwargs: Any,
) -> Any:
    """A registration form carrying one field per organiser question, in their order."""
    form: RegistrationForm = _form_class(questions, base)(**kwargs)
    # On the instance, not the shared class: these rows belong to this request's session.
    form.questions = questions
    if not form.language.data:
        form.language.data = current_tag()
    for question in questions:
        form[question_field(question)].flags.required = question.is_required
    return form


class DetailsForm(EventhubForm):
    name = StringField(
        _l("Name"), validators=[DataRequired(_l("Tell us your name.")), Length(max=NAME_MAX)]
    )
    organisation = StringField(
        _l("Organisation"), validators=[Optional(), Length(max=ORGANISATION_MAX)]
    )


class SwitchForm(EventhubForm):
    target = SelectField(_l("Switch to"), coerce=int, validate_choice=True)
