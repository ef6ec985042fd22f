"""What speakers adds when scheduling copies a session or checks one before publishing.

Scheduling sits below speakers and never imports it: it sends `session_copied` and
`checking_publication`, and these receivers copy the line-up and warn about double bookings.
"""

from __future__ import annotations

from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import aliased, selectinload

from eventhub import signals
from eventhub.extensions import db
from eventhub.i18n import speaker_name
from eventhub.scheduling import checks
from eventhub.scheduling.models import Session, SessionStatus
from eventhub.speakers.models import SessionSpeaker, lineup_of


def copy_lineup(source: Session, *, copy: Session) -> None:
    """A duplicated series' session gets the same speakers, roles and order."""
    for link in lineup_of(source):
        copy.speaker_links.append(
            SessionSpeaker(speaker_id=link.speaker_id, role=link.role, position=link.position)
        )


def speaker_overlaps(session: Session) -> list[checks.Warning]:
    speaker_ids = [link.speaker_id for link in lineup_of(session)]
    if not speaker_ids:
        return []
    other = aliased(Session)
    # Candidates start within a day of this session; the exact overlap is checked in Python.
    query = (
        select(SessionSpeaker)
        .join(other, SessionSpeaker.session_id == other.id)
        .where(
            SessionSpeaker.speaker_id.in_(speaker_ids),
            other.id != session.id,
            other.status != SessionStatus.CANCELLED,
            other.starts_at < session.ends_at,
            other.starts_at > session.starts_at - timedelta(days=1),
        )
        .options(
            selectinload(SessionSpeaker.session).selectinload(Session.series),
            selectinload(SessionSpeaker.speaker),
        )
    )
    warnings = []
    for link in db.session.scalars(query):
        if checks.overlaps(session.starts_at, session.ends_at, link.session):
            warnings.append(
                checks.Warning(
                    "speaker_overlap",
                    _(
                        "%(speaker)s also speaks in %(session)s.",
                        speaker=speaker_name(link.speaker),
                        session=checks.describe(link.session),
                    ),
                )
            )
    return warnings


def connect() -> None:
    signals.session_copied.connect(copy_lineup)
    signals.checking_publication.connect(speaker_overlaps)
