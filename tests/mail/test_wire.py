"""What the SMTP server receives, byte for byte: list headers, the From name, DKIM.

Rules followed: RFC 2369 §2 (List-* headers are `<URI>` lists, folded only between elements),
RFC 8058 §3-4 (List-Unsubscribe-Post: List-Unsubscribe=One-Click, both headers DKIM-signed),
Gmail's and Yahoo's bulk sender requirements (2024: one-click unsubscribe + DKIM), RFC 6376
(DKIM, verified here with dkimpy against the public key record), RFC 5322 §2.2.3 / RFC 2047 §5
(folding, and encoded words only inside phrases such as the From display name).
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator
from datetime import timedelta
from email import message_from_bytes, policy
from email.header import decode_header, make_header
from email.headerregistry import Address
from pathlib import Path

import dkim
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from flask import Flask
from sqlalchemy import select

from eventhub.clock import utcnow
from eventhub.emails.announcements import Audience, send_announcement
from eventhub.emails.unsubscribe import read_unsubscribe_token
from eventhub.extensions import db
from eventhub.mail import delivery
from eventhub.mail.compose import UnsendableMessage, build_message
from eventhub.mail.models import MessageKind, MessageStatus, OutboxMessage
from eventhub.mail.outbox import Envelope, RenderedEmail, queue_message
from eventhub.mail.wire import list_header
from tests.mail.support import outbox
from tests.support.factories import Factories
from tests.support.smtp import SmtpServer

TITLE = 'Re-industrialization in Hong Kong, "HK" 香港'


@pytest.fixture
def with_smtp(app: Flask, smtp: SmtpServer) -> Iterator[SmtpServer]:
    smtp.clear()
    app.config.update(smtp.config())
    yield smtp
    smtp.clear()


def _header_lines(raw: bytes, name: bytes) -> list[bytes]:
    """The physical lines of one header as received (first line and its continuations)."""
    head = raw.split(b"\r\n\r\n", 1)[0].split(b"\r\n")
    for index, line in enumerate(head):
        if line.lower().startswith(name.lower() + b":"):
            lines = [line]
            for more in head[index + 1 :]:
                if not more[:1].isspace():
                    break
                lines.append(more)
            return lines
    raise AssertionError(f"{name!r} not in the received header block")


def _announce(make: Factories, email: str = "Ada@Example.org") -> OutboxMessage:
    series = make.series(title=TITLE)
    session = make.session(series, starts_at=utcnow() + timedelta(days=3))
    make.registration(session, email, is_marketing_consent=True)
    send_announcement(
        series,
        subject="News",
        body_markdown="Hello",
        audience=Audience.ALL,
        session_id=None,
        batch_id="b1",
        now=utcnow(),
    )
    db.session.commit()
    [row] = outbox(MessageKind.ANNOUNCEMENT)
    return row


@pytest.mark.smtp
def test_list_unsubscribe_reaches_the_server_as_a_plain_uri(
    with_smtp: SmtpServer, make: Factories
) -> None:
    row = _announce(make)
    assert delivery.deliver_due(batch_size=10, max_batches=1)[0].sent == 1
    [mail] = with_smtp.wait_for(1)
    [line] = _header_lines(mail.raw, b"List-Unsubscribe")
    # One physical line, a plain <URI>: over 78 characters, the case Python's folding breaks.
    assert re.fullmatch(
        rb"List-Unsubscribe: <http://eventhub\.test/unsubscribe/[\w.-]+/one-click>", line
    )
    assert len(line) > 78
    url = line.split(b" ", 1)[1].decode()
    token = url.strip("<>").split("/")[-2]
    assert read_unsubscribe_token(token) == (row.series_id, "ada@example.org")
    assert b"=?" not in line
    assert _header_lines(mail.raw, b"List-Unsubscribe-Post") == [
        b"List-Unsubscribe-Post: List-Unsubscribe=One-Click"
    ]
    # The URI is the one-click endpoint, and a POST there unsubscribes (RFC 8058 §3.1).
    path = url.strip("<>").replace("http://eventhub.test", "")
    response = with_smtp_client_post(path)
    assert response == 200


def with_smtp_client_post(path: str) -> int:
    from flask import current_app

    client = current_app.test_client()
    return client.post(path, data={"List-Unsubscribe": "One-Click"}).status_code


def test_several_list_elements_fold_only_between_elements() -> None:
    long = "https://eventhub.example.org/unsubscribe/" + "t" * 90 + "/one-click"
    value = list_header([long, "mailto:unsubscribe@eventhub.example.org?subject=stop"])
    lines = value.split("\r\n ")
    assert lines == [f"<{long}>,", "<mailto:unsubscribe@eventhub.example.org?subject=stop>"]


@pytest.mark.parametrize(
    "uri",
    [
        "https://x.example/a\r\nBcc: victim@example.org",
        "https://x.example/a\x00b",
        "https://x.example/a b",
        "https://x.example/ü",
        "https://x.example/<a",
        "javascript alert(1)",
    ],
)
def test_a_list_header_refuses_anything_but_a_plain_uri(uri: str) -> None:
    row = OutboxMessage(
        id=1,
        kind=MessageKind.ANNOUNCEMENT,
        dedupe_key="k",
        recipient_email="a@example.org",
        recipient_name="A",
        reply_to=None,
        subject="s",
        body_html="<p>x</p>",
        body_text="x",
        headers={"List-Unsubscribe": f"<{uri}>"},
        attachments=[],
    )
    with pytest.raises(UnsendableMessage):
        build_message(row, "eventhub <no-reply@eventhub.example>", utcnow())


@pytest.mark.smtp
def test_the_from_name_is_the_series_title_safely_encoded(
    with_smtp: SmtpServer, make: Factories
) -> None:
    organiser = make.organiser(email="team@polyu.example", display_name="Webinar 團隊")
    series = make.series(title=TITLE + "\r\nBcc: victim@example.org", organiser_id=organiser.id)
    db.session.commit()
    queue_message(
        Envelope(
            kind=MessageKind.CONFIRMATION,
            dedupe_key="from-name",
            recipient_email="ada@example.org",
            recipient_name="Ada",
            series_id=series.id,
        ),
        RenderedEmail(subject="Hi", html="<p>x</p>", text="x"),
    )
    db.session.commit()
    assert delivery.deliver_due(batch_size=10, max_batches=1)[0].sent == 1
    [mail] = with_smtp.wait_for(1)
    head = mail.raw.split(b"\r\n\r\n", 1)[0]
    assert head.isascii()  # 7-bit headers: encoded words in the phrase only
    assert not any(line.lower().startswith(b"bcc:") for line in head.split(b"\r\n"))
    # Decoded as RFC 2047 §6.2 says (space between adjacent encoded words ignored); the
    # stdlib's structured-header parser inserts one there, so it is not the judge here.
    unfolded = b"".join(_header_lines(mail.raw, b"From")).decode("ascii")
    phrase, _, addr = unfolded.removeprefix("From: ").rpartition(" <")
    assert str(make_header(decode_header(phrase))) == TITLE + " Bcc: victim@example.org"
    assert addr == "no-reply@eventhub.localhost>"
    parsed = message_from_bytes(mail.raw, policy=policy.default)
    assert parsed["From"].addresses[0].addr_spec == "no-reply@eventhub.localhost"
    assert parsed["Reply-To"].addresses[0] == Address("Webinar 團隊", "team", "polyu.example")


def _key_pair(directory: Path) -> tuple[Path, bytes]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )
    public = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    path = directory / "dkim.pem"
    path.write_bytes(pem)
    return path, b"v=DKIM1; k=rsa; p=" + base64.b64encode(public)


@pytest.mark.smtp
def test_every_message_is_dkim_signed_and_verifies_against_the_public_key(
    app: Flask, with_smtp: SmtpServer, make: Factories, tmp_path: Path
) -> None:
    key_file, record = _key_pair(tmp_path)
    app.config.update(
        MAIL_DKIM_SELECTOR="eh2026",
        MAIL_DKIM_DOMAIN="eventhub.localhost",
        MAIL_DKIM_PRIVATE_KEY_FILE=str(key_file),
    )
    _announce(make)
    assert delivery.deliver_due(batch_size=10, max_batches=1)[0].sent == 1
    [mail] = with_smtp.wait_for(1)
    asked: list[bytes] = []

    def dns(name: bytes, timeout: int = 5) -> bytes:
        asked.append(name)
        return record if name == b"eh2026._domainkey.eventhub.localhost." else b""

    assert dkim.verify(mail.raw, dnsfunc=dns)
    assert asked == [b"eh2026._domainkey.eventhub.localhost."]
    signature = b"".join(_header_lines(mail.raw, b"DKIM-Signature"))
    signed = signature.split(b"h=", 1)[1].split(b";", 1)[0].replace(b"\r\n", b"").lower()
    for name in (b"from", b"subject", b"list-unsubscribe", b"list-unsubscribe-post"):
        assert name in signed.replace(b" ", b"").split(b":")
    # A changed byte of the body or a signed header breaks it.
    assert not dkim.verify(mail.raw.replace(b"Subject: News", b"Subject: Newz"), dnsfunc=dns)


def test_half_configured_dkim_stops_start_up(app_config: dict[str, object]) -> None:
    from eventhub import create_app
    from eventhub.config import ConfigError

    with pytest.raises(ConfigError, match="MAIL_DKIM_DOMAIN"):
        create_app({**app_config, "MAIL_DKIM_SELECTOR": "s", "MAIL_DKIM_PRIVATE_KEY_FILE": "x"})


def test_an_unusable_key_keeps_rows_waiting(app: Flask, make: Factories, tmp_path: Path) -> None:
    bad = tmp_path / "bad.pem"
    bad.write_bytes(
        b"-----BEGIN RSA PRIVATE KEY-----\nbm90IGEga2V5\n-----END RSA PRIVATE KEY-----\n"
    )
    app.config.update(
        MAIL_DKIM_SELECTOR="s", MAIL_DKIM_DOMAIN="d.example", MAIL_DKIM_PRIVATE_KEY_FILE=str(bad)
    )
    _announce(make)
    result, _ = delivery.deliver_due(batch_size=10, max_batches=1)
    assert (result.sent, result.failed, result.deferred) == (0, 0, 1)
    row = db.session.scalar(select(OutboxMessage))
    assert row is not None and row.status is MessageStatus.DEFERRED
    assert "DKIM" in row.last_error
