"""Where messages go: an SMTP server, or the development mailbox when none is configured."""

from __future__ import annotations

import smtplib
from contextlib import suppress
from email.message import EmailMessage
from typing import Protocol

from flask import current_app

from eventhub.extensions import db
from eventhub.mail.models import DevMailboxMessage

SMTP_TIMEOUT_SECONDS = 30


class TransientDeliveryError(Exception):
    """Try again later: a 4xx reply, or trouble with the connection."""


class ConnectionLost(TransientDeliveryError):
    """The connection is unusable (refused, dropped, 421): reconnect before the next row."""


class PermanentDeliveryError(Exception):
    """The server refused for good (5xx); its answer is the message."""


class Transport(Protocol):
    def send(self, message: EmailMessage, outbox_id: int | None) -> None: ...

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


class SmtpTransport:
    def __init__(self, connection: smtplib.SMTP) -> None:
        self.connection = connection

    def send(self, message: EmailMessage, outbox_id: int | None) -> None:
        try:
            refused = self.connection.send_message(message)
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

    def send(self, message: EmailMessage, outbox_id: int | None) -> None:
        db.session.add(
            DevMailboxMessage(
                outbox_message_id=outbox_id,
                recipient_email=str(message["To"].addresses[0].addr_spec),
                subject=str(message["Subject"]),
                raw=message.as_bytes(),
            )
        )

    def close(self) -> None:
        return None


def uses_dev_mailbox() -> bool:
    return not current_app.config.get("MAIL_SERVER")


def connect() -> Transport:
    """Open one connection (used for a whole task's batches); the dev mailbox without a server."""
    if uses_dev_mailbox():
        return DevMailboxTransport()
    config = current_app.config
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
    return SmtpTransport(connection)


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
