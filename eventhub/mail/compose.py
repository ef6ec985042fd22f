"""Turn an outbox row into a MIME message with the standard library's email package."""

from __future__ import annotations

import base64
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr

from eventhub.clock import utcnow
from eventhub.mail.models import OutboxMessage


def _clean(value: str) -> str:
    # A display name with CR/LF must never become a second header line.
    return " ".join(value.replace("\r", " ").replace("\n", " ").split())


def _address(name: str, email: str) -> Address:
    local, _, domain = email.rpartition("@")
    return Address(display_name=_clean(name), username=local, domain=domain)


def build_message(row: OutboxMessage, sender: str) -> EmailMessage:
    message = EmailMessage()
    sender_name, sender_email = parseaddr(sender)
    message["From"] = _address(sender_name, sender_email)
    message["To"] = _address(row.recipient_name, row.recipient_email)
    if row.reply_to:
        message["Reply-To"] = _clean(row.reply_to)
    message["Subject"] = _clean(row.subject)
    message["Date"] = format_datetime(utcnow())
    message["Message-ID"] = make_msgid(
        idstring=f"outbox{row.id}", domain=sender_email.split("@")[-1]
    )
    for name, value in (row.headers or {}).items():
        message[_clean(name)] = _clean(value)
    message.set_content(row.body_text)
    message.add_alternative(row.body_html, subtype="html")
    for attachment in row.attachments or []:
        maintype, _, subtype = attachment["content_type"].partition("/")
        subtype = subtype.split(";")[0]
        message.add_attachment(
            base64.b64decode(attachment["data_base64"]),
            maintype=maintype,
            subtype=subtype,
            filename=attachment["filename"],
        )
    return message
