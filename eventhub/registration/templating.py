"""Template globals, so any page can include the registration form for a session."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask_babel import lazy_gettext as _l

from eventhub.i18n import Labels
from eventhub.registration.availability import Availability, availability_for
from eventhub.registration.models import RegistrationStatus
from eventhub.registration.public_data import panel_for
from eventhub.scheduling.models import Session


def registration_panel(
    session: Session, availability: Availability | None = None
) -> dict[str, Any]:
    """Seats left, the public action and a fresh form, for `registration/_inline_form.html`."""
    return panel_for(session, availability=availability)


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
    app.jinja_env.globals["status_label"] = status_label
    app.jinja_env.globals["registration_panel"] = registration_panel
    app.jinja_env.globals["availability_for"] = availability_for
