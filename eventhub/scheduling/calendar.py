"""iCalendar for sessions and series feeds, built with the icalendar library.

Each session keeps one UID for life; SEQUENCE rises on every reschedule (and on cancel), and a
cancelled session stays in feeds with STATUS:CANCELLED so subscribed calendars drop it. Times
carry their TZID with a matching VTIMEZONE, so clients show them right across DST changes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from icalendar import Calendar, Event

from eventhub.i18n import localised
from eventhub.scheduling.links import public_session_url
from eventhub.scheduling.models import Series, Session, SessionStatus

PRODID = "-//eventhub//webinar series//EN"
# How often subscribed clients should refetch a series feed.
FEED_REFRESH = timedelta(hours=6)


def session_uid(session: Session) -> str:
    # Stable for the life of the session, whatever else changes: calendars update in place.
    return f"session-{session.id}@eventhub"


def _speakers_line(session: Session) -> str:
    names = []
    for link in session.speaker_links:
        name = link.speaker.name_line
        if link.speaker.name_zh:
            name += f" {link.speaker.name_zh}"
        if link.role.value == "moderator":
            name += _(" (moderator)")
        names.append(name)
    return ", ".join(names)


def _description(session: Session, page_url: str, include_join_url: bool) -> str:
    parts = []
    if session.status is SessionStatus.CANCELLED:
        parts.append(f"{_('CANCELLED.')} {session.status_reason}".strip())
    if localised(session, "abstract"):
        parts.append(localised(session, "abstract"))
    speakers = _speakers_line(session)
    if speakers:
        parts.append(_("Speakers: %(names)s", names=speakers))
    if include_join_url and session.join_url:
        parts.append(_("Join: %(url)s", url=session.join_url))
    parts.append(_("Details: %(url)s", url=page_url))
    return "\n\n".join(parts)


def _event(session: Session, *, include_join_url: bool = True) -> Event:
    zone = ZoneInfo(session.timezone)
    page_url = public_session_url(session)
    event = Event()
    event.add("uid", session_uid(session))
    event.add("sequence", session.sequence)
    event.add("dtstamp", session.updated_at)
    event.add("last-modified", session.updated_at)
    event.add("created", session.created_at)
    event.add("dtstart", session.starts_at.astimezone(zone))
    event.add("dtend", session.ends_at.astimezone(zone))
    event.add("summary", f"{localised(session.series, 'title')}: {localised(session, 'title')}")
    event.add("description", _description(session, page_url, include_join_url))
    if include_join_url and session.join_url:
        event.add("location", session.join_url)
    else:
        event.add("location", _("Online"))
    event.add("url", page_url)
    if session.status is SessionStatus.CANCELLED:
        event.add("status", "CANCELLED")
    else:
        event.add("status", "CONFIRMED")
    event.add("transp", "OPAQUE")
    return event


def calendar_for(
    sessions: Sequence[Session],
    *,
    name: str,
    include_join_url: bool = True,
    method: str | None = None,
    feed: bool = False,
    public: bool = False,
) -> bytes:
    """A VCALENDAR holding `sessions`, with a VTIMEZONE for every zone they use.

    `public`: served to anyone, so a join link kept for reminders stays out.
    """
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    if method is None:
        cancelled = any(s.status is SessionStatus.CANCELLED for s in sessions)
        method = "CANCEL" if cancelled and len(sessions) == 1 and not feed else "PUBLISH"
    calendar.add("method", method)
    if feed:
        calendar.add("refresh-interval", FEED_REFRESH, parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", "PT6H")
    for session in sessions:
        calendar.add_component(
            _event(
                session,
                include_join_url=include_join_url
                and not (public and session.is_join_url_hidden_until_reminder),
            )
        )
    calendar.add_missing_timezones()
    return bytes(calendar.to_ical())


def session_ics(session: Session, *, include_join_url: bool = True) -> bytes:
    """One session as an .ics invite (also attached to confirmation emails)."""
    return calendar_for([session], name=session.title, include_join_url=include_join_url)


def series_feed(series: Series, sessions: Sequence[Session]) -> bytes:
    """The subscribable feed of a series: every public session, cancelled ones included."""
    return calendar_for(sessions, name=series.title, feed=True, public=True)
