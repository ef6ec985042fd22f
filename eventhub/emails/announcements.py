"""Announcements: an organiser's message to a series' registrants (or a filtered part of them)."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from eventhub.emails.content import reply_to
from eventhub.emails.unsubscribe import list_unsubscribe_headers, unsubscribe_url
from eventhub.extensions import db
from eventhub.i18n import language, localised
from eventhub.mail.dedupe import DedupeKey
from eventhub.mail.models import MessageKind
from eventhub.mail.outbox import Envelope, RenderedEmail, queue_many, render_email
from eventhub.markup import render_markdown
from eventhub.refusal import Refusal
from eventhub.registration.models import Registration, RegistrationStatus
from eventhub.scheduling.models import Series, Session


class Audience(enum.StrEnum):
    ALL = "all"
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    ATTENDED = "attended"
    MISSED = "missed"


class Topic(enum.StrEnum):
    """What an announcement is about, which decides who may receive it."""

    # Direct marketing: only people who ticked "Tell me about future sessions of this series".
    NEW_SESSIONS = "new_sessions"
    # About sessions the audience registered for (slides, a changed room): everyone chosen.
    THEIR_SESSIONS = "their_sessions"


TOPIC_LABELS = {
    Topic.NEW_SESSIONS: _l(
        "News of new or future sessions (only people who asked to hear about future sessions)"
    ),
    Topic.THEIR_SESSIONS: _l("About the sessions they registered for (everyone in the audience)"),
}

AUDIENCE_LABELS = {
    Audience.ALL: _l("Everyone registered (confirmed, waitlisted, pending)"),
    Audience.CONFIRMED: _l("Confirmed registrants"),
    Audience.WAITLISTED: _l("People on a waitlist"),
    Audience.ATTENDED: _l("People who attended"),
    Audience.MISSED: _l("Confirmed but did not attend (past sessions)"),
}

ACTIVE = (
    RegistrationStatus.CONFIRMED,
    RegistrationStatus.WAITLISTED,
    RegistrationStatus.PENDING,
    RegistrationStatus.OFFERED,
)


class EmptyAudience(Refusal):
    """Nobody matches the chosen filter."""


@dataclass(frozen=True)
class Recipient:
    email: str
    name: str
    # The organiser's text is as written; greeting and footer follow the reader's language.
    language: str = "en"


def consenting_addresses(series: Series) -> set[str]:
    """Lower-cased addresses whose latest registration in the series asked for its news.

    The latest word counts: a later registration without the box ticked withdraws an earlier
    consent, and unsubscribing clears it on every registration of the series.
    """
    latest: dict[str, bool] = {}
    rows = db.session.execute(
        select(Registration.email, Registration.is_marketing_consent)
        .join(Session, Session.id == Registration.session_id)
        .where(Session.series_id == series.id)
        .order_by(Registration.id.desc())
    )
    for email, consent in rows:
        latest.setdefault(email.lower(), bool(consent))
    return {address for address, consent in latest.items() if consent}


def recipients(
    series: Series,
    audience: Audience,
    session_id: int | None,
    now: datetime,
    topic: Topic = Topic.NEW_SESSIONS,
) -> list[Recipient]:
    """One recipient per address (case-insensitive), whatever number of sessions they joined.

    News of new sessions goes only to people who consented to it at registration.
    """
    query = (
        select(Registration.email, Registration.name, Registration.language)
        .join(Session, Session.id == Registration.session_id)
        .where(Session.series_id == series.id)
        .order_by(Registration.email, Registration.id.desc())
    )
    if session_id is not None:
        query = query.where(Registration.session_id == session_id)
    if audience is Audience.ALL:
        query = query.where(Registration.status.in_(ACTIVE))
    elif audience is Audience.WAITLISTED:
        query = query.where(Registration.status == RegistrationStatus.WAITLISTED)
    else:
        query = query.where(Registration.status == RegistrationStatus.CONFIRMED)
        if audience is Audience.ATTENDED:
            query = query.where(Registration.is_attended.is_(True))
        elif audience is Audience.MISSED:
            query = query.where(Registration.is_attended.is_(False), Session.starts_at < now)
    allowed = consenting_addresses(series) if topic is Topic.NEW_SESSIONS else None
    seen: dict[str, Recipient] = {}
    for email, name, tag in db.session.execute(query):
        if allowed is not None and email.lower() not in allowed:
            continue
        seen.setdefault(email.lower(), Recipient(email=email, name=name, language=tag))
    return list(seen.values())


def announcement_key(series: Series, batch_id: str, person: Recipient) -> DedupeKey:
    """One row per address and batch: a double submit of the same preview sends nothing twice."""
    return DedupeKey("announcement", series.id, batch_id, person.email.lower())


def render_announcement(
    series: Series, subject: str, body_markdown: str, recipient: Recipient
) -> RenderedEmail:
    with language(recipient.language):
        return _render_announcement(series, subject, body_markdown, recipient)


def _render_announcement(
    series: Series, subject: str, body_markdown: str, recipient: Recipient
) -> RenderedEmail:
    return render_email(
        "announcement",
        series_title=localised(series, "title"),
        subject=subject,
        body_html=render_markdown(body_markdown),
        body_text=body_markdown,
        name=recipient.name,
        primary_url=None,
        primary_label="",
        manage_url=None,
        unsubscribe_url=unsubscribe_url(series.id, recipient.email),
    )


def send_announcement(
    series: Series,
    *,
    subject: str,
    body_markdown: str,
    audience: Audience,
    session_id: int | None,
    batch_id: str,
    now: datetime,
    topic: Topic = Topic.NEW_SESSIONS,
) -> int:
    """Queue one row per recipient; `batch_id` (from the preview) makes a double submit harmless."""
    people = recipients(series, audience, session_id, now, topic)
    if not people:
        raise EmptyAudience(_("Nobody matches this audience."))
    organiser = reply_to(series)
    messages = [
        (
            Envelope(
                kind=MessageKind.ANNOUNCEMENT,
                dedupe_key=str(announcement_key(series, batch_id, person)),
                recipient_email=person.email,
                recipient_name=person.name,
                reply_to=organiser,
                series_id=series.id,
                session_id=session_id,
                headers=list_unsubscribe_headers(series.id, person.email),
            ),
            render_announcement(series, subject, body_markdown, person),
        )
        for person in people
    ]
    return queue_many(messages)
