"""A registrant's own calendar invitation: REQUEST while they hold a seat, CANCEL when not.

Only a confirmed registrant's invite carries the join link (and not while the organiser keeps
it for the reminders); waitlisted, pending and offered registrants get no invite at all.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from eventhub import signals
from eventhub.i18n import language
from eventhub.mail.outbox import Attachment
from eventhub.registration.models import Registration, RegistrationStatus
from eventhub.registration.queries import registrations_for_mail
from eventhub.scheduling.calendar import Attendee, cancellation, invitation, method_of

# A DeferredEmail's `attach`: the registrant's own invite, built when the mail is sent.
INVITE = "registration-invite"


def _filename(registration: Registration) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", registration.session.title.lower()).strip("-")[:60]
    return f"{slug or 'webinar'}.ics"


def private_join_url(registration: Registration) -> str:
    """The join link this registrant may see in mail and invites ("" when they may not)."""
    session = registration.session
    if registration.status is not RegistrationStatus.CONFIRMED:
        return ""
    return "" if session.is_join_url_hidden_until_reminder else session.join_url


def attendee(registration: Registration) -> Attendee:
    return Attendee(name=registration.name, email=registration.email)


def calendar_attachment(registration: Registration, data: bytes) -> Attachment:
    # One charset, and the iTIP method repeated on the MIME part (RFC 6047 §2.4).
    return Attachment(
        filename=_filename(registration),
        content_type=f"text/calendar; charset=utf-8; method={method_of(data)}",
        data=data,
    )


def invite(registration: Registration) -> bytes:
    """METHOD:REQUEST naming this registrant (CANCEL if the session was cancelled)."""
    return invitation(
        registration.session, attendee(registration), join_url=private_join_url(registration)
    )


def invite_attachment(registration: Registration) -> Attachment:
    return calendar_attachment(registration, invite(registration))


def cancel_attachment(registration: Registration) -> Attachment:
    """METHOD:CANCEL for a registrant who left (cancelled, switched away, was cancelled)."""
    return calendar_attachment(
        registration, cancellation(registration.session, attendee(registration))
    )


def invites_at_send_time(
    _sender: object = None, *, rows: Sequence[Any]
) -> dict[int, list[Attachment]]:
    """The invite for each deferred row asking for one, built as the registration stands now.

    Built in the worker rather than under the seat lock (a per-registrant calendar is the
    costliest part of a confirmation). A registration no longer holding a confirmed seat gets
    none: its cancellation (with a CANCEL) is on its way. One query for the whole batch.
    """
    wanting = [r for r in rows if r.render.get("attach") == INVITE and r.registration_id]
    if not wanting:
        return {}
    registrations = registrations_for_mail(r.registration_id for r in wanting)
    found: dict[int, list[Attachment]] = {}
    for row in wanting:
        registration = registrations.get(row.registration_id)
        if registration is not None and registration.status is RegistrationStatus.CONFIRMED:
            with language(registration.language):  # the invite's text in the reader's language
                found[row.id] = [invite_attachment(registration)]
    return found


def connect() -> None:
    """Build invites for mail delivery (idempotent: blinker keeps one connection)."""
    signals.building_attachments.connect(invites_at_send_time)
