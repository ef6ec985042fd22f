"""Template globals of registration: how a registration's status reads."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from eventhub.registration.models import RegistrationStatus

# What each status reads as to the registrant.
STATUS_LABELS = {
    RegistrationStatus.CONFIRMED: _l("Confirmed"),
    RegistrationStatus.WAITLISTED: _l("Waitlist"),
    RegistrationStatus.OFFERED: _l("Seat offered"),
    RegistrationStatus.PENDING: _l("Awaiting approval"),
    RegistrationStatus.DECLINED: _l("Declined"),
    RegistrationStatus.CANCELLED: _l("Cancelled"),
}


def status_label(status: RegistrationStatus) -> str:
    return str(STATUS_LABELS.get(status, status.value))


def install(app: Flask) -> None:
    # Templates read what their view passed in: no global here may run a statement
    # (tests/foundation/test_template_helpers.py).
    app.jinja_env.globals["status_label"] = status_label
