"""A real SMTP server on loopback (aiosmtpd) that records what it receives."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

from tests.support.services import free_port


def body_text(message: EmailMessage, subtype: str) -> str:
    """The decoded text of the message's text/`subtype` part; a missing part fails the test."""
    part = message.get_body(preferencelist=(subtype,))
    assert part is not None, f"the message has no text/{subtype} part"
    return str(part.get_content())


@dataclass
class ReceivedMail:
    envelope_from: str
    recipients: list[str]
    raw: bytes

    @property
    def message(self) -> EmailMessage:
        parsed = message_from_bytes(self.raw, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed


@dataclass
class RecordingHandler:
    received: list[ReceivedMail] = field(default_factory=list)
    # Replies to give instead of accepting, consumed one per DATA command ("451 …", "550 …").
    scripted_replies: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            if self.scripted_replies:
                return self.scripted_replies.pop(0)
            self.received.append(
                ReceivedMail(envelope.mail_from, list(envelope.rcpt_tos), envelope.content)
            )
        return "250 Message accepted for delivery"


class SmtpServer:
    def __init__(self, handler: RecordingHandler, port: int) -> None:
        self.handler = handler
        self.host = "127.0.0.1"
        self.port = port

    @property
    def received(self) -> list[ReceivedMail]:
        return self.handler.received

    def reply_next(self, *replies: str) -> None:
        with self.handler.lock:
            self.handler.scripted_replies.extend(replies)

    def clear(self) -> None:
        with self.handler.lock:
            self.handler.received.clear()
            self.handler.scripted_replies.clear()

    def wait_for(self, count: int, timeout: float = 30.0) -> list[ReceivedMail]:
        """Wait until at least `count` messages arrived (real delivery takes real time)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.handler.received) >= count:
                return list(self.handler.received)
            time.sleep(0.05)
        raise AssertionError(
            f"expected {count} message(s) at the SMTP server, got {len(self.handler.received)}"
        )

    def config(self) -> dict[str, Any]:
        return {"MAIL_SERVER": self.host, "MAIL_PORT": self.port, "MAIL_USE_TLS": False}


@contextmanager
def smtp_server() -> Iterator[SmtpServer]:
    handler = RecordingHandler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield SmtpServer(handler, port)
    finally:
        controller.stop()
