"""The organiser's registration questions per series: add, edit, reorder, remove."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import func, select

from eventhub.extensions import db
from eventhub.refusal import Refusal
from eventhub.registration.answers import questions_for
from eventhub.registration.models import QuestionKind, RegistrationQuestion

CHOICE_KINDS = (QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE)


class QuestionError(Refusal):
    """A question the form cannot ask; the message says why."""


def parse_choices(text: str) -> list[str]:
    seen: list[str] = []
    for line in text.splitlines():
        choice = line.strip()
        if choice and choice not in seen:
            seen.append(choice[:200])
    return seen


def _check(kind: QuestionKind, choices: list[str]) -> list[str]:
    if kind in CHOICE_KINDS:
        if len(choices) < 2:
            raise QuestionError(_("Give at least two choices, one per line."))
        return choices
    return []


@dataclass(frozen=True)
class QuestionFields:
    """What the organiser writes for a question."""

    label: str
    kind: QuestionKind
    help_text: str = ""
    choices: list[str] = field(default_factory=list)
    is_required: bool = False


def _write(question: RegistrationQuestion, fields: QuestionFields) -> None:
    question.choices = _check(fields.kind, fields.choices)
    question.label = fields.label.strip()
    question.help_text = fields.help_text.strip()
    question.kind = fields.kind
    question.is_required = fields.is_required


def add_question(series_id: int, fields: QuestionFields) -> RegistrationQuestion:
    """Append a question to the end of the series' form."""
    last = db.session.scalar(
        select(func.max(RegistrationQuestion.position)).where(
            RegistrationQuestion.series_id == series_id
        )
    )
    question = RegistrationQuestion(series_id=series_id, position=0 if last is None else last + 1)
    _write(question, fields)
    db.session.add(question)
    db.session.flush()
    return question


def update_question(question: RegistrationQuestion, fields: QuestionFields) -> None:
    """Change a question; answers already given stay stored under its id."""
    _write(question, fields)
    db.session.flush()


def move(question: RegistrationQuestion, delta: int) -> None:
    """Move a question up (-1) or down (+1), renumbering the series' questions densely."""
    ordered = questions_for(question.series_id)
    index = ordered.index(question)
    target = max(0, min(len(ordered) - 1, index + delta))
    ordered.insert(target, ordered.pop(index))
    for position, item in enumerate(ordered):
        item.position = position
    db.session.flush()


def remove(question: RegistrationQuestion) -> None:
    db.session.delete(question)
    db.session.flush()
