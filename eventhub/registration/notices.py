"""Outbox rows telling every registrant that their session moved or was cancelled.

A fan-out inside the organiser's request: registrants are read and their rows written in
chunks (one INSERT … ON CONFLICT DO NOTHING each), the message rendered once per zone, language
and seat through the mail merge, so the request's statements do not grow with the audience.
The dedupe keys make a retried request, or the same change told twice, create nothing twice.
"""

from __future__ import annotations

from datetime import datetime
from functools import partial
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from eventhub import signals
from eventhub.extensions import db
from eventhub.mail.merge import MailMerge
from eventhub.mail.outbox import Envelope, RenderedEmail
from eventhub.registration.invites import invite_attachment, private_join_url
from eventhub.registration.manage_links import manage_url
from eventhub.registration.messages import queue_in_chunks, registrant_envelope
from eventhub.registration.models import Registration, RegistrationStatus
from eventhub.scheduling.links import public_session_url
from eventhub.scheduling.models import Session
from eventhub.speakers.notices import SessionChange, cancelled, rescheduled
from eventhub.urls import external_url

# Rows a statement: as the reminders' fan-out (emails/reminders.py).
CHUNK = 500

# Everyone who still expects to hear about the session, seated or waiting.
AFFECTED = (
    RegistrationStatus.CONFIRMED,
    RegistrationStatus.OFFERED,
    RegistrationStatus.WAITLISTED,
    RegistrationStatus.PENDING,
)


def affected_registrations(
    session: Session, after_id: int = 0, limit: int | None = None
) -> list[Registration]:
    """Paged by id (`after_id`, `limit`), so a fan-out holds one chunk in memory."""
    query = (
        select(Registration)
        .where(
            Registration.session_id == session.id,
            Registration.id > after_id,
            Registration.status.in_(AFFECTED),
        )
        .order_by(Registration.id)
        .limit(limit)
    )
    return list(db.session.scalars(query))


def _notice(
    change: SessionChange,
    registration: Registration,
    *,
    merge: MailMerge,
    primary: tuple[str, object],
) -> tuple[Envelope, RenderedEmail]:
    """One registrant's notice; called in their language (the invite too)."""
    session = change.session
    zone = registration.timezone or session.series.timezone
    # Only a held seat has an entry to update or remove, and may see the join link.
    seated = registration.status is RegistrationStatus.CONFIRMED
    url, label = primary
    context = change.context(
        zone,
        lineup_role=None,
        primary_url=url,
        primary_label=label,
        has_invite=seated,
        join_url=private_join_url(registration),
    )
    envelope = registrant_envelope(
        registration,
        session,
        change.kind,
        change.key(registration.email),
        # The update (or, for a cancelled session, the CANCEL) of the entry they have.
        attachments=[invite_attachment(registration)] if seated else [],
    )
    email = merge.render(
        (zone, registration.language, seated),
        context,
        recipient_name=registration.name,
        manage_url=manage_url(registration),
    )
    return envelope, email


def _fan_out(change: SessionChange, primary: tuple[str, object]) -> int:
    merge = change.merge("manage_url")
    return sum(
        queue_in_chunks(
            partial(affected_registrations, change.session),
            partial(_notice, change, merge=merge, primary=primary),
            CHUNK,
        )
    )


def tell_registrants_rescheduled(session: Session, previous_starts_at: datetime) -> int:
    """One RESCHEDULED row per registrant and per new SEQUENCE, with the updated invite."""
    return _fan_out(
        rescheduled(session, previous_starts_at),
        (public_session_url(session), _l("See the webinar")),
    )


def tell_registrants_cancelled(session: Session) -> int:
    """One SESSION_CANCELLED row per registrant, with a cancelling invite."""
    series_url = external_url("public.series", slug=session.series.slug)
    return _fan_out(cancelled(session), (series_url, _l("See the other webinars")))


def on_session_rescheduled(session: Session, *, previous_starts_at: datetime, **_: Any) -> None:
    tell_registrants_rescheduled(session, previous_starts_at)


def on_session_cancelled(session: Session, *, was_public: bool, **_: Any) -> None:
    # A draft had no public page: nobody could have registered for it.
    if was_public:
        tell_registrants_cancelled(session)


def connect() -> None:
    """Registrants hear about a moved or cancelled session (idempotent)."""
    signals.session_rescheduled.connect(on_session_rescheduled)
    signals.session_cancelled.connect(on_session_cancelled)
