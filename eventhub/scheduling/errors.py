"""The refusal every scheduling service raises, naming the fields at fault."""

from __future__ import annotations

from eventhub.refusal import GENERAL, Refusal

__all__ = ["GENERAL", "Problems", "SchedulingError"]


class SchedulingError(Refusal):
    """A refused change; `errors` maps field names to messages meant for the organiser."""

    def __init__(self, errors: dict[str, list[str]] | str, field: str = GENERAL) -> None:
        if isinstance(errors, str):
            errors = {field: [errors]}
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()), errors=errors)
        self.errors = self.field_errors


class Problems:
    """Collects field errors so a form or API call hears about all of them at once."""

    def __init__(self) -> None:
        self.errors: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        self.errors.setdefault(field, []).append(message)

    def raise_if_any(self) -> None:
        if self.errors:
            raise SchedulingError(self.errors)
