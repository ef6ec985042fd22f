"""The refusal every scheduling service raises, naming the fields at fault."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from eventhub.i18n import Labels, join_sentences
from eventhub.refusal import GENERAL, Refusal
from eventhub.scheduling.models import SessionStatus

__all__ = ["GENERAL", "Problems", "SchedulingError", "status_word"]

# A session's state as a sentence names it ("this one is cancelled").
status_word = Labels(
    {
        SessionStatus.DRAFT: _l("a draft"),
        SessionStatus.PUBLISHED: _l("published"),
        SessionStatus.CANCELLED: _l("cancelled"),
        SessionStatus.ENDED: _l("ended"),
    }
)


class SchedulingError(Refusal):
    """A refused change; `errors` maps field names to messages meant for the organiser."""

    def __init__(self, errors: dict[str, list[str]] | str, field: str = GENERAL) -> None:
        if isinstance(errors, str):
            errors = {field: [errors]}
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()), errors=errors)
        self.errors = self.field_errors

    def summary(self) -> str:
        """Every message in one sentence-run, for a flash or a plain error body."""
        return join_sentences(message for messages in self.errors.values() for message in messages)


class Problems:
    """Collects field errors so a form or API call hears about all of them at once."""

    def __init__(self) -> None:
        self.errors: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        self.errors.setdefault(field, []).append(message)

    def raise_if_any(self) -> None:
        if self.errors:
            raise SchedulingError(self.errors)
