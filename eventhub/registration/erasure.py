"""Anonymising registrations: the person goes, the organiser's figures stay.

Status, seat, waitlist times, attendance, language and the session stay as they were, so
counts, capacity and attendance rates do not move; the name, address, organisation, time
zone, answers, consent and the organiser's cancel note go. The token version is raised, so
every manage link ever sent stops working, and the placeholder address (in the reserved
`.invalid` domain) is one the outbox refuses, so no mail is written to the registration again.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, select, update

from eventhub.extensions import db
from eventhub.mail.erasure import erased_address, erased_address_clause
from eventhub.registration.models import Registration, SeriesRegistration
from eventhub.scheduling.models import Session

# What organiser pages show in place of the name (stored data, not a message).
ERASED_NAME = "[erased]"


@dataclass(frozen=True)
class Found:
    """The rows of one person (or one series) that still hold personal data."""

    registration_ids: list[int]
    series_registration_ids: list[int]
    series_ids: set[int]
    names: set[str]
    # Series id -> how many of the rows (session and whole-series registrations) are in it.
    per_series: dict[int, int]


def find(address: str | None, series_ids: Collection[int] | None) -> Found:
    """Unerased rows of `address` (every address when None) in `series_ids` (None: all)."""
    where: list[ColumnElement[bool]] = [~erased_address_clause(Registration.email)]
    series_where: list[ColumnElement[bool]] = [~erased_address_clause(SeriesRegistration.email)]
    if address is not None:
        where.append(func.lower(Registration.email) == address)
        series_where.append(func.lower(SeriesRegistration.email) == address)
    if series_ids is not None:
        where.append(Session.series_id.in_(series_ids))
        series_where.append(SeriesRegistration.series_id.in_(series_ids))
    registrations = db.session.execute(
        select(Registration.id, Registration.name, Session.series_id)
        .join(Session, Session.id == Registration.session_id)
        .where(*where)
    ).all()
    whole = db.session.execute(
        select(SeriesRegistration.id, SeriesRegistration.name, SeriesRegistration.series_id).where(
            *series_where
        )
    ).all()
    return Found(
        registration_ids=[r[0] for r in registrations],
        series_registration_ids=[r[0] for r in whole],
        series_ids={r[2] for r in registrations} | {r[2] for r in whole},
        names={r[1] for r in registrations} | {r[1] for r in whole},
        per_series=dict(Counter(r[2] for r in [*registrations, *whole])),
    )


def anonymise(found: Found) -> int:
    """Replace the personal fields of the rows found; returns how many registrations changed."""
    if found.registration_ids:
        versions = dict(
            db.session.execute(
                select(Registration.id, Registration.token_version).where(
                    Registration.id.in_(found.registration_ids)
                )
            ).all()
        )
        # By primary key, as plain statements: the activity recorder must not copy the old
        # values (the very data being erased) into the log.
        db.session.execute(
            update(Registration),
            [
                {
                    "id": rid,
                    "email": erased_address(f"r{rid}"),
                    "name": ERASED_NAME,
                    "organisation": "",
                    # Where someone lives narrows down who they are.
                    "timezone": "UTC",
                    "answers": {},
                    "is_marketing_consent": False,
                    "cancel_reason": "",
                    "token_version": versions[rid] + 1,
                }
                for rid in found.registration_ids
            ],
        )
    if found.series_registration_ids:
        db.session.execute(
            update(SeriesRegistration),
            [
                {
                    "id": sid,
                    "email": erased_address(f"s{sid}"),
                    "name": ERASED_NAME,
                    "organisation": "",
                    "timezone": "UTC",
                    "answers": {},
                    "is_marketing_consent": False,
                    "is_opted_out_of_new_sessions": True,
                }
                for sid in found.series_registration_ids
            ],
        )
    # Objects already loaded in this session must not write their old values back.
    db.session.expire_all()
    return len(found.registration_ids)


def addresses_of(found: Found) -> list[str]:
    """The lower-cased addresses of the rows found (before they are anonymised)."""
    addresses = set(
        db.session.scalars(
            select(func.lower(Registration.email)).where(
                Registration.id.in_(found.registration_ids)
            )
        )
    )
    addresses |= set(
        db.session.scalars(
            select(func.lower(SeriesRegistration.email)).where(
                SeriesRegistration.id.in_(found.series_registration_ids)
            )
        )
    )
    return sorted(addresses)
