"""Reads the registration domain's modules share."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
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
