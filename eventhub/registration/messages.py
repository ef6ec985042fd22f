"""One way to write an email to a registrant: its dedupe key, envelope, context and queueing.

Every message about a registration (status mails here and in notify.py, the reschedule and
cancel fan-outs, reminders, follow-ups) is addressed by `registrant_envelope`; the one-at-a-time
mails are queued by `queue_for_registration`, the fan-outs by `queue_in_chunks`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import groupby
from typing import Any, Protocol

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, String, cast, exists, literal, select

from eventhub import signals
from eventhub.extensions import db
from eventhub.i18n import current_tag, language
from eventhub.mail.dedupe import DedupeKey
from eventhub.mail.erasure import erased_address_clause
from eventhub.mail.models import MessageKind, OutboxMessage
from eventhub.mail.outbox import (
    Attachment,
    DeferredEmail,
    Envelope,
    RenderedEmail,
    queue_many,
    queue_message,
)
from eventhub.registration.invites import INVITE, private_join_url
from eventhub.registration.manage_links import manage_url, manage_url_at, series_manage_url
from eventhub.registration.models import Registration, RegistrationStatus
from eventhub.registration.queries import registrations_for_mail
from eventhub.scheduling.calendar_links import google_calendar_url, outlook_calendar_url
from eventhub.scheduling.links import public_session_url as session_url
from eventhub.scheduling.models import Session
from eventhub.speakers.mail_context import per_reader, session_context


def registration_key(name: str, registration: Registration, *suffix: object) -> DedupeKey:
    """ "<name>:<registration>:v<token version>[:<suffix>…]": a new manage link, a new mail."""
    return DedupeKey(name, registration.id, f"v{registration.token_version}", *suffix)


class SessionIds(Protocol):
    """What an envelope names of its session."""

    @property
    def id(self) -> int: ...

    @property
    def series_id(self) -> int: ...


def registrant_envelope(
    registration: Registration,
    session: SessionIds,
    kind: MessageKind,
    key: DedupeKey,
    *,
    reply_to: str | None = None,
    headers: dict[str, str] | None = None,
    attachments: list[Attachment] | None = None,
) -> Envelope:
    """The outbox row's identity for a message to `registration` about its `session`."""
    return Envelope(
        kind=kind,
        dedupe_key=str(key),
        recipient_email=registration.email,
        recipient_name=registration.name,
        reply_to=reply_to,
        series_id=session.series_id,
        session_id=session.id,
        registration_id=registration.id,
        headers=headers or {},
        attachments=attachments or [],
    )


def mail_context(registration: Registration, **extra: Any) -> dict[str, Any]:
    """A status mail's context: the session part (`session_context`) in the registrant's zone,
    then their registration's links, then the kind's `extra`."""
    session = registration.session
    return _context(
        registration,
        session_context(session, registration.timezone),
        manage_url(registration),
        private_join_url(registration),
        _calendar_links(registration),
        extra,
    )


def _context(
    registration: Registration,
    session_part: dict[str, Any],
    link: str,
    join_url: str,
    calendar: dict[str, str],
    extra: dict[str, Any],
) -> dict[str, Any]:
    session = registration.session
    context: dict[str, Any] = {
        **session_part,
        "series": session.series,
        "registration": registration,
        # By zone name, not by how the time reads: "(…)" follows whenever the names differ.
        "zones_differ": registration.timezone != session.series.timezone,
        "join_url": join_url,
        "join_hidden": session.is_join_url_hidden_until_reminder,
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
    context.update(calendar)
    context.update(extra)
    return context


def _calendar_links(registration: Registration) -> dict[str, str]:
    """Google and Outlook "add to calendar" links beside the .ics, for a seat that is held."""
    if registration.status is not RegistrationStatus.CONFIRMED:
        return {"google_calendar_url": "", "outlook_calendar_url": ""}
    return _calendar_links_for(registration.session, private_join_url(registration))


def _calendar_links_for(session: Session, join: str) -> dict[str, str]:
    page = session_url(session)
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


def queue_for_registration(
    registration: Registration,
    kind: MessageKind,
    template: str,
    key: DedupeKey,
    *,
    with_ics: bool = False,
    attachments: list[Attachment] | None = None,
    **extra: Any,
) -> int | None:
    """Queue `template` for one registration (rendered by the worker); its row id, or None
    when `key` was queued before.

    Nothing of the message is built here (this runs in the seat lock): the row keeps what its
    context is built from at send time (`contexts_at_send_time`): the language, the token
    version its links carry, whether a seat was held (join and calendar links) and the kind's
    `extra` (JSON values). The worker builds each session's part once per batch.
    """
    envelope = registrant_envelope(
        registration, registration.session, kind, key, attachments=attachments
    )
    return queue_message(envelope, built_at_send_time(registration, template, with_ics, extra))


def built_at_send_time(
    registration: Registration, template: str, with_ics: bool, extra: dict[str, Any]
) -> DeferredEmail:
    """A registration email whose context the worker builds (`contexts_at_send_time`)."""
    build = {
        "language": registration.language,
        "version": registration.token_version,
        "seat": registration.status is RegistrationStatus.CONFIRMED,
        "extra": extra,
    }
    return DeferredEmail(template, None, attach=INVITE if with_ics else None, build=build)


def contexts_at_send_time(_sender: object = None, *, rows: Sequence[Any]) -> dict[int, Any]:
    """The contexts of deferred registration rows, as `snapshot(mail_context(…))` read when
    the row was queued: the registration and its session as they stand now, its links as
    they were then.

    One query for the rows' registrations; each session's part is built once per reader zone
    and language, its calendar links once per language. A row whose registration is gone
    gets none (the worker fails it rather than send an empty message).
    """
    wanting = [r for r in rows if r.registration_id and r.render.get("build") is not None]
    if not wanting:
        return {}
    registrations = registrations_for_mail(r.registration_id for r in wanting)
    cache = _Shared()
    found: dict[int, Any] = {}
    # One language switch per language, not per row (each is a Babel context change).
    by_language = sorted(wanting, key=lambda r: str(r.render["build"]["language"]))
    for tag, rows_in_language in groupby(by_language, key=lambda r: r.render["build"]["language"]):
        with language(tag):
            for row in rows_in_language:
                registration = registrations.get(row.registration_id)
                if registration is not None:
                    found[row.id] = _built_context(row.render["build"], registration, cache)
    return found


@dataclass
class _Shared:
    """What rows of one batch share: each session's part per reader zone and language, its
    calendar links per language."""

    readers: dict[int, Callable[[str | None], dict[str, Any]]] = field(default_factory=dict)
    calendars: dict[tuple[int, str, str], dict[str, str]] = field(default_factory=dict)


def _built_context(build: dict[str, Any], registration: Registration, cache: _Shared) -> Any:
    session = registration.session
    if session.id not in cache.readers:
        cache.readers[session.id] = per_reader(session)
    join = _join_url(session, seat=build["seat"])
    calendar = {"google_calendar_url": "", "outlook_calendar_url": ""}
    if build["seat"]:
        at = (session.id, join, current_tag())
        if at not in cache.calendars:
            cache.calendars[at] = _calendar_links_for(session, join)
        calendar = cache.calendars[at]
    context = _context(
        registration,
        cache.readers[session.id](registration.timezone),
        manage_url_at(registration.id, build["version"]),
        join,
        calendar,
        build["extra"],
    )
    return {**snapshot(context), "language": build["language"]}


def _join_url(session: Session, *, seat: bool) -> str:
    """`private_join_url` for a registration that held a seat (or not) when its mail was caused."""
    if not seat or session.is_join_url_hidden_until_reminder:
        return ""
    return session.join_url


def connect() -> None:
    """Build registration mail contexts for delivery (idempotent: blinker keeps one)."""
    signals.building_contexts.connect(contexts_at_send_time)


# A fan-out's registrations after an id, at most so many (paged by id, so that a fan-out holds
# one chunk in memory), and one registrant's message, built in their language.
Page = Callable[[int, int], list[Registration]]
Build = Callable[[Registration], tuple[Envelope, RenderedEmail]]


def queue_in_chunks(page: Page, build: Build, chunk: int) -> Iterator[int]:
    """Queue a message per registration `page` returns, one INSERT … ON CONFLICT DO NOTHING
    per chunk; yield each chunk's count of new rows (a beat commits between chunks)."""
    last_id = 0
    while part := page(last_id, chunk):
        last_id = part[-1].id
        messages = []
        for registration in part:
            with language(registration.language):
                messages.append(build(registration))
        yield queue_many(messages)
        if len(part) < chunk:
            return


def confirmed_not_yet_mailed(
    session: Session,
    key: DedupeKey,
    after_id: int,
    limit: int | None,
    *conditions: ColumnElement[bool],
) -> list[Registration]:
    """Confirmed registrations of `session` (and `conditions`) with no row under
    `key.child(<their id>)` yet, paged by id: one indexed probe of the outbox each."""
    mailed = literal(key.prefix) + cast(Registration.id, String)
    query = (
        select(Registration)
        .where(
            Registration.session_id == session.id,
            Registration.id > after_id,
            Registration.status == RegistrationStatus.CONFIRMED,
            # An erased person's seat still counts, but they get no mail.
            ~erased_address_clause(Registration.email),
            ~exists().where(OutboxMessage.dedupe_key == mailed),
            *conditions,
        )
        .order_by(Registration.id)
        .limit(limit)
    )
    return list(db.session.scalars(query))
