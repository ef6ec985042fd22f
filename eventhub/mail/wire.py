"""The bytes a message is on the wire: list headers folded by hand, DKIM-signed when configured.

Python's folding turns any header line longer than 78 characters into an RFC 2047 encoded word;
a `List-Unsubscribe: =?utf-8?q?=3Chttps…` header is then invisible to Gmail and Yahoo, so
one-click unsubscribe silently stops working. Headers whose value is a list of `<URI>`
elements (RFC 2369) are therefore stored pre-folded and emitted as they are (the policy's
`refold_source="none"`); every other header is still folded and encoded by the library.
"""

from __future__ import annotations

import base64
import binascii
import random
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from email import policy, quoprimime
from email.message import EmailMessage
from functools import lru_cache
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


# --- Writing a message without the email package's object model -------------------------------
#
# Building an EmailMessage, flattening it and reading its headers back cost a confirmation with
# its invite ~4 ms of the worker's CPU (the header registry parses every header on every access,
# and set_param re-parses Content-Type each time). `MimeWriter` writes the same bytes the
# generator wrote for our one shape of message (text + HTML alternatives, then attachments)
# directly; tests/mail/test_mime_writer.py holds it to the EmailMessage path byte for byte.
# Header safety is ours, not the interpreter's: values reach here cleaned of control
# characters, and `check_header_block` checks the written header section itself.

_NLCRE = re.compile(r"\r\n|\r|\n")
_BOUNDARY_WIDTH = len(repr(sys.maxsize - 1))
_ENCODED_WORD = re.compile(rb"=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=")
_CONTROL_TEXT = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
MAX_HEADER_LINE = 998  # RFC 5322 §2.1.1


def raw_header(name: str, value: str) -> bytes:
    """A header set with `set_raw` (already folded by us), as the generator writes it."""
    return POLICY.fold_binary(name, value)


@lru_cache(maxsize=1024)
def folded_header(name: str, value: str) -> bytes:
    """A header as the generator writes `message[name] = value`; one fold per distinct value.

    Subjects, sender names and dates repeat across a batch (one session's confirmations share
    a subject; the date changes once a second), so the header registry parses each once.
    `value` must hold no CR/LF (callers clean it).
    """
    return POLICY.fold_binary(name, POLICY.header_store_parse(name, value)[1])


_PLAIN_MESSAGE_ID = re.compile(r"<[A-Za-z0-9.-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*>")


def message_id_header(value: str) -> bytes:
    """`Message-ID: <…>` as the generator writes it: as is when a plain id fits on the line.

    Every row's id is its own, so the cache of folded_header would never hit.
    """
    line = f"Message-ID: {value}"
    if len(line) <= MAX_LINE and _PLAIN_MESSAGE_ID.fullmatch(value):
        return (line + "\r\n").encode("ascii")
    return folded_header("Message-ID", value)


def encode_text(text: str) -> tuple[str, str]:
    """The transfer encoding and payload `set_content(text)` chooses for a UTF-8 text part.

    The standard library's rule (email.contentmanager, `cte=None` under POLICY): 7bit or 8bit
    when every line fits, else whichever of quoted-printable and base64 encodes the first ten
    lines shorter.
    """
    lines = text.encode("utf-8").splitlines()
    limit = POLICY.max_line_length or sys.maxsize
    normal = b"\n".join(lines) + b"\n"
    if max((len(line) for line in lines), default=0) <= limit:
        if normal.isascii():
            return "7bit", normal.decode("ascii")
        return "8bit", normal.decode("ascii", "surrogateescape")
    # The first ten lines decide; quoted-printable encodes each line on its own, so the
    # sniffed head's encoding is the head of the whole body's (encoded once, not twice).
    sniff = b"\r\n".join(lines[:10]) + b"\r\n"
    sniff_qp = quoprimime.body_encode(sniff.decode("latin-1"), limit)
    if len(sniff_qp) > len(binascii.b2a_base64(sniff)):
        return "base64", _base64_lines(b"\r\n".join(lines) + b"\r\n")
    if len(lines) <= 10:
        return "quoted-printable", sniff_qp
    tail = b"\n".join(lines[10:]) + b"\n"
    return "quoted-printable", sniff_qp + quoprimime.body_encode(tail.decode("latin-1"), limit)


def _base64_lines(data: bytes) -> str:
    per_line = (POLICY.max_line_length or 76) // 4 * 3
    return "".join(
        binascii.b2a_base64(data[i : i + per_line]).decode("ascii")
        for i in range(0, len(data), per_line)
    )


def _body(payload: str) -> bytes:
    # The generator writes every line ending as CRLF; 8bit text keeps its UTF-8 bytes.
    return _NLCRE.sub("\r\n", payload).encode("ascii", "surrogateescape")


def text_part(text: str, subtype: str, *, mime_version: bool) -> bytes:
    """A text/<subtype> UTF-8 part, headers and body.

    `mime_version`: a part added with add_alternative carries its own MIME-Version (the
    standard library's doing); the first alternative, moved down from the top, does not.
    """
    cte, payload = encode_text(text)
    head = f'Content-Type: text/{subtype}; charset="utf-8"\r\nContent-Transfer-Encoding: {cte}\r\n'
    if mime_version:
        head += "MIME-Version: 1.0\r\n"
    return head.encode("ascii") + b"\r\n" + _body(payload)


@lru_cache(maxsize=256)
def _attachment_head(
    maintype: str, subtype: str, filename: str, params: tuple[tuple[str, str], ...]
) -> bytes:
    # Built once per kind of attachment with the standard library itself (filename folding,
    # RFC 2231 parameters, header order), then reused: an invite's headers are the same for
    # every registrant of a session.
    part = EmailMessage(policy=POLICY)
    part.set_content(
        b"", maintype=maintype, subtype=subtype, filename=filename, params=dict(params)
    )
    if "content-disposition" not in part:
        part["Content-Disposition"] = "attachment"
    return b"".join(POLICY.fold_binary(name, value) for name, value in part.raw_items())


def attachment_part(
    data: bytes, maintype: str, subtype: str, filename: str, params: dict[str, str]
) -> bytes:
    """What add_attachment(data, maintype, subtype, filename=, params=) writes (base64)."""
    head = _attachment_head(maintype, subtype, filename, tuple(params.items()))
    return head + b"\r\n" + _body(_base64_lines(data))


def multipart(subtype: str, parts: list[bytes]) -> tuple[bytes, bytes]:
    """The Content-Type header and the body of a multipart holding `parts`."""
    boundary = _boundary(parts)
    delimiter = b"--" + boundary.encode("ascii")
    body = b"".join(
        [delimiter, b"\r\n", parts[0]]
        + [piece for part in parts[1:] for piece in (b"\r\n", delimiter, b"\r\n", part)]
        + [b"\r\n", delimiter, b"--\r\n"]
    )
    line = f'Content-Type: multipart/{subtype}; boundary="{boundary}"'
    if len(line) > MAX_LINE:
        line = f'Content-Type: multipart/{subtype};\r\n boundary="{boundary}"'
    return (line + "\r\n").encode("ascii"), body


def _boundary(parts: list[bytes]) -> str:
    # The generator's form (15 "=", 19 random digits, "=="), never a line of the parts.
    boundary = "=" * 15 + f"{random.randrange(sys.maxsize):0{_BOUNDARY_WIDTH}d}" + "=="
    candidate, counter = boundary, 0
    while any(b"--" + candidate.encode("ascii") in part for part in parts):
        candidate = f"{boundary}.{counter}"
        counter += 1
    return candidate


def check_header_block(head: bytes, names: list[str], *, international: bool = False) -> None:
    """Refuse a written header section that holds other headers than `names`, in that order.

    Our own check of the bytes about to be sent, not the interpreter's parser: every line
    ends in CRLF with no other CR or LF, continuation lines start with white space, each
    other line starts with the next expected name and a colon, the section is 7-bit (unless
    an address needs SMTPUTF8), and no encoded word in it decodes to a control character
    (CR/LF in a display name or subject: CVE-2024-6923's kind of injection).
    """
    if not head.endswith(b"\r\n") or (not international and not head.isascii()):
        raise UnsafeHeader("the header section is not 7-bit CRLF text")
    found: list[bytes] = []
    for line in head[:-2].split(b"\r\n"):
        if not line or b"\r" in line or b"\n" in line or len(line) > MAX_HEADER_LINE:
            raise UnsafeHeader("a header line is empty, too long or holds a bare CR/LF")
        if line[:1] in (b" ", b"\t"):
            if not found:
                raise UnsafeHeader("the header section starts with a continuation line")
            continue
        name, colon, _ = line.partition(b":")
        if not colon:
            raise UnsafeHeader(f"not a header line: {line[:40]!r}")
        found.append(name.lower())
    if found != [name.lower().encode("ascii") for name in names]:
        raise UnsafeHeader("the header section holds other headers than the ones built")
    if b"=?" in head:
        for match in _ENCODED_WORD.finditer(head):
            if _CONTROL_TEXT.search(_decoded_word(*match.groups())):
                raise UnsafeHeader("an encoded word in a header decodes to a control character")


def _decoded_word(charset: bytes, encoding: bytes, text: bytes) -> str:
    try:
        if encoding in (b"b", b"B"):
            data = base64.b64decode(text + b"=" * (-len(text) % 4))
        else:
            data = binascii.a2b_qp(text, header=True)
        return data.decode(charset.decode("ascii").split("*")[0])
    except (ValueError, LookupError, binascii.Error) as exc:
        raise UnsafeHeader("an encoded word in a header does not decode") from exc
