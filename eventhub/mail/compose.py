"""Turn an outbox row into the bytes of a MIME message.

`build_wire` writes them with wire.MimeWriter's functions (no EmailMessage: building one cost
most of the worker's time per email) for every row whose header values are plain text; a row
whose values hold something the email package would decode (an RFC 2047 encoded word) or
whose addresses need SMTPUTF8 is built with the standard library's EmailMessage and read back
(`check_round_trip`), as every row was before. Both end in our own check of the header
section written (wire.check_header_block).
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import format_datetime, getaddresses, parseaddr
from functools import lru_cache
from typing import Any, Protocol

from eventhub.mail.wire import (
    LIST_HEADERS,
    POLICY,
    UnsafeHeader,
    attachment_part,
    check_header_block,
    folded_header,
    list_header,
    mailbox_header,
    message_id_header,
    multipart,
    raw_header,
    set_list_header,
    split_list_header,
    text_part,
    to_bytes,
)

# Header names a caller may add; everything that identifies the sender is ours to set.
_RESERVED = frozenset(
    {"from", "to", "cc", "bcc", "sender", "reply-to", "subject", "date", "message-id"}
)
_HEADER_NAME = re.compile(r"^[A-Za-z0-9-]{1,76}$")
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


class UnsendableMessage(ValueError):
    """The row cannot become a valid message (a malformed address): a permanent failure."""


def clean(value: str) -> str:
    # A value with CR/LF (or any other control character) must never become a header line.
    return " ".join(_CONTROL.sub(" ", str(value)).split())


def address(name: str, email: str) -> Address:
    email = clean(email)
    local, at, domain = email.rpartition("@")
    if not at or not local or not domain or " " in email:
        raise UnsendableMessage(f"not an email address: {email!r}")
    try:
        return Address(display_name=clean(name), username=local, domain=domain)
    except (ValueError, IndexError) as exc:
        raise UnsendableMessage(f"not an email address: {email!r}") from exc


def _set_mailboxes(message: EmailMessage, name: str, addresses: list[Address]) -> None:
    # Our own phrase encoding (see wire.mailbox_header); names were cleaned of CR/LF above.
    message.set_raw(name, mailbox_header([(a.display_name, a.addr_spec) for a in addresses]))


def mailbox(name: str, email: str) -> str:
    """`"Name" <email>` as stored on rows: quoted, never RFC 2047-encoded (that happens on send).

    email.utils.formataddr would store an encoded word, which parsing the row back does not
    decode, so a non-ASCII organiser name would reach the reader as `=?utf-8?b?…?=`.
    """
    quoted = clean(name).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{quoted}" <{clean(email)}>' if quoted else clean(email)


def _reply_to(value: str) -> list[Address]:
    return [address(name, addr) for name, addr in getaddresses([clean(value)]) if addr]


class OutgoingMessage(EmailMessage):
    """A built message that remembers what building it already worked out.

    The standard library parses a header again on every access (and flattens the message on
    every `as_bytes`): the transport reads the envelope addresses and the bytes from here
    instead of parsing From and To four more times and flattening the message again.
    """

    sender_address: str = ""
    recipient_address: str = ""
    # The bytes the read-back check flattened (the message's own policy); None until checked.
    checked_bytes: bytes | None = None

    @property
    def international(self) -> bool:
        """See wire.is_international: the same answer from the addresses set here."""
        return not (self.sender_address.isascii() and self.recipient_address.isascii())


@dataclass(frozen=True)
class WireMessage:
    """A message as sent: its bytes (before any DKIM signature) and its envelope."""

    raw: bytes
    sender_address: str
    recipient_address: str
    subject: str

    @property
    def international(self) -> bool:
        """See wire.is_international: a non-ASCII address needs SMTPUTF8."""
        return not (self.sender_address.isascii() and self.recipient_address.isascii())


class MessageRow(Protocol):
    """An outbox row as delivery reads it (an ORM object or a plain result row)."""

    id: int
    dedupe_key: str
    recipient_email: str
    recipient_name: str
    reply_to: str | None
    subject: str
    body_html: str
    body_text: str
    headers: dict[str, str]
    attachments: list[dict[str, Any]]


def build_wire(
    row: MessageRow,
    sender: str,
    now: datetime,
    default_reply_to: str | None = None,
    sender_name: str | None = None,
) -> WireMessage:
    """From is always the configured no-reply sender (SPF-safe); replies go to the organiser.

    `default_reply_to` (the series' organiser) applies when the row names no Reply-To;
    `sender_name` (the series' title) replaces the configured display name.
    """
    source, sender_email = _source(sender, sender_name)
    recipient = address(row.recipient_name, row.recipient_email)
    replying = row.reply_to or default_reply_to
    reply_to = _reply_to(replying) if replying else []
    subject = clean(row.subject)
    extra = _extra_headers(row)
    mailboxes = [source, recipient, *reply_to]
    values = [subject, *(value for _, value in extra)]
    values += [f"{a.display_name} {a.addr_spec}" for a in mailboxes]
    plain = all(str(a.addr_spec).isascii() for a in mailboxes) and not any(
        "=?" in value for value in values
    )
    lowered = [name.lower() for name, _ in extra]
    if not plain or len(set(lowered)) < len(lowered) or any(_moved(name) for name in lowered):
        return _wire_from_email(
            build_message(row, sender, now, default_reply_to, sender_name),
        )
    domain = sender_email.rpartition("@")[2] or "eventhub.localhost"
    message_id = f"<outbox-{row.id}.{_short_hash(row.dedupe_key)}@{domain}>"
    lines = [
        raw_header("From", mailbox_header([(source.display_name, source.addr_spec)])),
        raw_header("To", mailbox_header([(recipient.display_name, recipient.addr_spec)])),
    ]
    names = ["From", "To"]
    if reply_to:
        pairs = [(a.display_name, a.addr_spec) for a in reply_to]
        lines.append(raw_header("Reply-To", mailbox_header(pairs)))
        names.append("Reply-To")
    lines += [
        folded_header("Subject", subject),
        folded_header("Date", format_datetime(now)),
        message_id_header(message_id),
    ]
    names += ["Subject", "Date", "Message-ID"]
    for name, value in extra:
        if name.lower() in LIST_HEADERS:
            try:
                lines.append(raw_header(name, list_header(split_list_header(value))))
            except UnsafeHeader as exc:
                raise UnsendableMessage(str(exc)) from exc
        else:
            lines.append(folded_header(name, value))
        names.append(name)
    lines.append(b"MIME-Version: 1.0\r\n")
    alternatives = [
        text_part(row.body_text, "plain", mime_version=False),
        text_part(row.body_html, "html", mime_version=True),
    ]
    content_type, body = multipart("alternative", alternatives)
    if row.attachments:
        parts = [content_type + b"\r\n" + body, *map(_attachment, row.attachments)]
        content_type, body = multipart("mixed", parts)
    lines.append(content_type)
    names += ["MIME-Version", "Content-Type"]
    head = b"".join(lines)
    try:
        check_header_block(head, names)
    except UnsafeHeader as exc:
        raise UnsendableMessage(f"the generated headers are not the ones built: {exc}") from exc
    return WireMessage(
        raw=head + b"\r\n" + body,
        sender_address=str(source.addr_spec),
        recipient_address=str(recipient.addr_spec),
        subject=subject,
    )


@lru_cache(maxsize=256)
def _source(sender: str, sender_name: str | None) -> tuple[Address, str]:
    # The same sender for every message of a series: parsed once (Address is immutable).
    default_name, sender_email = parseaddr(sender)
    return address(sender_name or default_name, sender_email), sender_email


def _extra_headers(row: MessageRow) -> list[tuple[str, str]]:
    """The row's own headers that may be sent (valid names, none of ours), values cleaned."""
    return [
        (name, value if name.lower() in LIST_HEADERS else clean(value))
        for name, value in (row.headers or {}).items()
        if _HEADER_NAME.match(name) and name.lower() not in _RESERVED
    ]


def _moved(name: str) -> bool:
    # Content-* headers would move into the first part when the message becomes multipart,
    # and a MIME-Version of the row's would stand for ours: the EmailMessage path decides.
    return name.startswith("content-") or name == "mime-version"


def _attachment(attachment: dict[str, Any]) -> bytes:
    maintype, _, subtype = str(attachment["content_type"]).partition("/")
    params = subtype.split(";")
    return attachment_part(
        base64.b64decode(attachment["data_base64"]),
        maintype or "application",
        params[0].strip() or "octet-stream",
        clean(attachment["filename"]),
        _params(params[1:]),
    )


def _wire_from_email(message: OutgoingMessage) -> WireMessage:
    """The bytes of a message built with EmailMessage, held to our own header check too."""
    international = message.international
    raw = to_bytes(message, international=international, flattened=message.checked_bytes)
    names = [name for name, _ in message.raw_items()]
    head = raw.split(b"\r\n\r\n", 1)[0] + b"\r\n"
    try:
        check_header_block(head, names, international=international)
    except UnsafeHeader as exc:
        raise UnsendableMessage(f"the generated headers are not the ones built: {exc}") from exc
    return WireMessage(
        raw=raw,
        sender_address=message.sender_address,
        recipient_address=message.recipient_address,
        subject=str(message["Subject"]),
    )


def build_message(
    row: MessageRow,
    sender: str,
    now: datetime,
    default_reply_to: str | None = None,
    sender_name: str | None = None,
) -> OutgoingMessage:
    """The same message built with the standard library's EmailMessage, read back and checked.

    The path for rows `build_wire` does not write itself, and the reference its bytes are
    tested against.
    """
    message = OutgoingMessage(policy=POLICY)
    default_name, sender_email = parseaddr(sender)
    source = address(sender_name or default_name, sender_email)
    recipient = address(row.recipient_name, row.recipient_email)
    _set_mailboxes(message, "From", [source])
    _set_mailboxes(message, "To", [recipient])
    message.sender_address = str(source.addr_spec)
    message.recipient_address = str(recipient.addr_spec)
    if row.reply_to or default_reply_to:
        reply_to = _reply_to(row.reply_to or default_reply_to or "")
        if reply_to:
            _set_mailboxes(message, "Reply-To", reply_to)
    message["Subject"] = clean(row.subject)
    message["Date"] = format_datetime(now)
    domain = sender_email.rpartition("@")[2] or "eventhub.localhost"
    # Stable per row: a message re-sent after a crash keeps its id, so clients can fold them.
    message["Message-ID"] = f"<outbox-{row.id}.{_short_hash(row.dedupe_key)}@{domain}>"
    for name, value in (row.headers or {}).items():
        if not _HEADER_NAME.match(name) or name.lower() in _RESERVED:
            continue
        if name.lower() in LIST_HEADERS:
            try:
                set_list_header(message, name, value)
            except UnsafeHeader as exc:
                raise UnsendableMessage(str(exc)) from exc
        else:
            message[name] = clean(value)
    message.set_content(row.body_text)
    message.add_alternative(row.body_html, subtype="html")
    for attachment in row.attachments or []:
        maintype, _, subtype = str(attachment["content_type"]).partition("/")
        params = subtype.split(";")
        message.add_attachment(
            base64.b64decode(attachment["data_base64"]),
            maintype=maintype or "application",
            subtype=params[0].strip() or "octet-stream",
            filename=clean(attachment["filename"]),
            params=_params(params[1:]),
        )
    check_round_trip(message)
    return message


def check_round_trip(message: EmailMessage) -> None:
    """Refuse a message whose bytes parse back to other headers than the ones built.

    The interpreter's email package may be one that decodes an encoded word holding CR/LF into
    a header line of its own (CVE-2024-6923), so the generated bytes are read back and must
    hold exactly the headers we set, with the same values, and no parsing defects.

    Only the top-level header section is parsed back (what is compared): parsing the MIME
    parts too tripled the cost of building a confirmation with its invite.
    """
    raw = message.as_bytes()
    try:
        parsed = BytesParser(policy=policy.default).parsebytes(raw, headersonly=True)
        same = _headers(parsed) == _headers(message) and not parsed.defects
    except ValueError as exc:  # the parser itself refuses what it decoded (CR/LF in a name)
        raise UnsendableMessage(f"the generated headers do not read back: {exc}") from exc
    if not same:
        raise UnsendableMessage("the generated headers do not read back as built; not sent")
    if isinstance(message, OutgoingMessage):
        message.checked_bytes = raw


def _headers(message: EmailMessage) -> list[tuple[str, str]]:
    # The generator adds the multipart boundary while writing: compare the type alone there.
    # Runs of white space are folding, not content: a subject folded right after "Subject:"
    # parses back with a leading space, one folded before an encoded word with two spaces
    # ("minutes \r\n =?utf-8?b?4oCU?="). What an injection changes, the header names and
    # their number, is still compared exactly.
    return [
        (
            name.lower(),
            message.get_content_type()
            if name.lower() == "content-type"
            else " ".join(str(value).split()),
        )
        for name, value in message.items()
    ]


def _short_hash(value: str) -> str:
    return hashlib.sha1(value.encode(), usedforsecurity=False).hexdigest()[:12]


def _params(items: list[str]) -> dict[str, str]:
    # "text/calendar; method=REQUEST" keeps its method parameter (calendar clients read it).
    params: dict[str, str] = {}
    for item in items:
        key, _, value = item.partition("=")
        if key.strip() and value.strip():
            params[key.strip().lower()] = value.strip().strip('"')
    return params
