"""Where messages go: an SMTP server, or the development mailbox when none is configured."""

from __future__ import annotations

import smtplib
from contextlib import suppress
from email.message import EmailMessage
from typing import Protocol

from flask import current_app

from eventhub.extensions import db
from eventhub.mail.compose import OutgoingMessage, WireMessage
from eventhub.mail.models import DevMailboxMessage
from eventhub.mail.wire import (
    DkimSigner,
    SigningError,
    is_international,
    signer_from,
    to_bytes,
)

SMTP_TIMEOUT_SECONDS = 30


class TransientDeliveryError(Exception):
    """Try again later: a 4xx reply, or trouble with the connection."""


class ConnectionLost(TransientDeliveryError):
    """The connection is unusable (refused, dropped, 421): reconnect before the next row."""


class PermanentDeliveryError(Exception):
    """The server refused for good (5xx); its answer is the message."""


# What a transport sends: the bytes delivery wrote, or (pages, tests) an EmailMessage.
Sendable = WireMessage | EmailMessage


class Transport(Protocol):
    def send(self, message: Sendable, outbox_id: int | None) -> None: ...

    def close(self) -> None: ...


def _reply(code: int, answer: bytes | str) -> str:
    text = answer.decode("utf-8", "replace") if isinstance(answer, bytes) else str(answer)
    return f"{code} {text}".strip()


def classify(code: int, answer: bytes | str) -> Exception:
    """5xx is permanent; 421 means the server is closing the connection; other codes are 4xx."""
    reply = _reply(code, answer)
    if 500 <= code < 600:
        return PermanentDeliveryError(reply)
    if code == 421:
        return ConnectionLost(reply)
    return TransientDeliveryError(reply)


def _wire_bytes(message: Sendable, signer: DkimSigner | None) -> bytes:
    try:
        if isinstance(message, WireMessage):
            return signer.sign(message.raw) if signer is not None else message.raw
        if isinstance(message, OutgoingMessage):
            return to_bytes(
                message,
                signer,
                international=message.international,
                flattened=message.checked_bytes,
            )
        return to_bytes(message, signer)
    except SigningError as exc:
        # A key the signer cannot use is a setting to fix: keep the rows waiting.
        raise ConnectionLost(str(exc)) from exc


def _envelope(message: Sendable) -> tuple[str, str, bool]:
    """Sender and recipient address, and whether either needs SMTPUTF8."""
    if isinstance(message, WireMessage):
        return message.sender_address, message.recipient_address, message.international
    if isinstance(message, OutgoingMessage) and message.recipient_address:
        return message.sender_address, message.recipient_address, message.international
    return (
        str(message["From"].addresses[0].addr_spec),
        str(message["To"].addresses[0].addr_spec),
        is_international(message),
    )


class SmtpTransport:
    def __init__(self, connection: smtplib.SMTP, signer: DkimSigner | None = None) -> None:
        self.connection = connection
        self.signer = signer

    def send(self, message: Sendable, outbox_id: int | None) -> None:
        # The exact bytes are sent (not send_message's own flattening): they are what was signed.
        sender, recipient, international = _envelope(message)
        options = ["SMTPUTF8", "BODY=8BITMIME"] if international else []
        raw = _wire_bytes(message, self.signer)
        try:
            refused = self.connection.sendmail(sender, [recipient], raw, mail_options=options)
        except smtplib.SMTPRecipientsRefused as exc:
            code, answer = next(iter(exc.recipients.values()))
            raise classify(code, answer) from exc
        except smtplib.SMTPServerDisconnected as exc:
            raise ConnectionLost(f"connection lost: {exc}") from exc
        except smtplib.SMTPResponseException as exc:
            raise classify(exc.smtp_code, exc.smtp_error) from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise ConnectionLost(f"connection error: {exc}") from exc
        if refused:
            # Only one recipient per message, so a partial refusal is a refusal.
            code, answer = next(iter(refused.values()))
            raise classify(code, answer)

    def close(self) -> None:
        try:
            self.connection.quit()
        except (smtplib.SMTPException, OSError):
            self.connection.close()


class DevMailboxTransport:
    """Stores messages in the database so the development mailbox page can show them."""

    def __init__(self, signer: DkimSigner | None = None) -> None:
        self.signer = signer

    def send(self, message: Sendable, outbox_id: int | None) -> None:
        if isinstance(message, WireMessage):
            recipient, subject = message.recipient_address, message.subject
        else:
            recipient = str(message["To"].addresses[0].addr_spec)
            subject = str(message["Subject"])
        db.session.add(
            DevMailboxMessage(
                outbox_message_id=outbox_id,
                recipient_email=recipient,
                subject=subject,
                raw=_wire_bytes(message, self.signer),
            )
        )

    def close(self) -> None:
        return None


def uses_dev_mailbox() -> bool:
    return not current_app.config.get("MAIL_SERVER")


def connect() -> Transport:
    """Open one connection (used for a whole task's batches); the dev mailbox without a server."""
    config = current_app.config
    try:
        signer = signer_from(config)
    except SigningError as exc:
        raise ConnectionLost(str(exc)) from exc
    if uses_dev_mailbox():
        return DevMailboxTransport(signer)
    server = config["MAIL_SERVER"]
    try:
        smtp_class = smtplib.SMTP_SSL if config.get("MAIL_USE_SSL") else smtplib.SMTP
        connection = smtp_class(server, int(config["MAIL_PORT"]), timeout=SMTP_TIMEOUT_SECONDS)
        if config.get("MAIL_USE_TLS"):
            connection.starttls()
        if config.get("MAIL_USERNAME"):
            connection.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
    except smtplib.SMTPAuthenticationError as exc:
        # Wrong credentials do not fix themselves, but the organiser can fix the setting:
        # keep the rows waiting rather than failing every message.
        raise ConnectionLost(
            f"cannot log in to {server}: {_reply(exc.smtp_code, exc.smtp_error)}"
        ) from exc
    except (smtplib.SMTPException, OSError) as exc:
        raise ConnectionLost(f"cannot connect to {server}: {exc}") from exc
    return SmtpTransport(connection, signer)


class LazyTransport:
    """Connect on first use, reconnect after a lost connection, close once at the end."""

    def __init__(self) -> None:
        self._transport: Transport | None = None

    def get(self) -> Transport:
        if self._transport is None:
            self._transport = connect()
        return self._transport

    def drop(self) -> None:
        if self._transport is not None:
            # A dead connection may fail to close; it is gone either way.
            with suppress(Exception):
                self._transport.close()
            self._transport = None

    def __enter__(self) -> LazyTransport:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.drop()
