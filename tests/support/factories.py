"""Factories for domain rows: each returns a flushed object with sensible defaults."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from typing import Any

from flask.testing import FlaskClient

from eventhub.accounts.models import Role, User
from eventhub.clock import utcnow
from eventhub.extensions import db
from eventhub.mail.models import MessageKind, OutboxMessage
from eventhub.recaps.models import Recap
from eventhub.registration.models import (
    QuestionKind,
    Registration,
    RegistrationQuestion,
    RegistrationStatus,
)
from eventhub.scheduling.models import Series, Session, SessionStatus
from eventhub.speakers.models import SessionSpeaker, SpeakerProfile, SpeakerRole
from eventhub.teams.models import MemberRole, Membership

PASSWORD = "correct horse battery staple"
_counter = itertools.count(1)


class Factories:
    def user(self, role: Role = Role.ORGANISER, email: str | None = None, **fields: Any) -> User:
        n = next(_counter)
        user = User(email=email or f"user{n}@example.org", role=role, **fields)
        user.set_password(PASSWORD)
        db.session.add(user)
        db.session.flush()
        return user

    def organiser(self, **fields: Any) -> User:
        """An installation admin unless `is_admin=False`: the tests of each feature act as one
        who may do everything; tests/teams checks what each role may not."""
        fields.setdefault("is_admin", True)
        return self.user(Role.ORGANISER, **fields)

    def member(self, series: Series, role: MemberRole, **fields: Any) -> User:
        """A non-admin organiser holding `role` in `series`."""
        user = self.user(Role.ORGANISER, is_admin=False, **fields)
        db.session.add(Membership(series_id=series.id, user_id=user.id, role=role))
        db.session.flush()
        return user

    def speaker_user(self, **fields: Any) -> User:
        return self.user(Role.SPEAKER, **fields)

    def series(self, **fields: Any) -> Series:
        n = next(_counter)
        values: dict[str, Any] = {
            "slug": f"series-{n}",
            "title": f"Series {n}",
            "summary": "A series of webinars.",
            "timezone": "Asia/Hong_Kong",
            "is_published": True,
        }
        values.update(fields)
        series = Series(**values)
        db.session.add(series)
        db.session.flush()
        return series

    def session(
        self, series: Series | None = None, starts_at: datetime | None = None, **fields: Any
    ) -> Session:
        series = series or self.series()
        number = fields.pop("number", None) or (len(series.sessions) + 1)
        values: dict[str, Any] = {
            "series": series,
            "number": number,
            "title": f"Webinar {number}",
            "slug": f"webinar-{number}",
            "abstract": "What we will discuss.",
            "starts_at": starts_at or (utcnow() + timedelta(days=7)).replace(microsecond=0),
            "duration_minutes": 60,
            "timezone": series.timezone,
            "join_url": "https://meet.example.org/j/123",
            "status": SessionStatus.PUBLISHED,
        }
        values.update(fields)
        session = Session(**values)
        db.session.add(session)
        db.session.flush()
        return session

    def speaker(self, **fields: Any) -> SpeakerProfile:
        n = next(_counter)
        values: dict[str, Any] = {
            "slug": f"speaker-{n}",
            "full_name": f"Speaker Number{n}",
            "honorific": "Dr",
            "position": "Director",
            "organisation": "Example Institute",
        }
        values.update(fields)
        speaker = SpeakerProfile(**values)
        db.session.add(speaker)
        db.session.flush()
        return speaker

    def link(
        self,
        session: Session,
        speaker: SpeakerProfile,
        role: SpeakerRole = SpeakerRole.SPEAKER,
        position: int | None = None,
    ) -> SessionSpeaker:
        link = SessionSpeaker(
            session=session,
            speaker=speaker,
            role=role,
            position=len(session.speaker_links) if position is None else position,
        )
        db.session.add(link)
        db.session.flush()
        return link

    def registration(
        self,
        session: Session,
        email: str | None = None,
        status: RegistrationStatus = RegistrationStatus.CONFIRMED,
        *,
        at: datetime | None = None,
        **fields: Any,
    ) -> Registration:
        """A registration row as the services would leave it (no emails, no seat checks), made
        `at` (default now)."""
        n = next(_counter)
        moment = at or utcnow()
        values: dict[str, Any] = {
            "session": session,
            "email": email or f"attendee{n}@example.org",
            "name": f"Attendee {n}",
            "timezone": "Europe/London",
            "status": status,
            "consented_at": moment,
            "created_at": moment,
            "confirmed_at": moment if status is RegistrationStatus.CONFIRMED else None,
            "waitlisted_at": moment if status is RegistrationStatus.WAITLISTED else None,
            "offer_expires_at": moment + timedelta(hours=4)
            if status is RegistrationStatus.OFFERED
            else None,
        }
        values.update(fields)
        registration = Registration(**values)
        db.session.add(registration)
        db.session.flush()
        return registration

    def recap(self, session: Session, published: bool = True) -> Recap:
        recap = Recap(
            session=session,
            headline=f"What we heard at {session.title}",
            published_at=utcnow() if published else None,
        )
        db.session.add(recap)
        db.session.flush()
        return recap

    def speaker_account(self, **fields: Any) -> tuple[SpeakerProfile, User]:
        """A speaker profile with its own login (the profile's email is the account's)."""
        email = fields.pop("email", None)
        user = self.speaker_user(**({"email": email} if email else {}))
        profile = self.speaker(user_id=user.id, email=user.email, **fields)
        return profile, user

    def question(
        self,
        series: Series,
        label: str = "Your role?",
        kind: QuestionKind = QuestionKind.SHORT_TEXT,
        **fields: Any,
    ) -> RegistrationQuestion:
        values: dict[str, Any] = {
            "series_id": series.id,
            "label": label,
            "kind": kind,
            "choices": [],
            "is_required": False,
            "position": next(_counter),
        }
        values.update(fields)
        question = RegistrationQuestion(**values)
        db.session.add(question)
        db.session.flush()
        return question


class LoginHelper:
    """Log a test client in through the real login form."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def __call__(self, user: User, password: str = PASSWORD) -> None:
        db.session.commit()
        response = self.client.post(
            "/login", data={"email": user.email, "password": password}, follow_redirects=False
        )
        assert response.status_code == 302, response.get_data(as_text=True)[:500]


def outbox_row(**fields: object) -> OutboxMessage:
    """An unsaved confirmation row for the message builders; `fields` override its columns."""
    values: dict[str, object] = {
        "id": 7,
        "kind": MessageKind.CONFIRMATION,
        "dedupe_key": "confirmation:1:1",
        "recipient_email": "ada@example.org",
        "recipient_name": "Ada Lovelace",
        "reply_to": None,
        "subject": "You're registered",
        "body_html": "<p>Hello</p>",
        "body_text": "Hello",
        "headers": {},
        "attachments": [],
    }
    values.update(fields)
    return OutboxMessage(**values)
