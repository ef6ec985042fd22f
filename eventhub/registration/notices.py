"""Outbox rows telling every registrant that their session moved or was cancelled."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from eventhub import signals
from eventhub.extensions import db
from eventhub.mail.models import MessageKind
from eventhub.mail.outbox import Envelope, queue_message, render_email
from eventhub.registration.invites import invite_attachment, private_join_url
from eventhub.registration.manage_links import manage_url
from eventhub.registration.models import Registration, RegistrationStatus
from eventhub.scheduling.links import public_session_url
from eventhub.scheduling.models import Session
from eventhub.timefmt import format_moment
from eventhub.urls import external_url

# Everyone who still expects to hear about the session, seated or waiting.
AFFECTED = (
    RegistrationStatus.CONFIRMED,
    RegistrationStatus.OFFERED,
    RegistrationStatus.WAITLISTED,
    RegistrationStatus.PENDING,
)


def affected_registrations(session: Session) -> list[Registration]:
    query = (
        select(Registration)
        .where(Registration.session_id == session.id, Registration.status.in_(AFFECTED))
        .order_by(Registration.id)
    )
    return list(db.session.scalars(query))


def _manage_url(registration: Registration) -> str:
    """The registrant's private manage link, built by the registration package."""
    return manage_url(registration)


def _when(moment: datetime, reader_zone: str, series_zone: str) -> str:
    mine = format_moment(moment, reader_zone)
    if reader_zone == series_zone:
        return mine
    return f"{mine} ({format_moment(moment, series_zone)})"


def _queue(
    session: Session,
    kind: MessageKind,
    template: str,
    dedupe_suffix: str,
    primary: tuple[str, str],
    **context: object,
) -> int:
    url, label = primary
    queued = 0
    for registration in affected_registrations(session):
        zone = registration.timezone or session.series.timezone
        email = render_email(
            template,
            session=session,
            registration=registration,
            recipient_name=registration.name,
            lineup_role=None,
            series_title=session.series.title,
            primary_url=url,
            primary_label=label,
            manage_url=_manage_url(registration),
            # Only a held seat has an entry to update or remove, and may see the join link.
            has_invite=registration.status is RegistrationStatus.CONFIRMED,
            join_url=private_join_url(registration),
            unsubscribe_url=None,
            new_time=_when(session.starts_at, zone, session.series.timezone),
            **{
                key: _when(value, zone, session.series.timezone)
                if isinstance(value, datetime)
                else value
                for key, value in context.items()
            },
        )
        envelope = Envelope(
            kind=kind,
            dedupe_key=f"{kind.value}:{session.id}:{registration.email}:{dedupe_suffix}",
            recipient_email=registration.email,
            recipient_name=registration.name,
            series_id=session.series_id,
            session_id=session.id,
            registration_id=registration.id,
            attachments=(
                [invite_attachment(registration)]
                if registration.status is RegistrationStatus.CONFIRMED
                else []
            ),
        )
        if queue_message(envelope, email) is not None:
            queued += 1
    return queued


def tell_registrants_rescheduled(session: Session, previous_starts_at: datetime) -> int:
    """One RESCHEDULED row per registrant and per new SEQUENCE, with the updated invite."""
    return _queue(
        session,
        MessageKind.RESCHEDULED,
        "rescheduled",
        f"seq{session.sequence}",
        (public_session_url(session), "See the webinar"),
        old_time=previous_starts_at,
    )


def tell_registrants_cancelled(session: Session) -> int:
    """One SESSION_CANCELLED row per registrant, with a cancelling invite."""
    series_url = external_url("public.series", slug=session.series.slug)
    return _queue(
        session,
        MessageKind.SESSION_CANCELLED,
        "session_cancelled",
        "cancel",
        (series_url, "See the other webinars"),
    )


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
