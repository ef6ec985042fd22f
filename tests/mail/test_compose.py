"""Messages built with the standard library: safe headers, alternatives, attachments."""

from __future__ import annotations

import pytest

from eventhub.clock import utcnow
from eventhub.mail.compose import UnsendableMessage, build_message
from eventhub.mail.models import OutboxMessage
from eventhub.mail.outbox import Attachment
from tests.support.factories import outbox_row
from tests.support.smtp import body_text

SENDER = "eventhub <no-reply@eventhub.example>"


def _row(**fields: object) -> OutboxMessage:
    return outbox_row(**{"reply_to": "Series Team <team@example.org>", **fields})


def test_from_is_the_no_reply_sender_and_replies_go_to_the_organiser() -> None:
    message = build_message(_row(), SENDER, utcnow())
    assert message["From"].addresses[0].addr_spec == "no-reply@eventhub.example"
    assert message["Reply-To"].addresses[0].addr_spec == "team@example.org"
    assert message["To"].addresses[0].display_name == "Ada Lovelace"
    assert body_text(message, "plain").strip() == "Hello"
    assert "<p>Hello</p>" in body_text(message, "html")
    assert message["Message-ID"].startswith("<outbox-7.")


def test_newlines_in_names_subjects_and_headers_cannot_inject_headers() -> None:
    row = _row(
        recipient_name="Mallory\r\nBcc: victim@example.org",
        subject="Hi\nBcc: victim@example.org",
        reply_to="x@example.org\r\nBcc: victim@example.org",
        headers={"X-Note": "a\r\nBcc: victim@example.org", "Bcc": "victim@example.org"},
    )
    raw = build_message(row, SENDER, utcnow()).as_bytes()
    header_block = raw.split(b"\r\n\r\n", 1)[0] if b"\r\n\r\n" in raw else raw.split(b"\n\n")[0]
    lines = header_block.replace(b"\r\n", b"\n").split(b"\n")
    assert not any(line.lower().startswith(b"bcc:") for line in lines)


def test_attachments_keep_type_and_calendar_method() -> None:
    ics = Attachment(
        "invite.ics", "text/calendar; method=REQUEST", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"
    )
    message = build_message(_row(attachments=[ics.as_json()]), SENDER, utcnow())
    [part] = list(message.iter_attachments())
    assert part.get_content_type() == "text/calendar"
    assert part.get_param("method") == "REQUEST"
    assert part.get_filename() == "invite.ics"
    assert part.get_content().startswith("BEGIN:VCALENDAR")


@pytest.mark.parametrize("address", ["not-an-address", "a b@example.org", "@example.org"])
def test_a_malformed_recipient_is_unsendable(address: str) -> None:
    with pytest.raises(UnsendableMessage):
        build_message(_row(recipient_email=address), SENDER, utcnow())


def test_a_subject_folded_after_its_name_still_builds() -> None:
    """76 characters fit only on a continuation line; the read-back check refused it before."""
    subject = "Olive Organiser invites you to keep your speaker profile for The road ahead"
    message = build_message(_row(subject=subject), SENDER, utcnow())
    assert message["Subject"] == subject


def test_a_subject_folded_before_an_encoded_word_still_builds() -> None:
    """Every reminder's subject has an em dash; folded before it, the stdlib writes
    "minutes \\r\\n =?utf-8?b?4oCU?=" and reads back two spaces. The read-back check refused
    such reminders (found by the launcher test: the 2-minute reminder was never sent)."""
    subject = "Reminder: A webinar that starts soon starts in 2 minutes — Sat 5 Dec 2026, 02:41 HKT"
    message = build_message(_row(subject=subject), SENDER, utcnow())
    assert " ".join(str(message["Subject"]).split()) == subject


def test_whitespace_tolerance_still_refuses_an_extra_header() -> None:
    subject = "=?utf-8?q?Ann=0D=0ABcc:_victim@example.org?= minutes — Sat 5 Dec 2026, 02:41 HKT"
    with pytest.raises(UnsendableMessage):
        build_message(_row(subject=subject), SENDER, utcnow())
