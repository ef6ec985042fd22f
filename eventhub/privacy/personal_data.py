"""Everything eventhub holds about one attendee's address, as a JSON-ready document."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from eventhub.extensions import db
from eventhub.mail.models import ATTENDEE_MAIL, OutboxMessage, Unsubscribe
from eventhub.registration.models import Registration, RegistrationQuestion, SeriesRegistration
from eventhub.scheduling.models import Series

FORMAT_VERSION = 1


def _when(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def registrations_of(address: str) -> list[Registration]:
    """Every registration of an address (any case), in every series, oldest first."""
    return list(
        db.session.scalars(
            select(Registration)
            .where(func.lower(Registration.email) == address)
            .order_by(Registration.id)
        )
    )


def _question_labels(series_ids: set[int]) -> dict[str, str]:
    rows = db.session.execute(
        select(RegistrationQuestion.id, RegistrationQuestion.label).where(
            RegistrationQuestion.series_id.in_(series_ids)
        )
    )
    return {str(qid): label for qid, label in rows}


def _answers(answers: dict[str, Any], labels: dict[str, str]) -> list[dict[str, Any]]:
    # Question ids mean nothing to the person: each answer is given with its question.
    return [
        {"question": labels.get(key, f"question {key}"), "answer": value}
        for key, value in (answers or {}).items()
    ]


def _registration(registration: Registration, labels: dict[str, str]) -> dict[str, Any]:
    session = registration.session
    return {
        "series": session.series.title,
        "session": {
            "number": session.number,
            "title": session.title,
            "starts_at": _when(session.starts_at),
        },
        "status": registration.status.value,
        "name": registration.name,
        "email": registration.email,
        "organisation": registration.organisation,
        "timezone": registration.timezone,
        "language": registration.language,
        "answers": _answers(registration.answers, labels),
        "future_sessions_consent": registration.is_marketing_consent,
        "consented_at": _when(registration.consented_at),
        "registered_at": _when(registration.created_at),
        "confirmed_at": _when(registration.confirmed_at),
        "waitlisted_at": _when(registration.waitlisted_at),
        "cancelled_at": _when(registration.cancelled_at),
        "cancel_reason": registration.cancel_reason,
        "attended": registration.is_attended,
        "attended_at": _when(registration.attended_at),
        "whole_series_registration": registration.series_registration_id is not None,
    }


def _series_registrations(address: str) -> list[dict[str, Any]]:
    found = db.session.scalars(
        select(SeriesRegistration)
        .where(func.lower(SeriesRegistration.email) == address)
        .order_by(SeriesRegistration.id)
    )
    return [
        {
            "series": row.series.title,
            "name": row.name,
            "email": row.email,
            "organisation": row.organisation,
            "timezone": row.timezone,
            "language": row.language,
            "answers_given": bool(row.answers),
            "future_sessions_consent": row.is_marketing_consent,
            "consented_at": _when(row.consented_at),
            "joins_new_sessions": not row.is_opted_out_of_new_sessions,
            "registered_at": _when(row.created_at),
            "cancelled_at": _when(row.cancelled_at),
        }
        for row in found
    ]


def _emails(address: str) -> list[dict[str, Any]]:
    rows = db.session.execute(
        select(
            OutboxMessage.kind,
            OutboxMessage.subject,
            OutboxMessage.status,
            OutboxMessage.created_at,
            OutboxMessage.sent_at,
            Series.title,
        )
        .outerjoin(Series, Series.id == OutboxMessage.series_id)
        .where(
            func.lower(OutboxMessage.recipient_email) == address,
            OutboxMessage.kind.in_(ATTENDEE_MAIL),
        )
        .order_by(OutboxMessage.id)
    )
    return [
        {
            "kind": kind.value,
            # Mail rendered at send time has its subject only once it is sent.
            "subject": subject or None,
            "status": status.value,
            "queued_at": _when(created),
            "sent_at": _when(sent),
            "series": title,
        }
        for kind, subject, status, created, sent, title in rows
    ]


def _unsubscribes(address: str) -> list[dict[str, Any]]:
    rows = db.session.execute(
        select(Series.title, Unsubscribe.created_at)
        .join(Series, Series.id == Unsubscribe.series_id)
        .where(Unsubscribe.email == address)
        .order_by(Unsubscribe.id)
    )
    return [{"series": title, "unsubscribed_at": _when(at)} for title, at in rows]


def personal_data(email: str, now: datetime) -> dict[str, Any]:
    """The document the "Download my data" link serves, for one address in every series."""
    address = email.strip().lower()
    registrations = registrations_of(address)
    labels = _question_labels({r.session.series_id for r in registrations})
    return {
        "format": FORMAT_VERSION,
        "generated_at": now.isoformat(),
        "email": address,
        "registrations": [_registration(r, labels) for r in registrations],
        "series_registrations": _series_registrations(address),
        "emails": _emails(address),
        "unsubscribed_from": _unsubscribes(address),
    }
