"""The development mailbox: only organisers, only without an SMTP server."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from eventhub.extensions import db
from eventhub.mail import delivery
from eventhub.mail.models import MessageKind
from eventhub.mail.outbox import Attachment, Envelope, RenderedEmail, queue_message
from tests.support.factories import Factories, LoginHelper


def test_delivered_messages_are_listed_with_html_text_and_attachments(
    app: Flask, client: FlaskClient, make: Factories, login: LoginHelper
) -> None:
    queue_message(
        Envelope(
            kind=MessageKind.CONFIRMATION,
            dedupe_key="mailbox:1",
            recipient_email="ada@example.org",
            attachments=[Attachment('in"vite\r\n.ics', "text/calendar", b"BEGIN:VCALENDAR")],
        ),
        RenderedEmail(
            subject="You're in",
            html="<p>Welcome <b>Ada</b></p>",
            text="Welcome Ada\nManage: <http://eventhub.test/manage/abc>.\nJoin: https://meet.example.org/j/1",
        ),
    )
    db.session.commit()
    delivery.deliver_due(10, 1)
    login(make.organiser())
    index = client.get("/organiser/mailbox/").get_data(as_text=True)
    assert "You&#39;re in" in index and "ada@example.org" in index
    [stored_id] = [
        int(p.split('"')[0]) for p in index.split("/organiser/mailbox/")[1:] if p[0].isdigit()
    ]
    show = client.get(f"/organiser/mailbox/{stored_id}").get_data(as_text=True)
    assert "Welcome Ada" in show
    links = show.split("<h2>Links</h2>")[1].split("</ul>")[0]
    assert '<a href="http://eventhub.test/manage/abc">' in links
    assert '<a href="https://meet.example.org/j/1">' in links
    html = client.get(f"/organiser/mailbox/{stored_id}/html")
    assert "<b>Ada</b>" in html.get_data(as_text=True)
    assert html.headers["Content-Security-Policy"].startswith("default-src 'none'")
    attachment = client.get(f"/organiser/mailbox/{stored_id}/attachments/0")
    assert attachment.data == b"BEGIN:VCALENDAR"
    assert "\n" not in attachment.headers["Content-Disposition"]
    assert attachment.headers["Content-Disposition"].startswith('attachment; filename="')


def test_no_mailbox_when_a_server_is_configured(
    app: Flask, client: FlaskClient, make: Factories, login: LoginHelper
) -> None:
    login(make.organiser())
    assert client.get("/organiser/mailbox/").status_code == 200
    app.config["MAIL_SERVER"] = "smtp.example.org"
    assert client.get("/organiser/mailbox/").status_code == 404
