"""Organiser mail pages: counts by kind and status, failures, retry, one person's mail."""

from __future__ import annotations

from flask.testing import FlaskClient

from eventhub.accounts.models import Role
from eventhub.extensions import db
from eventhub.mail.models import MessageKind, MessageStatus, OutboxMessage
from eventhub.mail.outbox import Envelope, RenderedEmail, queue_message
from tests.mail.support import outbox
from tests.support.factories import Factories, LoginHelper


def _message(
    series_id: int, session_id: int, email: str, kind: MessageKind, n: int
) -> OutboxMessage:
    row_id = queue_message(
        Envelope(
            kind=kind,
            dedupe_key=f"page:{n}",
            recipient_email=email,
            series_id=series_id,
            session_id=session_id,
        ),
        RenderedEmail(subject=f"Subject {n}", html=f"<p>Body {n}</p>", text=f"Body {n}"),
    )
    row = db.session.get(OutboxMessage, row_id)
    assert row is not None
    return row


def test_series_and_session_pages_show_counts_and_failures_with_retry(
    client: FlaskClient, make: Factories, login: LoginHelper
) -> None:
    series = make.series(title="Re-industrialization")
    session = make.session(series=series)
    make.registration(session, email="ada@example.org")
    sent = _message(series.id, session.id, "ada@example.org", MessageKind.CONFIRMATION, 1)
    sent.status = MessageStatus.SENT
    failed = _message(series.id, session.id, "bob@example.org", MessageKind.REMINDER, 2)
    failed.status = MessageStatus.FAILED
    failed.last_error = "550 5.1.1 <bob@example.org>: Recipient address rejected"
    _message(series.id, session.id, "ada@example.org", MessageKind.REMINDER, 3)
    login(make.organiser())

    for url in (f"/organiser/mail/series/{series.id}", f"/organiser/mail/sessions/{session.id}"):
        page = client.get(url).get_data(as_text=True)
        assert "Reminder" in page and "Confirmation" in page
        assert "550 5.1.1 &lt;bob@example.org&gt;: Recipient address rejected" in page
        assert f"/organiser/mail/messages/{failed.id}/retry" in page

    response = client.post(f"/organiser/mail/messages/{failed.id}/retry")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get_one(OutboxMessage, failed.id).status is MessageStatus.QUEUED

    mine = client.get("/organiser/mail/messages?email=ADA@example.org").get_data(as_text=True)
    assert "Subject 1" in mine and "Subject 3" in mine and "Subject 2" not in mine
    detail = client.get(f"/organiser/mail/messages/{sent.id}").get_data(as_text=True)
    assert "Body 1" in detail
    frame = client.get(f"/organiser/mail/messages/{sent.id}/html")
    assert "script-src" not in frame.headers["Content-Security-Policy"]
    assert frame.headers["Content-Security-Policy"].startswith("default-src 'none'")
    assert client.get("/organiser/mail/").status_code == 200


def test_announcement_preview_then_send_once(
    client: FlaskClient, make: Factories, login: LoginHelper
) -> None:
    series = make.series(title="Re-industrialization")
    one = make.session(series=series)
    two = make.session(series=series)
    # News of a new session goes to people who asked for it (test_announcement_consent.py).
    make.registration(one, email="ada@example.org", is_attended=True, is_marketing_consent=True)
    make.registration(two, email="Ada@example.org", is_marketing_consent=True)  # same person
    make.registration(two, email="bob@example.org", is_marketing_consent=True)
    login(make.organiser())
    form = {
        "subject": "Webinar 3 is open",
        "body": "Registration is **open**.<script>alert(1)</script>",
        "audience": "all",
        "session_id": "",
        "batch_id": "batch-1",
    }
    preview = client.post(
        f"/organiser/mail/series/{series.id}/announce", data={**form, "preview": "Preview"}
    ).get_data(as_text=True)
    assert "<strong>2</strong> recipients, for example" in preview
    assert outbox(MessageKind.ANNOUNCEMENT) == []
    for _ in range(2):  # a double submit of the same preview queues nothing twice
        response = client.post(
            f"/organiser/mail/series/{series.id}/announce", data={**form, "send": "Send"}
        )
        assert response.status_code == 302
    rows = outbox(MessageKind.ANNOUNCEMENT)
    assert sorted(r.recipient_email.lower() for r in rows) == ["ada@example.org", "bob@example.org"]
    assert "<strong>open</strong>" in rows[0].body_html and "<script>" not in rows[0].body_html
    assert "List-Unsubscribe" in rows[0].headers

    attended = client.post(
        f"/organiser/mail/series/{series.id}/announce",
        data={**form, "audience": "attended", "batch_id": "batch-2", "send": "Send"},
    )
    assert attended.status_code == 302
    assert len(outbox(MessageKind.ANNOUNCEMENT)) == 3


def test_mail_pages_are_for_organisers_only(
    client: FlaskClient, make: Factories, login: LoginHelper
) -> None:
    series = make.series()
    db.session.commit()
    urls = ["/organiser/mail/", f"/organiser/mail/series/{series.id}", "/organiser/recaps/"]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    login(make.user(Role.SPEAKER))
    for url in urls:
        assert client.get(url).status_code == 403
