"""Turn an outbox row into a MIME message with the standard library's email package."""

from __future__ import annotations

import base64
import hashlib
import re
from datetime import datetime
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import format_datetime, getaddresses, parseaddr
from typing import Any, Protocol

from eventhub.mail.wire import (
    LIST_HEADERS,
    POLICY,
    UnsafeHeader,
    mailbox_header,
    set_list_header,
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


def build_message(
    row: MessageRow,
    sender: str,
    now: datetime,
    default_reply_to: str | None = None,
    sender_name: str | None = None,
) -> OutgoingMessage:
    """From is always the configured no-reply sender (SPF-safe); replies go to the organiser.

    `default_reply_to` (the series' organiser) applies when the row names no Reply-To;
    `sender_name` (the series' title) replaces the configured display name.
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
