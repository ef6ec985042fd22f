"""What the email features do when a session moves or is cancelled (signals sent by scheduling).

The registration domain writes the "rescheduled" / "cancelled" messages (registration.notices);
here the reminders queued for the old time stop. They run inside the sender's transaction.
"""

from __future__ import annotations

from typing import Any

from eventhub import signals
from eventhub.mail.suppress import suppress_session_follow_ups, suppress_session_reminders
from eventhub.scheduling.models import Session


def on_session_rescheduled(session: Session, **_: Any) -> None:
    # New reminders follow from the raised sequence at the next beat (reminders.py).
    suppress_session_reminders(session.id, "suppressed: the session was rescheduled")


def on_session_cancelled(session: Session, **_: Any) -> None:
    suppress_session_reminders(session.id, "suppressed: the session was cancelled")
    suppress_session_follow_ups(session.id, "suppressed: the session was cancelled")


def connect() -> None:
    """Idempotent: blinker keeps one connection per receiver."""
    signals.session_rescheduled.connect(on_session_rescheduled)
    signals.session_cancelled.connect(on_session_cancelled)
