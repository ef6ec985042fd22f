"""Where messages go: an SMTP server, or the development mailbox when none is configured."""

from __future__ import annotations

import smtplib
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from typing import Protocol

from flask import current_app

from eventhub.extensions import db
from eventhub.mail.models import DevMailboxMessage


class TransientDeliveryError(Exception):
    """Try again later: connection trouble or a 4xx reply."""


class PermanentDeliveryError(Exception):
    """The server refused for good (5xx); its answer is the message."""


class Transport(Protocol):
    def send(self, message: EmailMessage, outbox_id: int | None) -> None: ...


class SmtpTransport:
    def __init__(self, connection: smtplib.SMTP) -> None:
        self.connection = connection

    def send(self, message: EmailMessage, outbox_id: int | None) -> None:
        try:
            refused = self.connection.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            code, answer = next(iter(exc.recipients.values()))
            raise _classify(code, answer) from exc
        except smtplib.SMTPResponseException as exc:
            raise _classify(exc.smtp_code, exc.smtp_error) from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise TransientDeliveryError(f"connection error: {exc}") from exc
        if refused:
            code, answer = next(iter(refused.values()))
            raise _classify(code, answer)


def _classify(code: int, answer: bytes | str) -> Exception:
    text = answer.decode("utf-8", "replace") if isinstance(answer, bytes) else str(answer)
    reply = f"{code} {text}".strip()
    if 500 <= code < 600:
        return PermanentDeliveryError(reply)
    return TransientDeliveryError(reply)


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


def uses_dev_mailbox() -> bool:
    return not current_app.config.get("MAIL_SERVER")


@contextmanager
def open_transport() -> Iterator[Transport]:
    """One connection for a whole batch; the dev mailbox when MAIL_SERVER is unset."""
    if uses_dev_mailbox():
        yield DevMailboxTransport()
        return
    config = current_app.config
    try:
        smtp_class = smtplib.SMTP_SSL if config.get("MAIL_USE_SSL") else smtplib.SMTP
        connection = smtp_class(config["MAIL_SERVER"], int(config["MAIL_PORT"]), timeout=30)
        if config.get("MAIL_USE_TLS"):
            connection.starttls()
        if config.get("MAIL_USERNAME"):
            connection.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
    except (smtplib.SMTPException, OSError) as exc:
        raise TransientDeliveryError(f"cannot connect to {config['MAIL_SERVER']}: {exc}") from exc
    try:
        yield SmtpTransport(connection)
    finally:
        try:
            connection.quit()
        except (smtplib.SMTPException, OSError):
            connection.close()
