"""Template globals, so any page can include the registration form for a session."""

from __future__ import annotations

from typing import Any

from flask import Flask

from eventhub.registration.availability import Availability, availability_for
from eventhub.registration.public_data import panel_for
from eventhub.scheduling.models import Session


def registration_panel(
    session: Session, availability: Availability | None = None
) -> dict[str, Any]:
    """Seats left, the public action and a fresh form, for `registration/_inline_form.html`."""
    return panel_for(session, availability=availability)


def install(app: Flask) -> None:
    app.jinja_env.globals["registration_panel"] = registration_panel
    app.jinja_env.globals["availability_for"] = availability_for
