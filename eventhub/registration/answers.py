"""The organiser's own questions: checking answers the same way for the form and the API."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from flask_babel import gettext as _
from sqlalchemy import select

from eventhub.extensions import db
from eventhub.refusal import Refusal
from eventhub.registration.models import QuestionKind, RegistrationQuestion

MAX_SHORT = 300
MAX_LONG = 5000


class InvalidAnswers(Refusal):
    """Answers that do not fit the questions; `errors` maps question ids to messages."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()), errors=errors)
        self.errors = errors


class AskedQuestion(Protocol):
    """A question as the answers are checked and the form is built: the model row, or the
    sign-up's plain copy of it (public_data.Question)."""

    @property
    def id(self) -> int: ...
    @property
    def kind(self) -> QuestionKind: ...
    @property
    def label(self) -> str: ...
    @property
    def help_text(self) -> str: ...
    @property
    def choices(self) -> list[str]: ...
    @property
    def is_required(self) -> bool: ...


def questions_for(series_id: int) -> list[RegistrationQuestion]:
    return list(
        db.session.scalars(
            select(RegistrationQuestion)
            .where(RegistrationQuestion.series_id == series_id)
            .order_by(RegistrationQuestion.position, RegistrationQuestion.id)
        )
    )


def check_answer(question: AskedQuestion, value: Any) -> tuple[Any, str | None]:
    """The cleaned answer and an error message (or None) for one question."""
    if question.kind is QuestionKind.MULTIPLE_CHOICE:
        chosen = value if isinstance(value, list) else ([] if value in (None, "") else [value])
        chosen = [str(v) for v in chosen]
        unknown = [v for v in chosen if v not in question.choices]
        if unknown:
            return chosen, _("Choose from the options given.")
        if question.is_required and not chosen:
            return chosen, _("Choose at least one option.")
        return [c for c in question.choices if c in chosen], None
    text = "" if value is None else str(value).strip()
    if question.kind is QuestionKind.SINGLE_CHOICE and text and text not in question.choices:
        return text, _("Choose one of the options given.")
    limit = MAX_LONG if question.kind is QuestionKind.LONG_TEXT else MAX_SHORT
    if len(text) > limit:
        return text, _("Keep this under %(limit)s characters.", limit=limit)
    if question.is_required and not text:
        return text, _("This question needs an answer.")
    return text, None


def clean_answers(questions: Sequence[AskedQuestion], raw: Mapping[str, Any]) -> dict[str, Any]:
    """Answers keyed by question id; unknown keys are refused so typos are not lost silently."""
    known = {str(q.id) for q in questions}
    errors = {key: _("Unknown question.") for key in raw if str(key) not in known}
    cleaned: dict[str, Any] = {}
    for question in questions:
        value, error = check_answer(question, raw.get(str(question.id)))
        if error:
            errors[str(question.id)] = error
        cleaned[str(question.id)] = value
    if errors:
        raise InvalidAnswers(errors)
    return cleaned
