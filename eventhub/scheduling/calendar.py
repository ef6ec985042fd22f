"""iCalendar for sessions, built with the icalendar library."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

from eventhub.scheduling.models import Session, SessionStatus
from eventhub.urls import external_url

PRODID = "-//eventhub//webinar series//EN"


def session_uid(session: Session) -> str:
    # Stable for the life of the session, whatever else changes: calendars update in place.
    return f"session-{session.id}@eventhub"


def _event(session: Session, *, include_join_url: bool = True) -> Event:
    zone = ZoneInfo(session.timezone)
    event = Event()
    event.add("uid", session_uid(session))
    event.add("sequence", session.sequence)
    event.add("dtstamp", session.updated_at)
    event.add("dtstart", session.starts_at.astimezone(zone))
    event.add(
        "dtend", (session.starts_at + timedelta(minutes=session.duration_minutes)).astimezone(zone)
    )
    event.add("summary", f"{session.series.title}: {session.title}")
    description = session.abstract
    if include_join_url and session.join_url:
        description = f"{description}\n\nJoin: {session.join_url}".strip()
        event.add("location", session.join_url)
    event.add("description", description)
    event.add("url", external_url("public.series", slug=session.series.slug))
    if session.status is SessionStatus.CANCELLED:
        event.add("status", "CANCELLED")
    else:
        event.add("status", "CONFIRMED")
    return event


def calendar_for(sessions: list[Session], *, name: str, include_join_url: bool = True) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    cancelled = any(s.status is SessionStatus.CANCELLED for s in sessions)
    calendar.add("method", "CANCEL" if cancelled and len(sessions) == 1 else "PUBLISH")
    for session in sessions:
        calendar.add_component(_event(session, include_join_url=include_join_url))
    calendar.add_missing_timezones()
    return bytes(calendar.to_ical())


def session_ics(session: Session, *, include_join_url: bool = True) -> bytes:
    """One session as an .ics invite (also attached to confirmation emails)."""
    return calendar_for([session], name=session.title, include_join_url=include_join_url)
