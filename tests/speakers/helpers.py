"""Helpers for speaker tests: the latest invitation and its link (rows: support/factories)."""

from __future__ import annotations

import re

from sqlalchemy import select

from eventhub.extensions import db
from eventhub.mail.models import MessageKind, OutboxMessage


def invitation_messages() -> list[OutboxMessage]:
    return list(
        db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.kind == MessageKind.SPEAKER_INVITATION)
            .order_by(OutboxMessage.id)
        )
    )


def link_in(message: OutboxMessage) -> str:
    """The invitation path (without host) from the plain-text body."""
    match = re.search(r"http://eventhub\.test(/speakers/invitation/[^\s\"<]+)", message.body_text)
    assert match, message.body_text
    return match.group(1)
