"""Registrants' invitations as Outlook, Gmail, Apple Calendar and Thunderbird read them.

Every calendar object is parsed by ical.js and by icalendar (tests/support/calendars.py).
Rules: RFC 5546 §3.2.2 (REQUEST: ORGANIZER, ATTENDEE, UID, SEQUENCE; an update keeps the UID
and raises SEQUENCE), §3.2.5 (CANCEL: same UID, ORGANIZER and the ATTENDEE removed, STATUS
CANCELLED), RFC 6047 §2.4 (iMIP: the MIME part's `method` equals the object's METHOD).
"""

from __future__ import annotations

import base64
from datetime import timedelta
from typing import Any

from flask.testing import FlaskClient

from eventhub.clock import utcnow
from eventhub.extensions import db
from eventhub.mail.compose import build_message
from eventhub.mail.models import MessageKind, OutboxMessage
from eventhub.registration import services
from eventhub.registration.manage_links import manage_token
from eventhub.scheduling import lifecycle
from eventhub.scheduling.models import Session
from tests.registration.conftest import applicant, outbox
from tests.support.calendars import Read, read_calendars
from tests.support.factories import Factories

JOIN = "https://meet.example.org/j/123"


def _ics(row: OutboxMessage) -> bytes:
    [attachment] = row.attachments
    return base64.b64decode(attachment["data_base64"])


def _session(make: Factories, **fields: Any) -> Session:
    session = make.session(
        title="AI and industry", starts_at=utcnow() + timedelta(days=5), **fields
    )
    db.session.commit()
    return session


def _check_request(read: Read, session: Session, email: str, sequence: int) -> None:
    event = read.event
    assert read.icaljs["method"] == "REQUEST"
    assert (event["uid"], event["sequence"]) == (f"{session.calendar_uid}@eventhub", sequence)
    assert event["organizer"] == "mailto:no-reply@eventhub.localhost"
    assert event["organizer_cn"] == session.series.title
    [attendee] = event["attendees"]
    assert attendee["value"] == f"mailto:{email}"
    assert (attendee["partstat"], attendee["rsvp"]) == ("ACCEPTED", "FALSE")
    assert event["status"] == "CONFIRMED"


def _check_cancel(read: Read, session: Session, email: str, sequence: int) -> None:
    event = read.event
    assert read.icaljs["method"] == "CANCEL"
    assert (event["uid"], event["sequence"]) == (f"{session.calendar_uid}@eventhub", sequence)
    assert event["organizer"] == "mailto:no-reply@eventhub.localhost"
    assert [a["value"] for a in event["attendees"]] == [f"mailto:{email}"]
    assert event["status"] == "CANCELLED"
    assert JOIN not in (event["description"] or "") and event["location"] == "Online"


def test_confirmation_is_a_request_naming_the_registrant(make: Factories) -> None:
    session = _session(make, capacity=5)
    services.register(session.id, applicant("ada@example.org", name='Ada 陳, "Prof"'))
    db.session.commit()
    [row] = outbox(MessageKind.CONFIRMATION)
    [read] = read_calendars(_ics(row))
    _check_request(read, session, "ada@example.org", 0)
    assert read.event["attendees"][0]["cn"] == 'Ada 陳, "Prof"'
    assert read.event["location"] == JOIN and JOIN in read.event["description"]
    # On the wire: one charset, and the iTIP method on the part (RFC 6047 §2.4).
    message = build_message(row, "eventhub <no-reply@eventhub.localhost>", utcnow())
    [part] = list(message.iter_attachments())
    content_type = part["Content-Type"]
    assert str(content_type).lower().count("charset") == 1
    assert part.get_param("method") == "REQUEST" and part.get_content_charset() == "utf-8"


def test_a_reschedule_updates_invites_in_place_and_never_mails_the_waitlist_the_link(
    make: Factories,
) -> None:
    session = _session(make, capacity=1)
    services.register(session.id, applicant("ada@example.org"))
    services.register(session.id, applicant("wait@example.org"))
    db.session.commit()
    lifecycle.reschedule_session(session, session.starts_at + timedelta(days=1), 60, "Moved.")
    db.session.commit()
    seated = outbox(MessageKind.RESCHEDULED, email="ada@example.org")[0]
    waiting = outbox(MessageKind.RESCHEDULED, email="wait@example.org")[0]
    [read] = read_calendars(_ics(seated))
    _check_request(read, session, "ada@example.org", 1)
    assert read.event["start_utc"] == int(session.starts_at.timestamp())
    assert JOIN in seated.body_text
    # The waitlist hears of the move, without an invite and without the join link.
    assert waiting.attachments == []
    assert JOIN not in waiting.body_text and JOIN not in waiting.body_html
    assert "calendar file" not in waiting.body_text


def test_a_cancelled_session_removes_each_registrants_entry(make: Factories) -> None:
    session = _session(make, capacity=1)
    services.register(session.id, applicant("ada@example.org"))
    services.register(session.id, applicant("wait@example.org"))
    db.session.commit()
    lifecycle.cancel_session(session, "Not enough speakers.")
    db.session.commit()
    seated = outbox(MessageKind.SESSION_CANCELLED, email="ada@example.org")[0]
    [read] = read_calendars(_ics(seated))
    _check_cancel(read, session, "ada@example.org", 1)
    assert outbox(MessageKind.SESSION_CANCELLED, email="wait@example.org")[0].attachments == []


def test_a_registrant_who_cancels_or_switches_away_gets_a_cancel(make: Factories) -> None:
    first = _session(make, capacity=5)
    other = make.session(first.series, title="Next one", starts_at=utcnow() + timedelta(days=9))
    db.session.commit()
    ada = services.register(first.id, applicant("ada@example.org")).registration
    bob = services.register(first.id, applicant("bob@example.org")).registration
    db.session.commit()
    services.cancel(ada)
    services.switch(bob, other.id)
    db.session.commit()
    [left] = outbox(MessageKind.CANCELLED_BY_ATTENDEE, email="ada@example.org")
    [moved] = outbox(MessageKind.CANCELLED_BY_ATTENDEE, email="bob@example.org")
    confirmations = outbox(MessageKind.CONFIRMATION, email="bob@example.org")
    new_invite = next(r for r in confirmations if r.session_id == other.id)
    reads = read_calendars(_ics(left), _ics(moved), _ics(new_invite))
    _check_cancel(reads[0], first, "ada@example.org", 0)
    _check_cancel(reads[1], first, "bob@example.org", 0)
    _check_request(reads[2], other, "bob@example.org", 0)
    assert reads[2].event["uid"] != reads[1].event["uid"]


def test_a_waitlisted_registrant_who_cancels_gets_no_calendar_file(make: Factories) -> None:
    session = _session(make, capacity=1)
    services.register(session.id, applicant())
    waiting = services.register(session.id, applicant("wait@example.org")).registration
    db.session.commit()
    services.cancel(waiting)
    db.session.commit()
    [row] = outbox(MessageKind.CANCELLED_BY_ATTENDEE, email="wait@example.org")
    assert row.attachments == []


def test_speakers_on_the_line_up_hear_of_reschedule_and_cancellation(make: Factories) -> None:
    session = _session(make)
    speaker = make.speaker(full_name="Daniel Yip", honorific="Dr", email="daniel@example.org")
    make.link(session, speaker)
    make.link(session, make.speaker(full_name="No Address", email=None))
    db.session.commit()
    lifecycle.reschedule_session(session, session.starts_at + timedelta(hours=2), 60, "Clash.")
    db.session.commit()
    lifecycle.cancel_session(session, "Venue closed.")
    db.session.commit()
    [moved] = outbox(MessageKind.RESCHEDULED, email="daniel@example.org")
    [cancelled] = outbox(MessageKind.SESSION_CANCELLED, email="daniel@example.org")
    assert "Dr Daniel Yip" in moved.body_text and "line-up as speaker" in moved.body_text
    assert "Venue closed." in cancelled.body_text
    for row in (moved, cancelled):
        assert row.registration_id is None and row.session_id == session.id
        assert JOIN not in row.body_text and row.attachments == []


def test_the_manage_page_download_is_the_registrants_own_invite(
    client: FlaskClient, make: Factories
) -> None:
    session = _session(make, capacity=1)
    seated = services.register(session.id, applicant("ada@example.org")).registration
    waiting = services.register(session.id, applicant("wait@example.org")).registration
    db.session.commit()
    mine = client.get(f"/manage/{manage_token(seated)}/calendar.ics")
    theirs = client.get(f"/manage/{manage_token(waiting)}/calendar.ics")
    for response in (mine, theirs):
        assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    own, public = read_calendars(mine.data, theirs.data)
    _check_request(own, session, "ada@example.org", 0)
    assert own.event["location"] == JOIN
    assert public.icaljs["method"] == "PUBLISH" and public.event["attendees"] == []
    assert JOIN.encode() not in theirs.data
