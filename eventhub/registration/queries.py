"""Reads the registration domain's modules share."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import ColumnElement, Integer, literal_column, select
from sqlalchemy.orm import joinedload

from eventhub.extensions import db
from eventhub.registration.models import Registration
from eventhub.scheduling.models import Session
from eventhub.speakers.models import SessionSpeaker


def registrations_for_mail(ids: Iterable[int]) -> dict[int, Registration]:
    """The registrations a batch of outbox rows names, by id, with what their emails and
    invites read (session, series, speakers, series registration): one query per batch."""
    wanted = set(ids)
    if not wanted:
        return {}
    return {
        registration.id: registration
        for registration in db.session.scalars(
            select(Registration)
            .where(Registration.id.in_(wanted))
            .options(
                joinedload(Registration.session).joinedload(Session.series),
                joinedload(Registration.session)
                .selectinload(Session.speaker_links)
                .joinedload(SessionSpeaker.speaker),
                joinedload(Registration.series_registration),
            )
        ).unique()
    }


def of_session_and_email(session_id: Any, email: Any) -> tuple[ColumnElement[bool], ...]:
    """The conditions finding a session's registration of one email, through the email's index.

    An email has a handful of registrations, a session up to thousands. Without statistics (a
    new database, or a session newer than the last ANALYZE: the opening minute of a new
    webinar) PostgreSQL ranked the (session_id, status) index as cheap as any other and read
    every registration of the session to find one email, under the seat lock: 0.4 ms at 3,000
    registrations, growing with each. `session_id + 0` can use no index, which leaves the
    email's: the plan PostgreSQL chooses by itself once it has statistics.
    """
    return (
        Registration.email == email,
        Registration.session_id + literal_column("0", Integer) == session_id,
    )
