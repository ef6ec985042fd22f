"""The organiser home lists what needs attention, and organisers land on it after login."""

from __future__ import annotations

from datetime import timedelta

from flask.testing import FlaskClient

from eventhub.clock import utcnow
from eventhub.extensions import db
from eventhub.mail.models import MessageKind, MessageStatus, OutboxMessage
from eventhub.recaps.models import Recap
from eventhub.registration.models import RegistrationStatus
from eventhub.scheduling.models import SessionStatus
from tests.support.factories import PASSWORD, Factories, LoginHelper


def _message(status: MessageStatus, n: int) -> OutboxMessage:
    message = OutboxMessage(
        kind=MessageKind.CONFIRMATION,
        dedupe_key=f"test:{status.value}:{n}",
        recipient_email=f"r{n}@example.org",
        subject="Your place",
        body_html="<p>hi</p>",
        body_text="hi",
        status=status,
        last_error="550 mailbox unavailable" if status is MessageStatus.FAILED else "",
    )
    db.session.add(message)
    return message


def test_home_lists_each_kind_of_attention(
    client: FlaskClient, make: Factories, login: LoginHelper
) -> None:
    series = make.series(title="Re-industrialization in Hong Kong")
    now = utcnow()
    soon = make.session(
        series, title="Smart production", capacity=3, starts_at=now + timedelta(days=2)
    )
    make.registration(soon)
    make.registration(soon)
    make.registration(soon, status=RegistrationStatus.WAITLISTED)
    approvals = make.session(
        series, title="Panel on policy", requires_approval=True, starts_at=now + timedelta(days=9)
    )
    make.registration(approvals, status=RegistrationStatus.PENDING)
    make.registration(approvals, status=RegistrationStatus.PENDING)
    make.session(series, title="Still a draft", status=SessionStatus.DRAFT)
    make.session(series, title="Held last week", starts_at=now - timedelta(days=7))
    written = make.session(series, title="Recap already out", starts_at=now - timedelta(days=14))
    db.session.add(Recap(session=written, headline="What we heard", published_at=now))
    _message(MessageStatus.FAILED, 1)
    _message(MessageStatus.DEFERRED, 2)
    _message(MessageStatus.DEFERRED, 3)
    _message(MessageStatus.SENT, 4)
    login(make.organiser())

    page = client.get("/organiser/").get_data(as_text=True)

    upcoming = page.split('id="upcoming-heading"')[1].split("</section>")[0]
    assert "Smart production" in upcoming
    assert "<td>1</td>" in upcoming  # seats left: 3 - 2 confirmed
    assert "Panel on policy" in upcoming
    pending = page.split('id="pending-heading"')[1].split("</section>")[0]
    assert "2 waiting" in pending and "Panel on policy" in pending
    assert "Smart production" not in pending
    mail = page.split('id="mail-heading"')[1].split("</section>")[0]
    assert "Failed</span> 1 message</a>," in mail
    assert "Deferred</span> 2 messages</a>," in mail
    assert "status=failed" in mail
    assert "Still a draft" in page.split('id="drafts-heading"')[1].split("</section>")[0]
    recaps = page.split('id="recaps-heading"')[1].split("</section>")[0]
    assert "Held last week" in recaps
    assert "Recap already out" not in recaps
    assert f"/organiser/recaps/sessions/{written.id}" not in recaps


def test_quiet_home_says_so(client: FlaskClient, make: Factories, login: LoginHelper) -> None:
    login(make.organiser())
    page = client.get("/organiser/").get_data(as_text=True)
    assert "Nothing is waiting for you" in page
    assert "No published session is coming up" in page


def test_organiser_lands_on_home_after_login(client: FlaskClient, make: Factories) -> None:
    organiser = make.organiser()
    db.session.commit()
    response = client.post("/login", data={"email": organiser.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/organiser/"


def test_home_is_for_organisers_only(
    client: FlaskClient, make: Factories, login: LoginHelper
) -> None:
    assert client.get("/organiser/").status_code == 302  # to the login page
    login(make.speaker_user())
    assert client.get("/organiser/").status_code == 403
