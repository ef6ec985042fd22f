"""Rows other domains own, made directly for scheduling tests: registrations and recaps."""

from __future__ import annotations

import itertools
from typing import Any

from flask import Blueprint, Flask

from eventhub.clock import utcnow
from eventhub.extensions import db
from eventhub.recaps.models import Recap
from eventhub.registration.models import Registration, RegistrationStatus
from eventhub.scheduling.models import Session

_counter = itertools.count(1)


def add_registration(
    session: Session, status: RegistrationStatus = RegistrationStatus.CONFIRMED, **fields: Any
) -> Registration:
    n = next(_counter)
    now = utcnow()
    values: dict[str, Any] = {
        "session": session,
        "email": f"attendee{n}@example.org",
        "name": f"Attendee {n}",
        "timezone": "Europe/Paris",
        "status": status,
        "consented_at": now,
        "waitlisted_at": now if status is RegistrationStatus.WAITLISTED else None,
        "offer_expires_at": now if status is RegistrationStatus.OFFERED else None,
    }
    values.update(fields)
    registration = Registration(**values)
    db.session.add(registration)
    db.session.flush()
    return registration


def add_recap(session: Session, published: bool = True) -> Recap:
    recap = Recap(
        session=session,
        headline=f"What we heard at {session.title}",
        published_at=utcnow() if published else None,
    )
    db.session.add(recap)
    db.session.flush()
    return recap


def install_recap_page(app: Flask) -> None:
    """Stand-in for the recaps blueprint (another issue), so `recaps.show` can be linked."""
    if "recaps.show" in app.view_functions:
        return
    stub = Blueprint("recaps", __name__)
    stub.add_url_rule("/series/<series_slug>/<session_slug>/recap", "show", lambda **_: "recap")
    app.register_blueprint(stub)
