"""The one source of "now". Tests move it instead of sleeping."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

_offset = timedelta(0)


def utcnow() -> datetime:
    """The current time, timezone-aware UTC, shifted by whatever a test has moved the clock."""
    return datetime.now(UTC) + _offset


def move(delta: timedelta) -> None:
    """Shift the clock of this process (tests only; workers take an explicit `now` instead)."""
    global _offset
    _offset += delta


def reset() -> None:
    global _offset
    _offset = timedelta(0)
