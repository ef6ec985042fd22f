"""The refusal every scheduling service raises, naming the fields at fault."""

from __future__ import annotations

# Errors that concern the whole object rather than one field.
GENERAL = "_general"


class SchedulingError(Exception):
    """A refused change; `errors` maps field names to messages meant for the organiser."""

    def __init__(self, errors: dict[str, list[str]] | str, field: str = GENERAL) -> None:
        if isinstance(errors, str):
            errors = {field: [errors]}
        self.errors = errors
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))

    def summary(self) -> str:
        """Every message in one sentence-run, for a flash or a plain error body."""
        return " ".join(message for messages in self.errors.values() for message in messages)


class Problems:
    """Collects field errors so a form or API call hears about all of them at once."""

    def __init__(self) -> None:
        self.errors: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        self.errors.setdefault(field, []).append(message)

    def raise_if_any(self) -> None:
        if self.errors:
            raise SchedulingError(self.errors)
