"""Whole-series registration: one form for every upcoming session, and sessions added later."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from eventhub import signals
from eventhub.clock import utcnow
from eventhub.extensions import db
from eventhub.registration import services
from eventhub.registration.models import ACTIVE, Registration, SeriesRegistration
from eventhub.registration.services import (
    Applicant,
    Outcome,
    RegistrationClosed,
    applicant_from,
    apply_applicant,
)
from eventhub.scheduling.models import Series, Session, SessionStatus


@dataclass
class SeriesOutcome:
    series_registration: SeriesRegistration
    is_new: bool
    outcomes: list[Outcome] = field(default_factory=list)


def open_sessions(series: Series, now: datetime) -> list[Session]:
    """Upcoming sessions taking registrations, in id order (the order their locks are taken)."""
    candidates = db.session.scalars(
        select(Session)
        .where(
            Session.series_id == series.id,
            Session.status == SessionStatus.PUBLISHED,
            Session.starts_at > now,
        )
        .order_by(Session.id)
    )
    return [s for s in candidates if services.window_problem(s, now) is None]


def find_series_registration(series_id: int, email: str) -> SeriesRegistration | None:
    return db.session.scalar(
        select(SeriesRegistration).where(
            SeriesRegistration.series_id == series_id, SeriesRegistration.email == email
        )
    )


def register_series(
    series: Series, applicant: Applicant, *, include_new: bool = True, now: datetime | None = None
) -> SeriesOutcome:
    """Register for every open upcoming session; later sessions follow unless opted out."""
    now = now or utcnow()
    sessions = open_sessions(series, now)
    if not sessions:
        raise RegistrationClosed(_("No upcoming session of this series is open for registration."))
    existing = find_series_registration(series.id, applicant.email)
    is_new = existing is None or existing.cancelled_at is not None
    registration = existing or SeriesRegistration(series=series, email=applicant.email)
    if is_new:
        apply_applicant(registration, applicant, now)
        registration.is_opted_out_of_new_sessions = not include_new
        registration.cancelled_at = None
        db.session.add(registration)
        db.session.flush()
    result = SeriesOutcome(registration, is_new=is_new)
    for session in sessions:
        result.outcomes.append(
            services.register(
                session.id,
                applicant,
                series_registration=registration if is_new else None,
                now=now,
            )
        )
    return result


def include_series_registrants(session: Session, now: datetime | None = None) -> list[Outcome]:
    """A newly published session takes in everyone registered for the whole series."""
    now = now or utcnow()
    if session.status is not SessionStatus.PUBLISHED or session.starts_at <= now:
        return []
    members = db.session.scalars(
        select(SeriesRegistration)
        .where(
            SeriesRegistration.series_id == session.series_id,
            SeriesRegistration.cancelled_at.is_(None),
            SeriesRegistration.is_opted_out_of_new_sessions.is_(False),
        )
        .order_by(SeriesRegistration.created_at, SeriesRegistration.id)
    )
    outcomes = []
    for member in members:
        try:
            outcomes.append(
                services.register(
                    session.id,
                    applicant_from(member),
                    series_registration=member,
                    now=now,
                    via_series=True,
                )
            )
        except RegistrationClosed:
            break
    return outcomes


def _on_session_published(sender: Session, **_: Any) -> None:
    include_series_registrants(sender)


def connect() -> None:
    """Whole-series registrants join each session as it is published (idempotent)."""
    signals.session_published.connect(_on_session_published)


def cancel_series(series_registration: SeriesRegistration, now: datetime | None = None) -> int:
    """Leave the whole series: every live session registration made through it is cancelled."""
    now = now or utcnow()
    series_registration.cancelled_at = now
    live = db.session.scalars(
        select(Registration)
        .where(
            Registration.series_registration_id == series_registration.id,
            Registration.status.in_(ACTIVE),
        )
        .order_by(Registration.session_id)
    )
    count = 0
    for registration in list(live):
        services.cancel(registration, now=now)
        count += 1
    return count


def registrations_of(series_registration: SeriesRegistration) -> list[Registration]:
    return list(
        db.session.scalars(
            select(Registration)
            .join(Session)
            .where(Registration.series_registration_id == series_registration.id)
            .order_by(Session.starts_at)
        )
    )
