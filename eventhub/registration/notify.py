"""The emails a registration causes, each an outbox row in the registration's transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import gettext as _

from eventhub.clock import utcnow
from eventhub.i18n import in_language_of, localised, speaker_name
from eventhub.mail.models import MessageKind
from eventhub.mail.outbox import Attachment, DeferredEmail, Envelope, queue_message
from eventhub.registration.invites import INVITE, cancel_attachment, private_join_url
from eventhub.registration.manage_links import manage_url, series_manage_url
from eventhub.registration.models import Registration, RegistrationStatus
from eventhub.scheduling.calendar_links import google_calendar_url, outlook_calendar_url
from eventhub.scheduling.links import public_session_url as session_url
from eventhub.scheduling.models import Session
from eventhub.speakers.models import lineup_of
from eventhub.timefmt import format_duration, format_moment

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


def mail_context(registration: Registration, **extra: Any) -> dict[str, Any]:
    """What every registration email shows: the session in both zones, speakers, links."""
    session = registration.session
    series = session.series
    link = manage_url(registration)
    context: dict[str, Any] = {
        "series_title": localised(series, "title"),
        "series": series,
        "session": session,
        "registration": registration,
        "when_attendee": format_moment(session.starts_at, registration.timezone),
        "when_series": format_moment(session.starts_at, series.timezone),
        "zones_differ": registration.timezone != series.timezone,
        "duration": format_duration(session.duration_minutes),
        "speakers": [
            {
                "name": speaker_name(link.speaker),
                "role": link.role.value,
                "meta": ", ".join(
                    p for p in (link.speaker.position, link.speaker.organisation) if p
                ),
            }
            for link in lineup_of(session)
        ],
        "join_url": private_join_url(registration),
        "join_hidden": session.is_join_url_hidden_until_reminder,
        "session_url": session_url(session),
        "manage_url": link,
        "primary_url": link,
        "primary_label": _("Manage your registration"),
        "unsubscribe_url": None,
        "series_manage_url": (
            series_manage_url(registration.series_registration)
            if registration.series_registration is not None
            else None
        ),
    }
    context.update(_calendar_links(registration))
    context.update(extra)
    return context


def _calendar_links(registration: Registration) -> dict[str, str]:
    """Google and Outlook "add to calendar" links beside the .ics, for a seat that is held."""
    if registration.status is not RegistrationStatus.CONFIRMED:
        return {"google_calendar_url": "", "outlook_calendar_url": ""}
    session = registration.session
    page = session_url(session)
    join = private_join_url(registration)
    return {
        "google_calendar_url": google_calendar_url(session, page, join),
        "outlook_calendar_url": outlook_calendar_url(session, page, join),
    }


def snapshot(context: dict[str, Any]) -> dict[str, Any]:
    """The mail context as JSON for the outbox row: the session, series and registration as
    the values the templates read, fixed at the moment the email was caused."""
    session: Session = context["session"]
    registration: Registration = context["registration"]
    return {
        **context,
        # The worker renders it in this language (`render_deferred`), whatever its own.
        "language": registration.language,
        "series": {
            "id": session.series.id,
            "title": session.series.title,
            "title_zh": session.series.title_zh,
        },
        "session": {
            "id": session.id,
            "number": session.number,
            "title": session.title,
            "title_zh": session.title_zh,
            "timezone": session.timezone,
            "duration_minutes": session.duration_minutes,
            "join_url": session.join_url,
            "is_join_url_hidden_until_reminder": session.is_join_url_hidden_until_reminder,
            "status_reason": session.status_reason,
        },
        "registration": {"id": registration.id, "name": registration.name},
    }


def _queue(
    registration: Registration,
    kind: MessageKind,
    template: str,
    dedupe_key: str,
    *,
    with_ics: bool = False,
    attachments: list[Attachment] | None = None,
    **extra: Any,
) -> int | None:
    context = mail_context(registration, **extra)
    envelope = Envelope(
        kind=kind,
        dedupe_key=dedupe_key,
        recipient_email=registration.email,
        recipient_name=registration.name,
        series_id=registration.session.series_id,
        session_id=registration.session_id,
        registration_id=registration.id,
        attachments=attachments or [],
    )
    # Rendered (and the invite built) by the worker at send time, not inside the seat lock.
    email = DeferredEmail(template, snapshot(context), attach=INVITE if with_ics else None)
    return queue_message(envelope, email)


def _key(kind: str, registration: Registration, *suffix: object) -> str:
    parts = [kind, str(registration.id), f"v{registration.token_version}", *map(str, suffix)]
    return ":".join(parts)


@in_language_of
def status_mail(registration: Registration) -> int | None:
    """The email for the status a registration just reached (confirmed, waitlisted, …)."""
    kind, template = _STATUS_MAIL[registration.status]
    suffix: list[object] = []
    if registration.status is RegistrationStatus.OFFERED and registration.offer_expires_at:
        suffix.append(int(registration.offer_expires_at.timestamp()))
    return _queue(
        registration,
        kind,
        template,
        _key(template, registration, *suffix),
        with_ics=registration.status is RegistrationStatus.CONFIRMED,
        **_offer_context(registration),
    )


@in_language_of
def resend(registration: Registration, now: datetime | None = None) -> int | None:
    """Send the current state again to the registration's own address (a repeat sign-up)."""
    if registration.status not in _STATUS_MAIL:
        return None
    kind, template = _STATUS_MAIL[registration.status]
    bucket = int((now or utcnow()).timestamp()) // RESEND_WINDOW_SECONDS
    return _queue(
        registration,
        kind,
        template,
        _key(template, registration, "resend", bucket),
        with_ics=registration.status is RegistrationStatus.CONFIRMED,
        is_resend=True,
        **_offer_context(registration),
    )


@in_language_of
def promoted(registration: Registration) -> int | None:
    """ "You're in": a seat freed up and the waitlisted person now holds it."""
    stamp = int(registration.confirmed_at.timestamp()) if registration.confirmed_at else 0
    return _queue(
        registration,
        MessageKind.PROMOTED,
        "promoted",
        _key("promoted", registration, stamp),
        with_ics=True,
    )


def _removal(registration: Registration, had_invite: bool) -> list[Attachment]:
    # Whoever had the entry in their calendar gets the CANCEL that removes it.
    return [cancel_attachment(registration)] if had_invite else []


@in_language_of
def cancelled_by_attendee(registration: Registration, *, had_invite: bool = False) -> int | None:
    """Also for switching away: the old session's entry leaves their calendar."""
    return _queue(
        registration,
        MessageKind.CANCELLED_BY_ATTENDEE,
        "cancelled_by_attendee",
        _key("cancelled_by_attendee", registration),
        attachments=_removal(registration, had_invite),
        primary_url=session_url(registration.session),
        primary_label=_("See the session"),
    )


@in_language_of
def cancelled_by_organiser(registration: Registration, *, had_invite: bool = False) -> int | None:
    return _queue(
        registration,
        MessageKind.CANCELLED_BY_ORGANISER,
        "cancelled_by_organiser",
        _key("cancelled_by_organiser", registration),
        attachments=_removal(registration, had_invite),
        reason=registration.cancel_reason,
        primary_url=session_url(registration.session),
        primary_label=_("See the session"),
    )


def _offer_context(registration: Registration) -> dict[str, Any]:
    if registration.status is not RegistrationStatus.OFFERED or not registration.offer_expires_at:
        return {}
    return {
        "offer_until_attendee": format_moment(registration.offer_expires_at, registration.timezone),
        "primary_label": _("Take the seat"),
    }
