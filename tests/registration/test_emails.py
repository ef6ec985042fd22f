"""What the registration emails say: both zones, join link or its promise, speakers, .ics."""

from __future__ import annotations

import base64
import json
import re

from sqlalchemy import select

from eventhub.extensions import db
from eventhub.mail import delivery
from eventhub.mail.models import DevMailboxMessage, MessageKind, MessageStatus, OutboxMessage
from eventhub.mail.outbox import render_email
from eventhub.registration import messages, services
from eventhub.registration.invites import INVITE
from eventhub.registration.manage_links import registration_for_token
from eventhub.registration.models import Registration, RegistrationStatus
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


def test_the_stored_snapshot_renders_exactly_as_the_live_context(make: Factories) -> None:
    """Each registration email reads the same from the JSON snapshot its row keeps."""
    session = make.session(title="Snapshots & <tags>", capacity=1)
    make.link(session, make.speaker(full_name="Ada Chan", honorific="Prof"))
    make.link(session, make.speaker(full_name="Ben Lee"), SpeakerRole.MODERATOR)
    hidden = make.session(is_join_url_hidden_until_reminder=True, requires_approval=True)
    db.session.commit()
    seated = services.register(session.id, applicant(timezone="America/New_York")).registration
    waiting = services.register(session.id, applicant(name='Zoë "Z" O\'Neil')).registration
    pending = services.register(hidden.id, applicant()).registration
    cases: list[tuple[Registration, str, dict[str, object]]] = [
        (seated, "confirmation", {}),
        (seated, "confirmation", {"is_resend": True}),
        (waiting, "waitlisted", {}),
        (pending, "pending", {}),
        (seated, "promoted", {}),
        (seated, "cancelled_by_attendee", {"primary_label": "See the session"}),
        (seated, "cancelled_by_organiser", {"reason": "Booked <twice>"}),
    ]
    for registration, template, extra in cases:
        context = messages.mail_context(registration, **extra)
        stored = json.loads(json.dumps(messages.snapshot(context)))
        assert render_email(template, **stored) == render_email(template, **context), template


def test_a_snapshot_queued_before_the_shared_session_context_still_renders(
    make: Factories,
) -> None:
    """Rows queued by the old builder keep `when_attendee` and `when_series`, not `when`."""
    registration = make.registration(make.session(), timezone="America/New_York")
    context = json.loads(json.dumps(messages.snapshot(messages.mail_context(registration))))
    when = context["when"]
    dropped = ("when", "session_title", "session_number")
    old = {
        **{k: v for k, v in context.items() if k not in dropped},
        "when_attendee": when["local"],
        "when_series": when["series"] or when["local"],
    }
    assert when["series"] and when["series"] in render_email("confirmation", **old).text
    assert render_email("confirmation", **old) == render_email("confirmation", **context)


def test_registration_mail_is_rendered_at_send_time_not_under_the_lock(make: Factories) -> None:
    session = make.session(title="Rendered later", capacity=10)
    db.session.commit()
    registration = services.register(session.id, applicant()).registration
    db.session.commit()
    row = db.session.scalars(select(OutboxMessage)).one()
    # Written in the registration's transaction with its dedupe key, but not yet rendered.
    assert row.dedupe_key == f"confirmation:{registration.id}:v0"
    assert (row.subject, row.body_html, row.body_text) == ("", "", "")
    assert row.render is not None and row.render["template"] == "confirmation"
    # Nothing of the message itself: the worker builds its context at send time.
    assert "context" not in row.render
    assert row.render["build"] == {"language": "en", "version": 0, "seat": True, "extra": {}}
    # The registrant's own invite is built at send time too.
    assert row.render["attach"] == INVITE and row.attachments == []
    # What the worker sends: rendered then, and stored on the row.
    assert delivery.deliver_due(batch_size=10, max_batches=1)[0].sent == 1
    db.session.expire_all()
    assert row.subject == "You're registered: Rendered later" and row.render is None
    assert "Rendered later" in row.body_html and "/manage/" in row.body_text
    [invite] = row.attachments
    assert b"METHOD:REQUEST" in base64.b64decode(invite["data_base64"])
    [received] = db.session.scalars(select(DevMailboxMessage)).all()
    assert received.subject == row.subject and b"Rendered later" in received.raw
    assert b"text/calendar" in received.raw


def test_an_invite_built_at_send_time_skips_a_seat_given_up_meanwhile(make: Factories) -> None:
    session = make.session(capacity=10)
    db.session.commit()
    registration = services.register(session.id, applicant()).registration
    db.session.commit()
    services.cancel(registration)
    db.session.commit()
    assert delivery.deliver_due(batch_size=10, max_batches=1)[0].sent == 2
    db.session.expire_all()
    confirmation, cancellation = db.session.scalars(
        select(OutboxMessage).order_by(OutboxMessage.id)
    ).all()
    # No REQUEST for a seat already given up; the cancellation carries the CANCEL.
    assert confirmation.kind is MessageKind.CONFIRMATION and confirmation.attachments == []
    [cancel] = cancellation.attachments
    assert b"METHOD:CANCEL" in base64.b64decode(cancel["data_base64"])


def test_a_snapshot_that_cannot_be_rendered_fails_alone(make: Factories) -> None:
    session = make.session(capacity=10)
    db.session.commit()
    services.register(session.id, applicant())
    services.register(session.id, applicant())
    db.session.commit()
    broken, fine = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    broken.render = {"template": "no_such_template", "context": {}}
    db.session.commit()
    result, _ = delivery.deliver_due(batch_size=10, max_batches=1)
    assert (result.sent, result.failed) == (1, 1)
    db.session.expire_all()
    assert broken.status is MessageStatus.FAILED and "cannot render" in broken.last_error
    assert fine.status is MessageStatus.SENT


def test_an_offer_is_worded_in_the_registrants_language_whoever_asks(make: Factories) -> None:
    """status_mail_for switches language only for an offer's own words, and then it must."""
    from eventhub.registration import notify

    registration = make.registration(
        make.session(), status=RegistrationStatus.OFFERED, language="zh-Hant"
    )
    mail = notify.status_mail_for(registration)  # outside any language: the app's default
    assert mail.extra["primary_label"] not in ("", "Take the seat")
    assert mail.extra["offer_until_attendee"]
