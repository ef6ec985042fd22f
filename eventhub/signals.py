"""The few cross-domain signals. Receivers run inside the sender's transaction."""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# sender: the Session. kwargs: previous_starts_at (datetime), reason (str)
session_rescheduled = _signals.signal("session-rescheduled")
# sender: the Session. kwargs: reason (str)
session_cancelled = _signals.signal("session-cancelled")
# sender: the Session, when it first becomes public (whole-series registrants join it).
session_published = _signals.signal("session-published")
# sender: the Registration, when it gets a seat (first time or by promotion).
registration_confirmed = _signals.signal("registration-confirmed")
# sender: the Registration, when it gives up a seat or a waitlist place.
registration_cancelled = _signals.signal("registration-cancelled")
# sender: the Recap, when it is first published.
recap_published = _signals.signal("recap-published")
