"""What the registration emails say: both zones, join link or its promise, speakers, .ics."""

from __future__ import annotations

import base64
import re

from eventhub.extensions import db
from eventhub.mail.models import MessageKind
from eventhub.registration import services
from eventhub.registration.manage_links import registration_for_token
from eventhub.speakers.models import SpeakerRole
from tests.registration.conftest import applicant, outbox
from tests.support.factories import Factories


def test_confirmation_email(make: Factories) -> None:
    session = make.session(title="How AI reinvents industry", capacity=10)
    make.link(session, make.speaker(full_name="Ada Chan", honorific="Prof"))
    make.link(session, make.speaker(full_name="Ben Lee"), SpeakerRole.MODERATOR)
    db.session.commit()
    registration = services.register(
        session.id, applicant("ada@example.org", timezone="Europe/London")
    ).registration
    db.session.commit()
    [row] = outbox(MessageKind.CONFIRMATION)
    assert row.subject == "You're registered: How AI reinvents industry"
    assert row.registration_id == registration.id and row.session_id == session.id
    for body in (row.body_text, row.body_html):
        assert "HKT" in body and ("GMT" in body or "BST" in body)
        assert "https://meet.example.org/j/123" in body
        assert "Prof Ada Chan" in body and "Ben Lee (moderator)" in body
        # The private manage link, naming this registration (tokens carry their own time).
        token = re.search(r"http://eventhub\.test/manage/([\w.-]+)", body)
        assert token is not None
        assert registration_for_token(token.group(1)) is registration
    [attachment] = row.attachments
    assert attachment["content_type"].startswith("text/calendar")
    ics = base64.b64decode(attachment["data_base64"])
    assert b"BEGIN:VEVENT" in ics and b"meet.example.org" in ics


def test_hidden_join_link_is_promised_not_shown(make: Factories) -> None:
    session = make.session(is_join_url_hidden_until_reminder=True)
    db.session.commit()
    services.register(session.id, applicant())
    db.session.commit()
    [row] = outbox(MessageKind.CONFIRMATION)
    for body in (row.body_text, row.body_html):
        assert "meet.example.org" not in body
        assert "sent in the reminder before the session" in body
    assert b"meet.example.org" not in base64.b64decode(row.attachments[0]["data_base64"])


def test_waitlisted_and_pending_emails_have_no_join_link(make: Factories) -> None:
    full = make.session(capacity=0)
    approval = make.session(requires_approval=True)
    db.session.commit()
    services.register(full.id, applicant())
    services.register(approval.id, applicant())
    db.session.commit()
    for kind in (MessageKind.WAITLISTED, MessageKind.PENDING):
        [row] = outbox(kind)
        assert "meet.example.org" not in row.body_text
        assert row.attachments == []
        assert "/manage/" in row.body_text


def test_organiser_cancellation_carries_the_reason(make: Factories) -> None:
    session = make.session()
    db.session.commit()
    registration = services.register(session.id, applicant()).registration
    services.cancel(registration, by_organiser=True, reason="Duplicate of your colleague's seat")
    db.session.commit()
    [row] = outbox(MessageKind.CANCELLED_BY_ORGANISER)
    assert "Duplicate of your colleague" in row.body_text


def test_confirmation_carries_google_and_outlook_links_beside_the_ics(make: Factories) -> None:
    from datetime import UTC
    from urllib.parse import parse_qs, urlsplit

    session = make.session(title="How AI reinvents industry", abstract="**Bold** claims")
    db.session.commit()
    services.register(session.id, applicant("ada@example.org"))
    db.session.commit()
    [row] = outbox(MessageKind.CONFIRMATION)
    start = session.starts_at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    google = re.search(r'href="(https://calendar\.google\.com/[^"]+)"', row.body_html)
    outlook = re.search(r"Add to Outlook.com: (\S+)", row.body_text)
    assert google is not None and outlook is not None
    query = parse_qs(urlsplit(google.group(1).replace("&amp;", "&")).query)
    assert query["action"] == ["TEMPLATE"] and query["dates"][0].startswith(start + "/")
    assert "Bold claims" in query["details"][0] and "**" not in query["details"][0]
    outlook_query = parse_qs(urlsplit(outlook.group(1)).query)
    assert outlook_query["rru"] == ["addevent"]
    assert outlook_query["subject"] == [f"{session.series.title}: How AI reinvents industry"]
    assert "calendar.google.com" in row.body_text


def test_a_waitlisted_registrant_gets_no_calendar_links_or_join_link(make: Factories) -> None:
    session = make.session(capacity=1)
    db.session.commit()
    services.register(session.id, applicant())
    services.register(session.id, applicant("late@example.org"))
    db.session.commit()
    [row] = outbox(MessageKind.WAITLISTED)
    for body in (row.body_text, row.body_html):
        assert "calendar.google.com" not in body and "meet.example.org" not in body
    assert row.attachments == []
