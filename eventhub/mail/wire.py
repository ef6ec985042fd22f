"""The bytes a message is on the wire: list headers folded by hand, DKIM-signed when configured.

Python's folding turns any header line longer than 78 characters into an RFC 2047 encoded word;
a `List-Unsubscribe: =?utf-8?q?=3Chttps…` header is then invisible to Gmail and Yahoo, so
one-click unsubscribe silently stops working. Headers whose value is a list of `<URI>`
elements (RFC 2369) are therefore stored pre-folded and emitted as they are (the policy's
`refold_source="none"`); every other header is still folded and encoded by the library.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import dkim

# SMTP line endings; only values set with `set_raw` escape refolding (see list_header).
POLICY = policy.SMTP.clone(refold_source="none")
LIST_HEADERS = frozenset({"list-unsubscribe", "list-help", "list-subscribe", "list-archive"})
MAX_LINE = 78
# RFC 3986 characters only (printable ASCII without space, quotes, angle brackets or backslash).
_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[!#-;=?-\[\]_a-z~]+$")
# What RFC 6376 §5.4.1 says a signer SHOULD cover, plus RFC 8058 §4's two list headers.
SIGNED_HEADERS = (
    "From",
    "Reply-To",
    "Subject",
    "Date",
    "To",
    "Cc",
    "Message-ID",
    "MIME-Version",
    "Content-Type",
    "List-Unsubscribe",
    "List-Unsubscribe-Post",
)


class SigningError(RuntimeError):
    """The configured DKIM key cannot sign (unreadable, not an RSA/Ed25519 key)."""


class UnsafeHeader(ValueError):
    """A list header element is not a plain URI (CR/LF, spaces, NUL, non-ASCII…)."""


def list_header(uris: list[str]) -> str:
    """`<uri1>, <uri2>` folded only between elements (RFC 2369 §2), never inside a URI."""
    if not uris:
        raise UnsafeHeader("a list header needs at least one URI")
    elements = []
    for uri in uris:
        if not _URI.match(uri) or len(uri) > 900:
            raise UnsafeHeader(f"not a URI a list header may carry: {uri!r}")
        elements.append(f"<{uri}>")
    lines = [elements[0]]
    for element in elements[1:]:
        if len(lines[-1]) + len(element) + 2 > MAX_LINE:
            lines[-1] += ","
            lines.append(element)
        else:
            lines[-1] += f", {element}"
    return "\r\n ".join(lines)


def split_list_header(value: str) -> list[str]:
    """The URIs of a `<a>, <b>` value as stored on an outbox row."""
    return re.findall(r"<([^<>]*)>", value)


def set_list_header(message: EmailMessage, name: str, value: str) -> None:
    message.set_raw(name, list_header(split_list_header(value)))


_ENCODED_WORD_BYTES = 45  # base64 of 45 bytes + "=?utf-8?b??=" is 72 characters (≤ 75)


def _phrase_lines(name: str) -> list[str]:
    """A display name as RFC 5322 §3.2.5 phrase pieces: a quoted string, or encoded words.

    Non-ASCII names become whole-name base64 encoded words (RFC 2047 §5(3)), split only at
    character boundaries; the standard library's mixed plain/encoded output does not parse
    back to the same name.
    """
    if name.isascii():
        quoted = name.replace("\\", "\\\\").replace('"', '\\"')
        words, lines = quoted.split(" "), [""]
        for word in words:
            if lines[-1] and len(lines[-1]) + len(word) + 1 > MAX_LINE - 10:
                lines.append(word)
            else:
                lines[-1] = f"{lines[-1]} {word}" if lines[-1] else word
        lines[0] = '"' + lines[0]
        lines[-1] += '"'
        return lines
    chunks, current = [], b""
    for char in name:
        encoded = char.encode("utf-8")
        if len(current) + len(encoded) > _ENCODED_WORD_BYTES:
            chunks.append(current)
            current = b""
        current += encoded
    chunks.append(current)
    return [f"=?utf-8?b?{base64.b64encode(chunk).decode('ascii')}?=" for chunk in chunks]


def mailbox_header(addresses: list[tuple[str, str]]) -> str:
    """`name <addr>` mailboxes folded between words; addresses must already be checked."""
    lines: list[str] = []
    for index, (name, addr) in enumerate(addresses):
        if index:
            lines[-1] += ","
        pieces = _phrase_lines(name) if name else []
        pieces.append(f"<{addr}>")
        lines.extend(pieces)
    return "\r\n ".join(lines)


@dataclass(frozen=True)
class DkimSigner:
    selector: bytes
    domain: bytes
    private_key: bytes

    def sign(self, raw: bytes) -> bytes:
        present = {
            line.split(b":", 1)[0].strip().lower()
            for line in raw.split(b"\r\n\r\n", 1)[0].split(b"\r\n")
            if line and not line[:1].isspace()
        }
        headers = [h.encode() for h in SIGNED_HEADERS if h.lower().encode() in present]
        try:
            signature = dkim.sign(
                raw,
                self.selector,
                self.domain,
                self.private_key,
                canonicalize=(b"relaxed", b"relaxed"),
                include_headers=headers,
            )
        except dkim.DKIMException as exc:
            raise SigningError(f"cannot DKIM-sign with MAIL_DKIM_PRIVATE_KEY_FILE: {exc}") from exc
        return bytes(signature) + raw


def signer_from(config: Mapping[str, Any]) -> DkimSigner | None:
    """The signer the MAIL_DKIM_* settings describe, or None when they are unset."""
    selector = config.get("MAIL_DKIM_SELECTOR")
    domain = config.get("MAIL_DKIM_DOMAIN")
    key_file = config.get("MAIL_DKIM_PRIVATE_KEY_FILE")
    if not (selector and domain and key_file):
        return None
    try:
        private_key = Path(key_file).read_bytes()
    except OSError as exc:
        raise SigningError(f"cannot read MAIL_DKIM_PRIVATE_KEY_FILE: {exc}") from exc
    return DkimSigner(
        selector=str(selector).encode("ascii"),
        domain=str(domain).encode("idna"),
        private_key=private_key,
    )


def is_international(message: EmailMessage) -> bool:
    """A non-ASCII address (not display name) needs SMTPUTF8 (RFC 6531); names are encoded."""
    return not all(
        str(addr.addr_spec).isascii()
        for name in ("From", "To")
        for addr in getattr(message[name], "addresses", ())
    )


def to_bytes(
    message: EmailMessage,
    signer: DkimSigner | None = None,
    *,
    international: bool | None = None,
    flattened: bytes | None = None,
) -> bytes:
    """The message as the SMTP server receives it (CRLF), with a DKIM-Signature on top.

    A caller that knows whether the message is `international`, or holds its bytes already
    `flattened` with POLICY (what an ASCII message is sent as), saves parsing and flattening.
    """
    if international is None:
        international = is_international(message)
    if international:
        raw = message.as_bytes(policy=POLICY.clone(utf8=True))
    else:
        raw = flattened if flattened is not None else message.as_bytes(policy=POLICY)
    return signer.sign(raw) if signer is not None else raw
