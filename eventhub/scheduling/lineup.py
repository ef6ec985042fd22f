"""Who speaks in a session, in which role and order."""

from __future__ import annotations

from sqlalchemy import select

from eventhub.extensions import db
from eventhub.scheduling.errors import SchedulingError
from eventhub.scheduling.models import Session
from eventhub.speakers.models import SessionSpeaker, SpeakerProfile, SpeakerRole


def speaker_choices() -> list[SpeakerProfile]:
    return list(db.session.scalars(select(SpeakerProfile).order_by(SpeakerProfile.full_name)))


def _renumber(session: Session) -> None:
    for index, link in enumerate(session.speaker_links):
        link.position = index


def add_speaker(session: Session, speaker_id: int, role: SpeakerRole) -> SessionSpeaker:
    """Attach a speaker at the end of the line-up."""
    speaker = db.session.get(SpeakerProfile, speaker_id)
    if speaker is None:
        raise SchedulingError("Choose a speaker from the list.", "speaker_id")
    if any(link.speaker_id == speaker_id for link in session.speaker_links):
        raise SchedulingError(f"{speaker.name_line} is already on this session.", "speaker_id")
    link = SessionSpeaker(speaker=speaker, role=role, position=len(session.speaker_links))
    session.speaker_links.append(link)
    db.session.flush()
    return link


def _find(session: Session, link_id: int) -> SessionSpeaker:
    for link in session.speaker_links:
        if link.id == link_id:
            return link
    raise SchedulingError("That speaker is not on this session.")


def move_speaker(session: Session, link_id: int, offset: int) -> None:
    """Move a speaker up (-1) or down (+1) the line-up."""
    links = list(session.speaker_links)
    link = _find(session, link_id)
    index = links.index(link)
    target = max(0, min(len(links) - 1, index + offset))
    links.insert(target, links.pop(index))
    for position, item in enumerate(links):
        item.position = position
    db.session.flush()
    db.session.expire(session, ["speaker_links"])


def set_role(session: Session, link_id: int, role: SpeakerRole) -> None:
    """Change a speaker's role on this session."""
    _find(session, link_id).role = role
    db.session.flush()


def remove_speaker(session: Session, link_id: int) -> None:
    """Take a speaker off this session."""
    session.speaker_links.remove(_find(session, link_id))
    _renumber(session)
    db.session.flush()
