"""Who speaks in a session, in which role and order."""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import gettext as _
from sqlalchemy import select

from eventhub.extensions import db
from eventhub.scheduling.models import Session, SessionStatus
from eventhub.speakers import queries
from eventhub.speakers.models import SessionSpeaker, SpeakerProfile, SpeakerRole
from eventhub.speakers.services import SpeakerError


def attach(session: Session, profile: SpeakerProfile, role: SpeakerRole) -> SessionSpeaker:
    """Add a speaker at the end of the line-up."""
    current = queries.lineup(session)
    if any(link.speaker_id == profile.id for link in current):
        raise SpeakerError(_("%(name)s is already in this session.", name=profile.name_line))
    link = SessionSpeaker(
        session_id=session.id,
        speaker_id=profile.id,
        role=role,
        position=(max((link.position for link in current), default=-1) + 1),
    )
    db.session.add(link)
    db.session.flush()
    return link


def reorder(session: Session, rows: Iterable[tuple[int, SpeakerRole, int]]) -> None:
    """Apply (link id, role, wanted order) rows; orders become 0, 1, 2… without gaps."""
    links = {link.id: link for link in queries.lineup(session)}
    wanted: dict[int, int] = {}
    for link_id, role, order in rows:
        link = links.get(link_id)
        if link is None:
            raise SpeakerError(_("The line-up changed meanwhile; please review it and save again."))
        link.role = role
        wanted[link_id] = order
    ranked = sorted(
        links.values(), key=lambda li: (wanted.get(li.id, li.position + 1), li.position)
    )
    for index, link in enumerate(ranked):
        link.position = index
    db.session.flush()


def detach(session: Session, link_id: int) -> SpeakerProfile:
    """Remove one speaker from the session; the others close the gap."""
    link = db.session.get(SessionSpeaker, link_id)
    if link is None or link.session_id != session.id:
        raise SpeakerError(_("That speaker is no longer in this session."))
    profile = link.speaker
    db.session.delete(link)
    db.session.flush()
    for index, remaining in enumerate(queries.lineup(session)):
        remaining.position = index
    db.session.flush()
    return profile


def overlapping_sessions(profile: SpeakerProfile, session: Session) -> list[Session]:
    """Other non-cancelled sessions of this speaker that overlap this one in time."""
    query = (
        select(Session)
        .join(SessionSpeaker, SessionSpeaker.session_id == Session.id)
        .where(
            SessionSpeaker.speaker_id == profile.id,
            Session.id != session.id,
            Session.status != SessionStatus.CANCELLED,
            Session.starts_at < session.ends_at,
        )
    )
    return [other for other in db.session.scalars(query) if other.ends_at > session.starts_at]
