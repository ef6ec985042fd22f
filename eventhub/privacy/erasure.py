"""Erasure: an attendee's own request, an organiser's on their behalf, and retention.

Each one finds the rows that still hold the person, gives up their places that only an email
could make good (waitlist places, seat offers and pending approvals on sessions yet to start:
the people behind them move up), anonymises the registrations (figures kept), cancels and
scrubs their mail, drops their unsubscribe records, takes them out of the activity log, and
records in each series touched that an erasure happened — naming
the person only by a keyed hash of their address, so a later request can be matched to it
without the log holding the address. Running any of them twice changes nothing more.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Collection
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select

from eventhub.accounts.models import User
from eventhub.activity import erasure as activity_erasure
from eventhub.activity.models import ActivityEntry
from eventhub.extensions import db
from eventhub.mail import erasure as mail_erasure
from eventhub.registration import erasure as registration_erasure
from eventhub.registration import services as registration_services
from eventhub.teams.models import MemberRole, Membership

SELF_ERASURE = "privacy.erased_by_attendee"
ORGANISER_ERASURE = "privacy.erased_by_organiser"
RETENTION = "privacy.retention"


@dataclass(frozen=True)
class Erasure:
    registrations: int
    series_registrations: int
    messages_cancelled: int
    messages_scrubbed: int
    series_ids: frozenset[int]

    @property
    def found_anything(self) -> bool:
        return bool(self.registrations or self.series_registrations or self.messages_scrubbed)


def normalise(email: str) -> str:
    return email.strip().lower()


def address_digest(address: str) -> str:
    """A keyed hash of an address: the same for every erasure of it, useless without the key."""
    key = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(key, f"erasure:{normalise(address)}".encode(), hashlib.sha256).hexdigest()[:24]


def owned_series_ids(user: User) -> set[int] | None:
    """Where `user` may erase people: the series they own; None (everywhere) for an admin."""
    if user.is_admin:
        return None
    return set(
        db.session.scalars(
            select(Membership.series_id).where(
                Membership.user_id == user.id, Membership.role == MemberRole.OWNER
            )
        )
    )


def erase_person(
    email: str, *, series_ids: Collection[int] | None, actor: User | None, action: str
) -> Erasure:
    """Erase one address in `series_ids` (None: everywhere). Flushes; the caller commits."""
    address = normalise(email)
    found = registration_erasure.find(address, series_ids)
    # Before the mail is forgotten: whoever moves up into a freed seat is written to.
    registration_services.withdraw_unreachable(found.registration_ids)
    scope = set(series_ids) if series_ids is not None else None
    forgotten = mail_erasure.forget_recipient(address, scope)
    mail_erasure.forget_unsubscribes(address, scope)
    activity_erasure.forget([address], found.names, scope)
    registration_erasure.anonymise(found)
    target = f"Person {address_digest(address)}"
    series_ids = frozenset(found.series_ids)
    return _conclude(found, forgotten, series_ids, action=action, target=target, actor=actor)


def erase_series(series_id: int) -> Erasure:
    """Erase everyone registered in one series (retention). Flushes; the caller commits."""
    found = registration_erasure.find(None, [series_id])
    addresses = registration_erasure.addresses_of(found)
    forgotten = mail_erasure.forget_series_mail(series_id)
    mail_erasure.forget_series_unsubscribes(series_id)
    activity_erasure.forget(addresses, found.names, [series_id])
    registration_erasure.anonymise(found)
    everyone = "Everyone registered"
    series_ids = frozenset({series_id})
    return _conclude(found, forgotten, series_ids, action=RETENTION, target=everyone, actor=None)


def _conclude(
    found: registration_erasure.Found,
    forgotten: mail_erasure.Forgotten,
    series_ids: frozenset[int],
    *,
    action: str,
    target: str,
    actor: User | None,
) -> Erasure:
    """What an erasure did, recorded in each series it touched (when it found anyone). Flushes."""
    erasure = Erasure(
        registrations=len(found.registration_ids),
        series_registrations=len(found.series_registration_ids),
        messages_cancelled=forgotten.cancelled,
        messages_scrubbed=forgotten.scrubbed,
        series_ids=series_ids,
    )
    if erasure.found_anything:
        _record(erasure, found, action, target, actor)
    db.session.flush()
    return erasure


def _record(
    erasure: Erasure,
    found: registration_erasure.Found,
    action: str,
    target: str,
    actor: User | None,
) -> None:
    for series_id in sorted(erasure.series_ids):
        db.session.add(
            ActivityEntry(
                series_id=series_id,
                actor_id=actor.id if actor is not None else None,
                actor_email=actor.email if actor is not None else "",
                action=action,
                target=target,
                changes={"registrations anonymised": [None, found.per_series.get(series_id, 0)]},
            )
        )
