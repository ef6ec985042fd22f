"""Helpers for speaker tests: a speaker with an account, registrations, the latest invitation."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select

from eventhub.accounts.models import User
from eventhub.clock import utcnow
from eventhub.extensions import db
from eventhub.mail.models import MessageKind, OutboxMessage
from eventhub.registration.models import Registration, RegistrationStatus
from eventhub.scheduling.models import Session
from eventhub.speakers.models import SpeakerProfile
from tests.support.factories import Factories


def speaker_with_account(make: Factories, **fields: Any) -> tuple[SpeakerProfile, User]:
    email = fields.pop("email", None)
    user = make.speaker_user(**({"email": email} if email else {}))
    profile = make.speaker(user_id=user.id, email=user.email, **fields)
    return profile, user


def register(session: Session, email: str, status: RegistrationStatus, **fields: Any) -> None:
    now = utcnow()
    values: dict[str, Any] = {
        "session_id": session.id,
        "email": email,
        "name": email.split("@")[0].title(),
        "timezone": "Europe/London",
        "status": status,
        "consented_at": now,
        "waitlisted_at": now if status is RegistrationStatus.WAITLISTED else None,
    }
    values.update(fields)
    db.session.add(Registration(**values))
    db.session.flush()


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
