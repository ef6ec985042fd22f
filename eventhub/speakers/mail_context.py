"""The one context builder for a session as every registrant email tells it.

Title, number and series, the time in the reader's zone and the series' zone, duration, the
line-up and the public page: status mails (registration/messages.py), reminders, follow-ups
and the reschedule and cancel notices all start from `session_context` and layer their own
values on top. It lives beside the line-up it names so that the speakers' notices can use it
without importing registration (which imports speakers).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from eventhub.i18n import current_tag, localised, speaker_name
from eventhub.scheduling.links import public_session_url
from eventhub.scheduling.models import Session
from eventhub.speakers.models import SessionSpeaker, lineup_of
from eventhub.timefmt import format_duration, in_two_zones


def two_zones(moment: datetime, reader_zone: str | None, series_zone: str) -> dict[str, str]:
    """A moment for emails: `local` (the reader's zone), `series` (the series' zone when it reads
    otherwise, else ""), and `both` on one line. Plain strings: a queued mail's snapshot is JSON."""
    times = in_two_zones(moment, reader_zone, series_zone)
    return {"local": times.local, "series": times.series, "both": times.inline()}


def speaker_entry(link: SessionSpeaker) -> dict[str, str]:
    """A speaker as emails name them (in the language being rendered): name, role, position."""
    speaker = link.speaker
    return {
        "name": speaker_name(speaker),
        "role": link.role.value,
        "meta": ", ".join(p for p in (speaker.position, speaker.organisation) if p),
    }


def session_context(session: Session, reader_zone: str | None) -> dict[str, Any]:
    """The session part of a registrant email's context, written in the language being
    rendered for a reader in `reader_zone` (None or unknown: the series' zone)."""
    series = session.series
    return {
        "session": session,
        "series_title": localised(series, "title"),
        "session_title": localised(session, "title"),
        "session_number": session.number,
        "when": two_zones(session.starts_at, reader_zone, series.timezone),
        "duration": format_duration(session.duration_minutes),
        "speakers": [speaker_entry(link) for link in lineup_of(session)],
        "session_url": public_session_url(session),
    }


def per_reader(session: Session) -> Callable[[str | None], dict[str, Any]]:
    """`session_context` for a fan-out: built once per reader zone and language (as often as
    the mail merge renders), not once per registrant."""
    built: dict[tuple[str | None, str], dict[str, Any]] = {}

    def context_for(reader_zone: str | None) -> dict[str, Any]:
        key = (reader_zone, current_tag())
        if key not in built:
            built[key] = session_context(session, reader_zone)
        return built[key]

    return context_for
