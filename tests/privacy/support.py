"""One attendee with data everywhere eventhub keeps it, and a scan for what is left of them."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import func, select

from eventhub.clock import utcnow
from eventhub.emails.announcements import Audience, send_announcement
from eventhub.extensions import db
from eventhub.mail import delivery
from eventhub.mail.models import OutboxMessage
from eventhub.registration import series as series_services
from eventhub.registration import services
from eventhub.registration.manage_links import manage_token
from eventhub.registration.models import Registration
from eventhub.registration.unsubscribe import unsubscribe
from eventhub.scheduling.models import Series, Session
from tests.support.factories import Factories, LoginHelper

EMAIL = "Zeph.Quack@Example.org"
NAME = "Zephyrine Quackenbush"
ORGANISATION = "Quackenbush Pond Works"
ANSWER = "Chief pond officer"
# What must not be found anywhere after an erasure (case-insensitive).
NEEDLES = ("zeph.quack", NAME, "Quackenbush", ANSWER)


@dataclass
class World:
    series_a: Series
    series_b: Series
    full: Session  # capacity 1, taken by someone else: the person waits
    open: Session
    elsewhere: Session
    token: str  # the manage link of the person's confirmed seat in series A
    registration_id: int


def person(email: str = EMAIL, **fields: Any) -> services.Applicant:
    values: dict[str, Any] = {
        "name": NAME,
        "email": email,
        "timezone": "Asia/Hong_Kong",
        "organisation": ORGANISATION,
        "is_marketing_consent": True,
        "language": "zh-Hant",
    }
    values.update(fields)
    return services.Applicant(**values)


def build(make: Factories, client: FlaskClient, login: LoginHelper) -> World:
    """Registrations (waitlisted, confirmed, whole series), sent and queued mail, the dev
    mailbox, an unsubscribe and an organiser's action on the person in the activity log."""
    series_a = make.series(title="Series A")
    series_b = make.series(title="Series B")
    full = make.session(series_a, capacity=1)
    open_ = make.session(series_a)
    elsewhere = make.session(series_b)
    question = make.question(series_a, label="Your role?")
    db.session.commit()
    services.register(full.id, services.Applicant("Other Person", "other@example.org", "UTC"))
    services.register(full.id, person(answers={str(question.id): ANSWER}))
    mine = services.register(open_.id, person(answers={str(question.id): ANSWER})).registration
    series_services.register_series(series_b, person())
    db.session.commit()
    delivery.deliver_due(batch_size=50, max_batches=5)  # confirmations: sent, in the mailbox
    send_announcement(
        series_a,
        subject="Webinar 3 is open",
        body_markdown="Come along.",
        audience=Audience.ALL,
        session_id=None,
        batch_id="b1",
        now=utcnow(),
    )  # queued, not yet sent
    unsubscribe(series_b.id, EMAIL)
    db.session.commit()
    login(make.organiser())
    response = client.post(
        f"/organiser/registrations/{mine.id}/attendance", data={"attended": "yes"}
    )
    assert response.status_code == 302
    db.session.commit()  # a fresh read: a task may have committed in its own session
    return World(series_a, series_b, full, open_, elsewhere, manage_token(mine), mine.id)


def _text(value: Any) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def traces(needles: tuple[str, ...] = NEEDLES) -> list[str]:
    """Every (table.column: needle) where a needle appears, across the whole schema."""
    db.session.commit()  # a fresh read: a task may have committed in its own session
    found = []
    for table in db.metadata.sorted_tables:
        for row in db.session.execute(select(table)):
            for column, value in row._mapping.items():
                text = _text(value).lower()
                found += [f"{table.name}.{column}: {n}" for n in needles if n.lower() in text]
    return found


def everything() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, to show a second run changes nothing."""
    db.session.commit()  # a fresh read: a task may have committed in its own session
    return {
        table.name: sorted(
            (tuple(_text(v) for v in row) for row in db.session.execute(select(table))),
        )
        for table in db.metadata.sorted_tables
    }


def figures() -> dict[str, Any]:
    """What organisers count: registrations by session and status, attendance, seats, mail."""
    db.session.commit()  # a fresh read: a task may have committed in its own session
    by_status = Counter(
        {
            (sid, status.value): n
            for sid, status, n in db.session.execute(
                select(Registration.session_id, Registration.status, func.count()).group_by(
                    Registration.session_id, Registration.status
                )
            )
        }
    )
    attended = dict(
        db.session.execute(
            select(Registration.session_id, func.count())
            .where(Registration.is_attended.is_(True))
            .group_by(Registration.session_id)
        ).all()
    )
    mail = Counter(
        {
            kind.value: n
            for kind, n in db.session.execute(
                select(OutboxMessage.kind, func.count()).group_by(OutboxMessage.kind)
            )
        }
    )
    return {"by_status": by_status, "attended": attended, "mail": mail}


def with_waitlist_place_withdrawn(before: dict[str, Any], session_id: int) -> dict[str, Any]:
    """The figures after erasing someone waiting for `session_id` (a session yet to start):
    their waitlist place is given up (nobody could tell them of a seat), all else is kept."""
    by_status = Counter(before["by_status"])
    by_status[(session_id, "waitlisted")] -= 1
    by_status[(session_id, "cancelled")] += 1
    return {**before, "by_status": +by_status}
