"""Where the domains above hear what the domains below did: every signal receiver, connected once.

Connecting is idempotent (blinker keeps one connection per receiver), so building several apps
in one process (tests, the worker) is harmless.
"""

from __future__ import annotations

from flask import Flask

from eventhub.activity import account_log
from eventhub.emails import guards as email_guards
from eventhub.emails import receivers as email_receivers
from eventhub.recaps import receivers as recap_receivers
from eventhub.registration import invites as registration_invites
from eventhub.registration import messages as registration_messages
from eventhub.registration import notices as registration_notices
from eventhub.registration import scheduling_receivers as registration_scheduling
from eventhub.registration import series as registration_series
from eventhub.speakers import notices as speaker_notices
from eventhub.speakers import scheduling_receivers as speaker_scheduling
from eventhub.teams import receivers as team_receivers


def register_signals(app: Flask) -> None:
    """Connect every receiver; `app` is taken for symmetry with the other register_* steps."""
    # Registration before recaps: a refused deletion names registrations first.
    account_log.connect()
    registration_scheduling.connect()
    recap_receivers.connect()
    registration_series.connect()
    registration_notices.connect()
    registration_invites.connect()
    registration_messages.connect()
    speaker_notices.connect()
    speaker_scheduling.connect()
    email_receivers.connect()
    email_guards.connect()
    team_receivers.connect()
