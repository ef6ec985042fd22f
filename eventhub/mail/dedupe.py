"""The outbox's dedupe key as a value: what a message is, and for whom, in one typed place.

The rendered strings are the unique key of `outbox_messages.dedupe_key`; rows written before
this type existed must keep deduplicating, so `str()` gives exactly the strings written by hand
before (tests/mail/test_dedupe_keys.py pins each kind).
"""

from __future__ import annotations

from dataclasses import dataclass

# A part never holds the separator except the last: an address ("a:b@x" is legal) or a token.
SEPARATOR = ":"


@dataclass(frozen=True, init=False)
class DedupeKey:
    """`DedupeKey("reminder", 7, 0, 60, 12)` renders as "reminder:7:0:60:12"."""

    kind: str
    parts: tuple[str, ...]

    def __init__(self, kind: str, *parts: object) -> None:
        object.__setattr__(self, "kind", kind)
        object.__setattr__(self, "parts", tuple(str(p) for p in parts))

    def __str__(self) -> str:
        return SEPARATOR.join((self.kind, *self.parts))

    def child(self, *parts: object) -> DedupeKey:
        """This key with more parts (a recipient, a suffix) at its end."""
        return DedupeKey(self.kind, *self.parts, *parts)

    @property
    def prefix(self) -> str:
        """The rendered start of every `child` key: for SQL that probes for existing rows."""
        return str(self) + SEPARATOR
