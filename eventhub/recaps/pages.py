"""Read model of the public recap page: one recap with its parts and the series' other cards."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask import url_for
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from eventhub.extensions import db
from eventhub.recaps.models import Recap, RecapQuote, RecapSection
from eventhub.recaps.queries import published_recap_session_ids
from eventhub.registration.availability import (
    ACTION_LABELS,
    Action,
    Availability,
    availability_for,
)
from eventhub.scheduling.links import public_session_path
from eventhub.scheduling.models import PUBLIC_STATUSES, Series, Session
from eventhub.scheduling.queries import others_in_series
from eventhub.speakers.models import SessionSpeaker, SpeakerProfile


@dataclass
class SpeakerBlock:
    """A section of the article: what one speaker said, with their pull quotes."""

    section: RecapSection
    speaker: SpeakerProfile | None
    role: str
    quotes: list[RecapQuote] = field(default_factory=list)


@dataclass
class RecapPage:
    series: Series
    session: Session
    recap: Recap
    blocks: list[SpeakerBlock]
    loose_quotes: list[RecapQuote]
    others: list[Session]
    availability: dict[int, Availability]
    recapped: set[int]


def load_recap(session: Session) -> Recap | None:
    return db.session.scalar(
        select(Recap)
        .where(Recap.session_id == session.id)
        .options(
            selectinload(Recap.sections).selectinload(RecapSection.speaker),
            selectinload(Recap.quotes).selectinload(RecapQuote.speaker),
            selectinload(Recap.photos),
        )
    )


def build_page(session: Session, recap: Recap) -> RecapPage:
    roles = {
        link.speaker_id: link.role.value
        for link in db.session.scalars(
            select(SessionSpeaker).where(SessionSpeaker.session_id == session.id)
        )
    }
    blocks = [
        SpeakerBlock(section=s, speaker=s.speaker, role=roles.get(s.speaker_id or -1, ""))
        for s in recap.sections
    ]
    by_speaker = {b.speaker.id: b for b in blocks if b.speaker is not None}
    loose: list[RecapQuote] = []
    for quote in recap.quotes:
        block = by_speaker.get(quote.speaker_id) if quote.speaker_id else None
        if block is not None:
            block.quotes.append(quote)
        else:
            loose.append(quote)
    others = list(
        db.session.scalars(
            others_in_series(session)
            .where(Session.status.in_(PUBLIC_STATUSES))
            .order_by(Session.number)
            .options(selectinload(Session.speaker_links).selectinload(SessionSpeaker.speaker))
        )
    )
    return RecapPage(
        series=session.series,
        session=session,
        recap=recap,
        blocks=blocks,
        loose_quotes=loose,
        others=others,
        availability=availability_for(others),
        recapped=published_recap_session_ids(s.id for s in others),
    )


def upcoming_first(sessions: list[Session], now: datetime) -> list[Session]:
    ahead = [s for s in sessions if s.ends_at >= now]
    past = [s for s in sessions if s.ends_at < now]
    return ahead + past


@dataclass(frozen=True)
class Card:
    """A "More in this series" card: Read more, and the one action the session allows."""

    session: Session
    read_more_url: str
    action_label: str
    action_url: str | None


def cards(page: RecapPage) -> list[Card]:
    result = []
    for session in page.others:
        has_recap = session.id in page.recapped
        read_more = (
            url_for("recaps.show", series_slug=page.series.slug, session_slug=session.slug)
            if has_recap
            else public_session_path(session)
        )
        action = page.availability[session.id].action
        # A past session's card has "Read more" alone.
        label = "" if action is Action.PAST else str(ACTION_LABELS[action])
        url = None
        if action in (Action.REGISTER, Action.WAITLIST):
            url = url_for("registration.register", session_id=session.id)
        result.append(Card(session, read_more, label, url))
    return result
