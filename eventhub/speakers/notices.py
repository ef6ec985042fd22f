"""Speakers on a session's line-up hear when it moves or is cancelled, as registrants do.

`SessionChange` is what both notices say (registration.notices writes the registrants' part):
one template per change, rendered once per language and role through the mail merge.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from eventhub import signals
from eventhub.i18n import language
from eventhub.mail.compose import mailbox
from eventhub.mail.dedupe import DedupeKey
from eventhub.mail.merge import MailMerge
from eventhub.mail.models import MessageKind
from eventhub.mail.outbox import Envelope, RenderedEmail, queue_many
from eventhub.scheduling.links import public_session_url
from eventhub.scheduling.models import Session
from eventhub.speakers.mail_context import per_reader, two_zones
from eventhub.speakers.models import lineup_of

# A line-up role as the sentence about it reads.
ROLE_NAMES = {"speaker": _l("speaker"), "moderator": _l("moderator"), "panelist": _l("panelist")}


@dataclass(frozen=True)
class SessionChange:
    """A moved or cancelled session as its notices tell it (the template is named for the kind)."""

    session: Session
    kind: MessageKind
    # Ends every dedupe key: a new SEQUENCE is news again, a cancellation is news once.
    suffix: str
    previous_starts_at: datetime | None = None
    # The session's part of the context, built once per reader zone and language of a fan-out.
    contexts: Callable[[str | None], dict[str, Any]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "contexts", per_reader(self.session))

    def merge(self, *fields: str) -> MailMerge:
        return MailMerge(self.kind.value, fields=("recipient_name", *fields))

    def key(self, *recipient: object) -> DedupeKey:
        """ "<kind>:<session>:<recipient…>:<suffix>"."""
        return DedupeKey(self.kind.value, self.session.id, *recipient, self.suffix)

    def context(self, reader_zone: str | None, **fields: Any) -> dict[str, Any]:
        """What every reader's copy shares: the session (`session_context`) in `reader_zone`,
        the time it moved from, and `fields`."""
        session = self.session
        context = {
            **self.contexts(reader_zone),
            "registration": None,
            "unsubscribe_url": None,
            **fields,
        }
        if self.previous_starts_at is not None:
            context["was"] = two_zones(
                self.previous_starts_at, reader_zone, session.series.timezone
            )
        return context


def rescheduled(session: Session, previous_starts_at: datetime) -> SessionChange:
    return SessionChange(
        session, MessageKind.RESCHEDULED, f"seq{session.sequence}", previous_starts_at
    )


def cancelled(session: Session) -> SessionChange:
    return SessionChange(session, MessageKind.SESSION_CANCELLED, "cancel")


def _queue(change: SessionChange) -> int:
    session = change.session
    series = session.series
    organiser = series.organiser
    reply_to = (
        mailbox(organiser.display_name or organiser.email, organiser.email) if organiser else None
    )
    merge = change.merge()
    messages: list[tuple[Envelope, RenderedEmail]] = []
    for link in lineup_of(session):
        profile = link.speaker
        if not profile.email:
            continue
        # The speaker's own account language, else the series' language.
        user_language = profile.user.language if profile.user is not None else None
        reader_language = user_language or series.default_language
        with language(reader_language):
            role = str(ROLE_NAMES.get(link.role.value, link.role.value))
            # In the series' zone alone: the organisers' time, as they agree it with speakers.
            context = change.context(
                series.timezone,
                lineup_role=role,
                has_invite=False,
                join_url="",
                primary_url=public_session_url(session),
                primary_label=_("See the webinar"),
                manage_url=None,
            )
            email = merge.render((reader_language, role), context, recipient_name=profile.name_line)
        envelope = Envelope(
            kind=change.kind,
            dedupe_key=str(change.key("speaker", profile.id)),
            recipient_email=profile.email,
            recipient_name=profile.name_line,
            reply_to=reply_to,
            series_id=session.series_id,
            session_id=session.id,
        )
        messages.append((envelope, email))
    return queue_many(messages)


def tell_speakers_rescheduled(session: Session, previous_starts_at: datetime) -> int:
    """One row per speaker with an address and per new SEQUENCE."""
    return _queue(rescheduled(session, previous_starts_at))


def tell_speakers_cancelled(session: Session) -> int:
    return _queue(cancelled(session))


def on_session_rescheduled(session: Session, *, previous_starts_at: datetime, **_: Any) -> None:
    tell_speakers_rescheduled(session, previous_starts_at)


def on_session_cancelled(session: Session, **_: Any) -> None:
    # Drafts too: speakers were asked before anything was public.
    tell_speakers_cancelled(session)


def connect() -> None:
    """Speakers hear about a moved or cancelled session (idempotent)."""
    signals.session_rescheduled.connect(on_session_rescheduled)
    signals.session_cancelled.connect(on_session_cancelled)
