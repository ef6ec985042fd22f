"""iCalendar for sessions and series feeds (RFC 5545), and iTIP invitations (RFC 5546).

Each session keeps one UID for life (`<random uuid>@eventhub`, unique across installations);
SEQUENCE rises on every reschedule and on cancel. What goes where:

- public .ics and the series feed: METHOD:PUBLISH, no attendee, never a join link (anyone can
  download them); a cancelled session stays in feeds with STATUS:CANCELLED;
- a confirmed registrant's own invite: METHOD:REQUEST with ORGANIZER and that registrant as
  ATTENDEE, so Outlook, Gmail and Apple Calendar update the entry in place on every new
  SEQUENCE; it may carry the join link;
- a cancelled session, or a registrant who cancels or switches away: METHOD:CANCEL with the
  same UID, ORGANIZER and ATTENDEE, STATUS:CANCELLED, so the entry disappears.

Times carry their TZID with a VTIMEZONE covering the years around them; DESCRIPTION is plain
text (the abstract's Markdown flattened).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from email.utils import parseaddr
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext as _
from icalendar import Calendar, Event, Timezone, vCalAddress, vText
from icalendar.parser import Contentline

from eventhub.i18n import current_tag, localised
from eventhub.markup import markdown_to_text
from eventhub.scheduling.links import public_session_url
from eventhub.scheduling.models import Series, Session, SessionStatus

PRODID = "-//eventhub//webinar series//EN"
# How often subscribed clients should refetch a series feed.
FEED_REFRESH = timedelta(hours=6)
REQUEST, CANCEL, PUBLISH = "REQUEST", "CANCEL", "PUBLISH"


@dataclass(frozen=True)
class Attendee:
    """The registrant an invitation is addressed to (RFC 5546 §3.2.2 ATTENDEE)."""

    name: str
    email: str


def session_uid(session: Session) -> str:
    # Random per session and kept for life: calendars update in place, installations differ.
    return f"{session.calendar_uid}@eventhub"


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


def _description(session: Session, page_url: str, join_url: str) -> str:
    parts = []
    if session.status is SessionStatus.CANCELLED:
        parts.append(f"{_('CANCELLED.')} {session.status_reason}".strip())
    abstract = markdown_to_text(localised(session, "abstract"))
    if abstract:
        parts.append(abstract)
    speakers = _speakers_line(session)
    if speakers:
        parts.append(_("Speakers: %(names)s", names=speakers))
    if join_url:
        parts.append(_("Join: %(url)s", url=join_url))
    parts.append(_("Details: %(url)s", url=page_url))
    return "\n\n".join(parts)


def _mailto(email: str, name: str, **params: str) -> vCalAddress:
    address = vCalAddress(f"mailto:{email}")
    if name:
        # vText-escaped by icalendar; quoting keeps commas and semicolons in names intact.
        address.params["CN"] = vText(name)
    for key, value in params.items():
        address.params[key] = value
    return address


def _organizer(session: Session) -> vCalAddress:
    """The no-reply sender, named for the series: the same identity as the email's From.

    Gmail shows an invitation card only when ORGANIZER matches the message's sender.
    """
    _, email = parseaddr(current_app.config["MAIL_DEFAULT_SENDER"])
    return _mailto(email or "no-reply@eventhub.localhost", session.series.title)


def _event(
    session: Session,
    *,
    join_url: str = "",
    cancelled: bool = False,
) -> Event:
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
    event.add("description", _description(session, page_url, join_url))
    event.add("location", join_url or _("Online"))
    event.add("url", page_url)
    # PUBLISH needs ORGANIZER too (RFC 5546 §3.2.1).
    event.add("organizer", _organizer(session))
    is_cancelled = cancelled or session.status is SessionStatus.CANCELLED
    event.add("status", "CANCELLED" if is_cancelled else "CONFIRMED")
    event.add("transp", "TRANSPARENT" if is_cancelled else "OPAQUE")
    return event


@lru_cache(maxsize=256)
def _timezone(tzid: str, year: int) -> Timezone:
    # Transitions from the year before to two years after: complete for the event, and a
    # fraction of the default 1970-2038 range (building that dominated every fan-out).
    return Timezone.from_tzid(tzid, first_date=date(year - 1, 1, 1), last_date=date(year + 2, 1, 1))


def _calendar(method: str, name: str, events: Sequence[tuple[Session, Event]]) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    calendar.add("x-wr-calname", name)
    zones: dict[str, tuple[int, int]] = {}
    for session, _event in events:
        year = session.starts_at.astimezone(ZoneInfo(session.timezone)).year
        low, high = zones.get(session.timezone, (year, year))
        zones[session.timezone] = (min(low, year), max(high, year))
    for tzid, (low, high) in sorted(zones.items()):
        if high - low <= 2:
            calendar.add_component(_timezone(tzid, low))
        else:
            calendar.add_component(
                Timezone.from_tzid(
                    tzid, first_date=date(low - 1, 1, 1), last_date=date(high + 2, 1, 1)
                )
            )
    for _session, event in events:
        calendar.add_component(event)
    return calendar


def public_calendar(sessions: Sequence[Session], *, name: str, feed: bool = False) -> bytes:
    """PUBLISH for anyone (session .ics, series feed): no attendee, never the join link."""
    events = [(s, _event(s)) for s in sessions]
    calendar = _calendar(PUBLISH, name, events)
    if feed:
        calendar.add("refresh-interval", FEED_REFRESH, parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", "PT6H")
    return bytes(calendar.to_ical())


# Every registrant's invite is the session's calendar plus one ATTENDEE line. Serialising the
# calendar (VTIMEZONE above all) costs milliseconds, so it is built once per version of the
# session and method, and only the attendee's line is made per person.
_TEMPLATES: OrderedDict[tuple[Any, ...], bytes] = OrderedDict()
_TEMPLATES_SIZE = 256
_EVENT_END = b"END:VEVENT\r\n"
# icalendar folds content lines before they reach 75 octets.
_FOLD = 74


def _template_key(session: Session, method: str, join_url: str) -> tuple[Any, ...]:
    series = session.series
    return (
        method,
        join_url,
        session.id,
        session.calendar_uid,
        session.sequence,
        session.updated_at,
        session.created_at,
        session.status,
        session.status_reason,
        session.title,
        session.abstract,
        session.starts_at,
        session.duration_minutes,
        session.timezone,
        session.slug,
        series.title,
        series.slug,
        _speakers_line(session),
        current_app.config["EVENTHUB_BASE_URL"],
        current_app.config["MAIL_DEFAULT_SENDER"],
        # The text is in the reader's language, with the Chinese fields when they read Chinese.
        current_tag(),
        session.title_zh,
        session.abstract_zh,
        series.title_zh,
    )


def _template(session: Session, method: str, join_url: str) -> bytes:
    key = _template_key(session, method, join_url)
    cached = _TEMPLATES.get(key)
    if cached is None:
        event = _event(session, join_url=join_url, cancelled=method == CANCEL)
        name = localised(session, "title")
        cached = bytes(_calendar(method, name, [(session, event)]).to_ical())
        _TEMPLATES[key] = cached
        if len(_TEMPLATES) > _TEMPLATES_SIZE:
            _TEMPLATES.popitem(last=False)
    else:
        _TEMPLATES.move_to_end(key)
    return cached


def _attendee_lines(attendee: Attendee, cancelled: bool) -> bytes:
    """The invite's ATTENDEE content line, folded, as icalendar writes it in a VEVENT.

    Built with icalendar's own content line (its escaping and quoting of CN); only the
    folding of a plain ASCII line is done here (74 characters a line, icalendar's rule),
    which spares the Event around it and icalendar's character-by-character fold: a
    confirmation's invite is the session's calendar plus this one line per registrant.
    """
    address = _mailto(
        attendee.email,
        attendee.name,
        ROLE="REQ-PARTICIPANT",
        PARTSTAT="DECLINED" if cancelled else "ACCEPTED",
        RSVP="FALSE",
    )
    line = Contentline.from_parts("ATTENDEE", address.params, address, sorted=True)
    if line.isascii() and "\\" not in line and "^" not in line:
        # icalendar never ends a folded piece on an escape character (\\ or ^); without
        # them its fold of an ASCII line is plain 74-character slices.
        pieces = [line[i : i + _FOLD] for i in range(0, len(line), _FOLD)]
        return ("\r\n ".join(pieces) + "\r\n").encode("ascii")
    return bytes(line.to_ical()) + b"\r\n"


def _for_attendee(session: Session, method: str, attendee: Attendee, join_url: str) -> bytes:
    template = _template(session, method, join_url)
    at = template.rindex(_EVENT_END)
    return template[:at] + _attendee_lines(attendee, method == CANCEL) + template[at:]


def invitation(session: Session, attendee: Attendee, *, join_url: str = "") -> bytes:
    """A confirmed registrant's own invite: REQUEST, or CANCEL once the session is cancelled."""
    if session.status is SessionStatus.CANCELLED:
        return cancellation(session, attendee)
    return _for_attendee(session, REQUEST, attendee, join_url)


def cancellation(session: Session, attendee: Attendee) -> bytes:
    """CANCEL for one attendee: the session was cancelled, or they left it (RFC 5546 §3.2.5)."""
    return _for_attendee(session, CANCEL, attendee, "")


def method_of(document: bytes) -> str:
    """The METHOD a calendar object was built with (for the MIME part's method parameter)."""
    for method in (CANCEL, REQUEST, PUBLISH):
        if f"\r\nMETHOD:{method}\r\n".encode() in document:
            return method
    return PUBLISH


def series_feed(series: Series, sessions: Sequence[Session]) -> bytes:
    """The subscribable feed of a series: every public session, cancelled ones included."""
    return public_calendar(sessions, name=series.title, feed=True)
