"""Speakers on a session's line-up hear when it moves or is cancelled, as registrants do."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from eventhub import signals
from eventhub.i18n import language, localised
from eventhub.mail.compose import mailbox
from eventhub.mail.models import MessageKind
from eventhub.mail.outbox import Envelope, queue_message, render_email
from eventhub.scheduling.links import public_session_url
from eventhub.scheduling.models import Session
from eventhub.speakers.models import lineup_of
from eventhub.timefmt import format_moment

# A line-up role as the sentence about it reads.
ROLE_NAMES = {"speaker": _l("speaker"), "moderator": _l("moderator"), "panelist": _l("panelist")}


def _queue(session: Session, kind: MessageKind, template: str, suffix: str, **times: Any) -> int:
    series = session.series
    organiser = series.organiser
    reply_to = (
        mailbox(organiser.display_name or organiser.email, organiser.email) if organiser else None
    )
    queued = 0
    for link in lineup_of(session):
        profile = link.speaker
        if not profile.email:
            continue
        # The speaker's own account language, else the series' language.
        user_language = profile.user.language if profile.user is not None else None
        with language(user_language or series.default_language):
            zone = series.timezone
            email = render_email(
                template,
                session=session,
                registration=None,
                recipient_name=profile.name_line,
                lineup_role=str(ROLE_NAMES.get(link.role.value, link.role.value)),
                has_invite=False,
                join_url="",
                series_title=localised(series, "title"),
                primary_url=public_session_url(session),
                primary_label=_("See the webinar"),
                manage_url=None,
                unsubscribe_url=None,
                new_time=format_moment(session.starts_at, zone),
                **{key: format_moment(value, zone) for key, value in times.items()},
            )
            envelope = Envelope(
                kind=kind,
                dedupe_key=f"{kind.value}:{session.id}:speaker:{profile.id}:{suffix}",
                recipient_email=profile.email,
                recipient_name=profile.name_line,
                reply_to=reply_to,
                series_id=session.series_id,
                session_id=session.id,
            )
            if queue_message(envelope, email) is not None:
                queued += 1
    return queued


def tell_speakers_rescheduled(session: Session, previous_starts_at: datetime) -> int:
    """One row per speaker with an address and per new SEQUENCE."""
    return _queue(
        session,
        MessageKind.RESCHEDULED,
        "rescheduled",
        f"seq{session.sequence}",
        old_time=previous_starts_at,
    )


def tell_speakers_cancelled(session: Session) -> int:
    return _queue(session, MessageKind.SESSION_CANCELLED, "session_cancelled", "cancel")


def on_session_rescheduled(session: Session, *, previous_starts_at: datetime, **_: Any) -> None:
    tell_speakers_rescheduled(session, previous_starts_at)


def on_session_cancelled(session: Session, **_: Any) -> None:
    # Drafts too: speakers were asked before anything was public.
    tell_speakers_cancelled(session)


def connect() -> None:
    """Speakers hear about a moved or cancelled session (idempotent)."""
    signals.session_rescheduled.connect(on_session_rescheduled)
    signals.session_cancelled.connect(on_session_cancelled)
