"""The emails a registration causes, each an outbox row in the registration's transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import gettext as _

from eventhub.clock import utcnow
from eventhub.i18n import in_language_of, language
from eventhub.mail.models import MessageKind
from eventhub.registration.invites import cancel_attachment
from eventhub.registration.messages import queue_for_registration, registration_key
from eventhub.registration.models import Registration, RegistrationStatus
from eventhub.scheduling.links import public_session_url as session_url
from eventhub.timefmt import format_moment

# One repeat-registration resend per registration per window: a double-click or a script
# typing someone's address again cannot flood their inbox.
RESEND_WINDOW_SECONDS = 300

# What a registration's current state tells its owner, by status.
_STATUS_MAIL: dict[RegistrationStatus, tuple[MessageKind, str]] = {
    RegistrationStatus.CONFIRMED: (MessageKind.CONFIRMATION, "confirmation"),
    RegistrationStatus.WAITLISTED: (MessageKind.WAITLISTED, "waitlisted"),
    RegistrationStatus.PENDING: (MessageKind.PENDING, "pending"),
    RegistrationStatus.OFFERED: (MessageKind.SEAT_OFFERED, "seat_offered"),
    RegistrationStatus.DECLINED: (MessageKind.DECLINED, "declined"),
}


@dataclass(frozen=True)
class StatusMail:
    """The email for the status a registration just reached, before its row is written."""

    kind: MessageKind
    template: str
    # Dedupe key parts after the registration's token version (an offer's expiry).
    suffix: tuple[object, ...]
    with_ics: bool
    extra: dict[str, Any]


def status_mail_for(registration: Registration) -> StatusMail:
    """What `status_mail` queues (the sign-up's single statement writes it itself:
    signup_rows); an offer's words in the registration's language."""
    kind, template = _STATUS_MAIL[registration.status]
    suffix: tuple[object, ...] = ()
    extra: dict[str, Any] = {}
    if registration.status is RegistrationStatus.OFFERED and registration.offer_expires_at:
        suffix = (int(registration.offer_expires_at.timestamp()),)
        # Only an offer has words of its own: no language switch for the other statuses.
        with language(registration.language):
            extra = _offer_context(registration)
    return StatusMail(
        kind,
        template,
        suffix,
        with_ics=registration.status is RegistrationStatus.CONFIRMED,
        extra=extra,
    )


@in_language_of
def status_mail(registration: Registration) -> int | None:
    """The email for the status a registration just reached (confirmed, waitlisted, …)."""
    mail = status_mail_for(registration)
    return queue_for_registration(
        registration,
        mail.kind,
        mail.template,
        registration_key(mail.template, registration, *mail.suffix),
        with_ics=mail.with_ics,
        **mail.extra,
    )


@in_language_of
def resend(registration: Registration, now: datetime | None = None) -> int | None:
    """Send the current state again to the registration's own address (a repeat sign-up)."""
    if registration.status not in _STATUS_MAIL:
        return None
    kind, template = _STATUS_MAIL[registration.status]
    bucket = int((now or utcnow()).timestamp()) // RESEND_WINDOW_SECONDS
    return queue_for_registration(
        registration,
        kind,
        template,
        registration_key(template, registration, "resend", bucket),
        with_ics=registration.status is RegistrationStatus.CONFIRMED,
        is_resend=True,
        **_offer_context(registration),
    )


@in_language_of
def promoted(registration: Registration) -> int | None:
    """ "You're in": a seat freed up and the waitlisted person now holds it."""
    stamp = int(registration.confirmed_at.timestamp()) if registration.confirmed_at else 0
    return queue_for_registration(
        registration,
        MessageKind.PROMOTED,
        "promoted",
        registration_key("promoted", registration, stamp),
        with_ics=True,
    )


@in_language_of
def cancelled_by_attendee(registration: Registration, *, had_invite: bool = False) -> int | None:
    """Also for switching away: the old session's entry leaves their calendar."""
    return _cancelled(registration, MessageKind.CANCELLED_BY_ATTENDEE, had_invite)


@in_language_of
def cancelled_by_organiser(registration: Registration, *, had_invite: bool = False) -> int | None:
    return _cancelled(
        registration,
        MessageKind.CANCELLED_BY_ORGANISER,
        had_invite,
        reason=registration.cancel_reason,
    )


def _cancelled(
    registration: Registration, kind: MessageKind, had_invite: bool, **extra: Any
) -> int | None:
    # The template is named for its kind; whoever had the entry in their calendar gets the
    # CANCEL that removes it.
    return queue_for_registration(
        registration,
        kind,
        kind.value,
        registration_key(kind.value, registration),
        attachments=[cancel_attachment(registration)] if had_invite else [],
        primary_url=session_url(registration.session),
        primary_label=_("See the session"),
        **extra,
    )


def _offer_context(registration: Registration) -> dict[str, Any]:
    if registration.status is not RegistrationStatus.OFFERED or not registration.offer_expires_at:
        return {}
    return {
        "offer_until_attendee": format_moment(registration.offer_expires_at, registration.timezone),
        "primary_label": _("Take the seat"),
    }
