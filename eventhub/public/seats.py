"""The seats a cached public entry shows, checked against the session rows' seat counters.

Registrations do not replace the public cache's content version: during a sign-up burst that
rebuilt every public page after each sign-up, exactly when they are read most. What a
registration changes on a public page (seats left, full or waitlist, register or join the
waitlist) comes from the counters on the session rows (`seats_held`, `waitlisted_count`, kept by
database triggers, so a write behind the application's back counts too). Each entry carries the
counters of every session it shows and is rebuilt when the rows disagree. Counters this worker
read within EVENTHUB_SEAT_CHECK_SECONDS are trusted without a statement (a statement costs about
a third of a cached page); otherwise one statement reads those of all the entry's sessions. A
full session thus looks open for at most that window; the registration POST decides anyway.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask import current_app

from eventhub.clock import utcnow
from eventhub.public.queries import seat_counters
from eventhub.scheduling.models import Session

# (session id, seats held, waitlisted) for each session an entry shows.
Seats = tuple[tuple[int, int, int], ...]
# Counters this worker read lately, by session id: (when, (held, waitlisted) or None if gone).
Readings = dict[int, tuple[float, tuple[int, int] | None]]

_READINGS = "eventhub.seat_readings"
_READINGS_MAX = 4096


def shown(sessions: Iterable[Session]) -> Seats:
    """The counters an entry rendered from these sessions was built with."""
    return tuple((s.id, s.seats_held, s.waitlisted_count) for s in sessions)


def remember(seats: Seats) -> None:
    """Counters just read (an entry's build): trusted by this worker for the window."""
    readings = _readings()
    now = utcnow().timestamp()
    for session_id, held, waiting in seats:
        readings[session_id] = (now, (held, waiting))


def still_current(seats: Seats) -> bool:
    """Whether the session rows still hold the counters an entry was built with."""
    if not seats:
        return True
    readings = _readings()
    now = utcnow().timestamp()
    window = float(current_app.config.get("EVENTHUB_SEAT_CHECK_SECONDS", 1.0))
    if all(_agrees(readings.get(i), now, window, (held, waiting)) for i, held, waiting in seats):
        return True
    # A reading that is old, missing or different: read every session's counters again.
    counters = seat_counters([session_id for session_id, _held, _waiting in seats])
    for session_id, _held, _waiting in seats:
        readings[session_id] = (now, counters.get(session_id))
    return all(counters.get(i) == (held, waiting) for i, held, waiting in seats)


def _agrees(
    reading: tuple[float, tuple[int, int] | None] | None,
    now: float,
    window: float,
    counters: tuple[int, int],
) -> bool:
    # A reading "from the future" (a test moved the clock back) is no reading.
    return reading is not None and 0 <= now - reading[0] < window and reading[1] == counters


def _readings() -> Readings:
    # Per application, so one process's apps (tests) never share readings.
    readings: Readings = current_app.extensions.setdefault(_READINGS, {})
    if len(readings) >= _READINGS_MAX:
        readings.clear()
    return readings
