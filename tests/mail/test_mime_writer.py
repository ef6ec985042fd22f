"""The bytes delivery writes without EmailMessage are the bytes EmailMessage wrote.

`compose.build_wire` writes a message's headers and parts itself (the email package's object
model was most of the worker's CPU per email); `compose.build_message` is the
EmailMessage path it replaced, kept for rows the writer leaves to it. Both pick their MIME
boundaries with `random.randrange` in the same order (the alternative's, then the mixed
one's), so with the same seed the two must agree byte for byte.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime
from email.message import EmailMessage
from typing import Any

import pytest

from eventhub.mail.compose import (
    UnsendableMessage,
    build_message,
    build_wire,
)
from eventhub.mail.models import OutboxMessage
from eventhub.mail.outbox import Attachment
from eventhub.mail.wire import (
    POLICY,
    UnsafeHeader,
    check_header_block,
    encode_text,
    message_id_header,
    to_bytes,
)
from tests.support.factories import outbox_row

NOW = datetime(2026, 12, 5, 3, 31, 2, tzinfo=UTC)
SENDER = "eventhub <no-reply@eventhub.example>"
ICS = (
    b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\n"
    + b"SUMMARY:" + "香港 webinar ".encode() * 12 + b"\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
)  # fmt: skip
LONG_LINE = "Add to Google Calendar: https://calendar.google.com/render?" + "text=x&" * 30
UNSUBSCRIBE = {
    "List-Unsubscribe": "<http://eventhub.test/unsubscribe/" + "t" * 120 + "/one-click>",
    "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
}


def _row(**fields: object) -> OutboxMessage:
    return outbox_row(**fields)


def _invite(filename: str = "how-does-ai-reinvent-industrialization.ics") -> dict[str, str]:
    content_type = "text/calendar; charset=utf-8; method=REQUEST"
    return Attachment(filename, content_type, ICS).as_json()


ROWS: dict[str, dict[str, Any]] = {
    "plain": {},
    "confirmation with invite": {
        "subject": "You're registered: How does AI reinvent industrialization?",
        "body_text": "Hello Ada,\n\n" + LONG_LINE + "\n\nCafé · 60 min\n" * 8,
        "body_html": "<p>Hello Ada · " + LONG_LINE + "</p>\n" * 20,
        "attachments": [_invite()],
    },
    "long subject": {"subject": "Olive Organiser invites you to keep your speaker profile " * 3},
    "subject folded after its name": {
        "subject": "Olive Organiser invites you to keep your speaker profile for The road ahead"
    },
    "em dash subject": {
        "subject": "Reminder: A webinar that starts soon starts in 2 minutes — Sat 5 Dec 2026"
    },
    "chinese subject and body": {
        "subject": "報名確認 人工智能如何重塑工業化" * 3,
        "recipient_name": "陳大文",
        "body_text": "你好\n" + "香港的再工業化" * 40 + "\n",
        "body_html": "<p>" + "香港的再工業化" * 40 + "</p>",
    },
    "few long lines": {"body_text": LONG_LINE + "é\n" + LONG_LINE, "body_html": LONG_LINE},
    "empty bodies": {"body_text": "", "body_html": ""},
    "mixed line endings": {"body_text": "a\r\nb\rc\nd", "body_html": "x\r\n" * 3},
    "names": {
        "recipient_name": 'Smith, John "JJ" (Dr.) \\ back',
        "reply_to": "Zoë <z@example.org>",
    },
    "two reply-tos": {"reply_to": "Series Team <team@example.org>, Other <o@example.org>"},
    "long name": {"recipient_name": "Zoë Ångström " * 12},
    "no name": {"recipient_name": ""},
    "list headers": {"headers": UNSUBSCRIBE},
    "newlines everywhere": {
        "recipient_name": "Mallory\r\nBcc: victim@example.org",
        "subject": "Hi\nBcc: victim@example.org",
        "reply_to": "x@example.org\r\nBcc: victim@example.org",
        "headers": {"X-Note": "a\r\nBcc: victim@example.org", "Bcc": "victim@example.org"},
    },
    "other headers": {
        "headers": {"Auto-Submitted": "auto-generated", "X-Note": "a note " * 20, "Bcc": "x@y.z"}
    },
    "attachments": {
        "attachments": [
            _invite("a" * 90 + ".ics"),
            Attachment("notes.pdf", "application/pdf", b"%PDF" * 200).as_json(),
            Attachment("ünïcode.txt", "text/plain", b"").as_json(),
        ]
    },
}


@pytest.mark.parametrize("fields", ROWS.values(), ids=list(ROWS))
@pytest.mark.parametrize(
    ("sender", "sender_name", "default_reply_to"),
    [
        (SENDER, None, None),
        (SENDER, 'Re-industrialization in Hong Kong, "HK" 香港', "Webinar 團隊 <t@polyu.example>"),
        ("x <no-reply@" + "sub." * 14 + "example.org>", "Series", None),
    ],
)
def test_the_writer_writes_what_email_message_wrote(
    fields: dict[str, Any], sender: str, sender_name: str | None, default_reply_to: str | None
) -> None:
    row = _row(**fields)
    random.seed(15)
    reference = build_message(row, sender, NOW, default_reply_to, sender_name)
    expected = to_bytes(reference, flattened=reference.checked_bytes)
    random.seed(15)
    written = build_wire(row, sender, NOW, default_reply_to, sender_name)
    assert written.raw == expected
    assert written.recipient_address == reference.recipient_address
    assert written.sender_address == reference.sender_address
    assert written.subject == str(reference["Subject"])


def test_an_encoded_word_in_a_value_takes_the_email_message_path_and_is_refused() -> None:
    hostile = "=?utf-8?q?Ann=0D=0ASubject:_Account_suspended=0D=0AX-Evil:_1=0D=0A?="
    for fields in ({"recipient_name": hostile}, {"subject": f"{hostile} minutes"}):
        with pytest.raises(UnsendableMessage):
            build_wire(_row(**fields), SENDER, NOW)


def test_a_harmless_encoded_word_is_sent_as_before() -> None:
    row = _row(subject="=?utf-8?q?Caf=C3=A9?= tonight")
    random.seed(3)
    reference = build_message(row, SENDER, NOW)
    random.seed(3)
    assert build_wire(row, SENDER, NOW).raw == to_bytes(reference)


def test_a_non_ascii_address_takes_the_email_message_path_as_before() -> None:
    # Which still cannot write it (its read-back check flattens without SMTPUTF8): the row
    # fails as a ValueError, as it did before the writer.
    row = _row(recipient_email="zoë@example.org")
    with pytest.raises(ValueError):
        build_message(row, SENDER, NOW)
    with pytest.raises(ValueError):
        build_wire(row, SENDER, NOW)


@pytest.mark.parametrize(
    "value",
    [
        "<outbox-1.8efec01f9c6f@eventhub.localhost>",
        "<outbox-123456789.0123456789ab@mail-1.example-2.org>",
        "<outbox-7.0123456789ab@" + "sub." * 12 + "example.org>",  # too long for one line
        "<outbox-7.0123456789ab@localhost>",
        "<outbox-7.0123456789ab@[127.0.0.1]>",
    ],
)
def test_a_message_id_is_written_as_the_generator_writes_it(value: str) -> None:
    folded = POLICY.fold_binary("Message-ID", POLICY.header_store_parse("Message-ID", value)[1])
    assert message_id_header(value) == folded


TEXTS = {
    "short ascii": "Hello\nthere\n",
    "short utf-8": "Café · 60 min\n",
    "long ascii, few lines": LONG_LINE,
    "long, eleven lines and more": ("x" * 74 + " \n") * 9 + "=" * 80 + "\n" + "y\t\n" * 5,
    "breaks near escapes": "\n".join("a" * n + "=é" * 3 + " " for n in range(70, 80)) * 2,
    "mostly non-ascii": "香港的再工業化" * 40 + "\n" + "香港" * 50,
    "line endings": "a\r\nb\rc\n" * 6 + LONG_LINE,
    "empty": "",
}


@pytest.mark.parametrize("text", TEXTS.values(), ids=list(TEXTS))
def test_a_text_is_encoded_as_set_content_encodes_it(text: str) -> None:
    part = EmailMessage(policy=POLICY)
    part.set_content(text)
    # The stored payload (get_payload() would decode an 8bit one).
    assert encode_text(text) == (part["Content-Transfer-Encoding"], vars(part)["_payload"])


HEAD = b'From: "A" <a@example.org>\r\nTo: <b@example.org>\r\nSubject: Hi\r\n'
NAMES = ["From", "To", "Subject"]


def test_the_header_check_accepts_what_was_built() -> None:
    check_header_block(HEAD, NAMES)
    check_header_block(HEAD.replace(b"Hi", b"=?utf-8?b?5L2g5aW9?=\r\n there"), NAMES)


@pytest.mark.parametrize(
    "head",
    [
        HEAD + b"Bcc: victim@example.org\r\n",
        HEAD.replace(b"Subject: Hi", b"Subject: Hi\nBcc: victim@example.org"),
        HEAD.replace(b"Subject: Hi", b"Subject: Hi\rBcc: victim@example.org"),
        HEAD.replace(b"Subject: Hi", b"Subject: =?utf-8?q?Hi=0D=0ABcc:_v@example.org?="),
        HEAD.replace(b"Subject: Hi", b"Subject: =?utf-8?b?SGkNCkJjYzogdkBleGFtcGxlLm9yZw==?="),
        HEAD.replace(b"Subject: Hi", b"Subject: =?nonsense?q?Hi?="),
        HEAD.replace(b"Subject: Hi", "Subject: Hé".encode()),
        b" folded\r\n" + HEAD,
        HEAD.replace(b"\r\nTo:", b"\r\n\r\nTo:"),
        HEAD + b"X-" + b"a" * 1000 + b": long\r\n",
        HEAD.rstrip(b"\r\n"),
    ],
)
def test_the_header_check_refuses_anything_else(head: bytes) -> None:
    with pytest.raises(UnsafeHeader):
        check_header_block(head, NAMES)
