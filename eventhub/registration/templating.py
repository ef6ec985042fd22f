"""Template globals of registration: how a registration's status reads."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from eventhub.i18n import Labels
from eventhub.registration.models import RegistrationStatus

# What each status reads as to the registrant.
status_label = Labels(
    {
        RegistrationStatus.CONFIRMED: _l("Confirmed"),
        RegistrationStatus.WAITLISTED: _l("Waitlist"),
        RegistrationStatus.OFFERED: _l("Seat offered"),
        RegistrationStatus.PENDING: _l("Awaiting approval"),
        RegistrationStatus.DECLINED: _l("Declined"),
        RegistrationStatus.CANCELLED: _l("Cancelled"),
    }
)


def install(app: Flask) -> None:
    # Templates read what their view passed in: no global here may run a statement
    # (tests/foundation/test_template_helpers.py).
    app.jinja_env.globals["status_label"] = status_label
