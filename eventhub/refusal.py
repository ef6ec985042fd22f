"""The one base of every domain refusal: a change the rules turn down, said for the user.

Services raise a subclass (SchedulingError, RegistrationError, SpeakerError, …); the request
boundary (eventhub.transaction.change) rolls back and shows it — as a flash, on the form's fields
or as a JSON error body — so views catch `Refusal` instead of a tuple of domain classes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

# Errors that concern the whole object rather than one field.
GENERAL = "_general"


class Refusal(Exception):
    """A refused change; the message (and `field_errors`, if any) are meant for the user.

    `field` names the one field at fault; `errors` maps several fields to their messages. Without
    either the refusal concerns the whole change (`field_errors` is then empty).
    """

    # The HTTP status an API answers when nothing more specific is said (see eventhub.errors).
    status_code = 422

    def __init__(
        self,
        message: str = "",
        *,
        field: str | None = None,
        errors: Mapping[str, str | Sequence[str]] | None = None,
    ) -> None:
        self.field_errors: dict[str, list[str]] = {
            name: [messages] if isinstance(messages, str) else list(messages)
            for name, messages in (errors or {}).items()
        }
        if field is not None and message:
            self.field_errors.setdefault(field, []).append(message)
        super().__init__(message or self.summary())

    @property
    def message(self) -> str:
        return str(self)

    def summary(self) -> str:
        """Every message in one sentence-run, for a flash or a plain error body."""
        if not self.field_errors:
            return str(self.args[0]) if self.args else ""
        return " ".join(message for messages in self.field_errors.values() for message in messages)
