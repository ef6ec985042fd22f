"""The organiser's registration questions per series: add, edit, reorder, remove."""

from __future__ import annotations

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


def add_question(
    series_id: int,
    label: str,
    kind: QuestionKind,
    *,
    help_text: str = "",
    choices: list[str] | None = None,
    is_required: bool = False,
) -> RegistrationQuestion:
    """Append a question to the end of the series' form."""
    last = db.session.scalar(
        select(func.max(RegistrationQuestion.position)).where(
            RegistrationQuestion.series_id == series_id
        )
    )
    question = RegistrationQuestion(
        series_id=series_id,
        label=label.strip(),
        help_text=help_text.strip(),
        kind=kind,
        choices=_check(kind, choices or []),
        is_required=is_required,
        position=0 if last is None else last + 1,
    )
    db.session.add(question)
    db.session.flush()
    return question


def update_question(
    question: RegistrationQuestion,
    label: str,
    kind: QuestionKind,
    *,
    help_text: str = "",
    choices: list[str] | None = None,
    is_required: bool = False,
) -> None:
    """Change a question; answers already given stay stored under its id."""
    question.choices = _check(kind, choices or [])
    question.label = label.strip()
    question.help_text = help_text.strip()
    question.kind = kind
    question.is_required = is_required
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
