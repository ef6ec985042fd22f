"""Helpers for registration tests: applicants and the outbox rows a change wrote."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from sqlalchemy import select

from eventhub.extensions import db
from eventhub.mail.models import MessageKind, OutboxMessage
from eventhub.mail.outbox import attachments_at_send_time, render_deferred
from eventhub.registration.services import Applicant

_n = itertools.count(1)


def applicant(email: str | None = None, **fields: Any) -> Applicant:
    n = next(_n)
    values: dict[str, Any] = {
        "name": f"Person {n}",
        "email": email or f"person{n}@example.org",
        "timezone": "Europe/London",
        "organisation": "Example Org",
    }
    values.update(fields)
    return Applicant(**values)


def outbox(kind: MessageKind | None = None, email: str | None = None) -> list[OutboxMessage]:
    query = select(OutboxMessage).order_by(OutboxMessage.id)
    if kind is not None:
        query = query.where(OutboxMessage.kind == kind)
    if email is not None:
        query = query.where(OutboxMessage.recipient_email == email)
    rows = list(db.session.scalars(query))
    # Registration mail is rendered (its invite built) by the worker just before it is sent:
    # do the same, so the rows read as the messages that go out.
    attachments = attachments_at_send_time(rows)
    for row in rows:
        rendered = render_deferred(row)
        if rendered is not None:
            row.subject, row.body_html, row.body_text = (
                rendered.subject,
                rendered.html,
                rendered.text,
            )
            row.attachments = [*row.attachments, *attachments.get(row.id, [])]
            row.render = None
    return rows


@pytest.fixture
def person() -> type[Applicant]:
    return Applicant
