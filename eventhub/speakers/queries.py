"""Read models for speaker pages, each in a fixed number of statements."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from eventhub.clock import utcnow
from eventhub.extensions import db
from eventhub.scheduling.models import Series, Session, SessionStatus
from eventhub.speakers.models import (
    ProfileChange,
    SessionSpeaker,
    SpeakerInvitation,
    SpeakerProfile,
)


def profile_by_slug(slug: str) -> SpeakerProfile | None:
    return db.session.scalar(select(SpeakerProfile).where(SpeakerProfile.slug == slug))


def _links_with_sessions(speaker_id: int) -> list[SessionSpeaker]:
    query = (
        select(SessionSpeaker)
        .join(Session, SessionSpeaker.session_id == Session.id)
        .where(SessionSpeaker.speaker_id == speaker_id)
        .order_by(Session.starts_at)
        .options(joinedload(SessionSpeaker.session).joinedload(Session.series))
    )
    return list(db.session.scalars(query))


def public_session_links(
    profile: SpeakerProfile, now: datetime | None = None
) -> tuple[list[SessionSpeaker], list[SessionSpeaker]]:
    """(upcoming, past) parts in public sessions: series published, session not a draft."""
    now = now or utcnow()
    query = (
        select(SessionSpeaker)
        .join(Session, SessionSpeaker.session_id == Session.id)
        .join(Series, Session.series_id == Series.id)
        .where(
            SessionSpeaker.speaker_id == profile.id,
            Series.is_published.is_(True),
            Session.status != SessionStatus.DRAFT,
        )
        .order_by(Session.starts_at)
        .options(joinedload(SessionSpeaker.session).joinedload(Session.series))
    )
    links = list(db.session.scalars(query))
    upcoming = [link for link in links if link.session.ends_at >= now]
    past = [link for link in links if link.session.ends_at < now]
    return upcoming, list(reversed(past))


def own_session_links(profile: SpeakerProfile) -> list[SessionSpeaker]:
    """Every session this speaker is attached to, drafts included (they prepare for them)."""
    return _links_with_sessions(profile.id)


def history(profile: SpeakerProfile, limit: int = 50) -> list[ProfileChange]:
    query = (
        select(ProfileChange)
        .where(ProfileChange.speaker_id == profile.id)
        .order_by(ProfileChange.changed_at.desc(), ProfileChange.id.desc())
        .limit(limit)
        .options(joinedload(ProfileChange.changed_by))
    )
    return list(db.session.scalars(query))


def invitations(profile: SpeakerProfile) -> list[SpeakerInvitation]:
    query = (
        select(SpeakerInvitation)
        .where(SpeakerInvitation.speaker_id == profile.id)
        .order_by(SpeakerInvitation.id.desc())
    )
    return list(db.session.scalars(query))


@dataclass(frozen=True)
class ProfileRow:
    """One line of the organisers' speaker list."""

    profile: SpeakerProfile
    status: str
    last_changed_at: datetime
    session_count: int


def account_status(profile: SpeakerProfile, latest: SpeakerInvitation | None, now: datetime) -> str:
    if profile.user_id is not None:
        return "active"
    if latest is None or latest.revoked_at is not None:
        return "not_invited"
    if latest.used_at is None and latest.expires_at <= now:
        return "expired"
    return "invited"


STATUS_LABELS = {
    "active": _l("Account active"),
    "invited": _l("Invited"),
    "expired": _l("Invitation expired"),
    "not_invited": _l("Not invited"),
}


def profile_rows(
    search: str = "", status: str = "", series_id: int | None = None
) -> list[ProfileRow]:
    """Profiles with account status, last change and session count, in four statements."""
    query = select(SpeakerProfile).order_by(SpeakerProfile.full_name)
    if search:
        pattern = f"%{search.strip().lower()}%"
        query = query.where(
            or_(
                func.lower(SpeakerProfile.full_name).like(pattern),
                func.lower(SpeakerProfile.organisation).like(pattern),
                func.lower(SpeakerProfile.alternate_name).like(pattern),
                func.lower(func.coalesce(SpeakerProfile.email, "")).like(pattern),
            )
        )
    if series_id:
        in_series = (
            select(SessionSpeaker.speaker_id)
            .join(Session, SessionSpeaker.session_id == Session.id)
            .where(Session.series_id == series_id)
        )
        query = query.where(SpeakerProfile.id.in_(in_series))
    profiles = list(db.session.scalars(query))
    ids = [p.id for p in profiles]
    latest: dict[int, SpeakerInvitation] = {}
    changed: dict[int, datetime] = {}
    counts: dict[int, int] = {}
    if ids:
        for invitation in db.session.scalars(
            select(SpeakerInvitation)
            .where(SpeakerInvitation.speaker_id.in_(ids))
            .order_by(SpeakerInvitation.id)
        ):
            latest[invitation.speaker_id] = invitation
        changed = dict(
            db.session.execute(
                select(ProfileChange.speaker_id, func.max(ProfileChange.changed_at))
                .where(ProfileChange.speaker_id.in_(ids))
                .group_by(ProfileChange.speaker_id)
            ).all()
        )
        counts = dict(
            db.session.execute(
                select(SessionSpeaker.speaker_id, func.count())
                .where(SessionSpeaker.speaker_id.in_(ids))
                .group_by(SessionSpeaker.speaker_id)
            ).all()
        )
    now = utcnow()
    rows = [
        ProfileRow(
            profile=p,
            status=account_status(p, latest.get(p.id), now),
            last_changed_at=changed.get(p.id) or p.updated_at,
            session_count=counts.get(p.id, 0),
        )
        for p in profiles
    ]
    return [r for r in rows if not status or r.status == status]


def series_choices() -> list[tuple[int, str]]:
    return list(db.session.execute(select(Series.id, Series.title).order_by(Series.title)).all())


def lineup(session: Session) -> list[SessionSpeaker]:
    query = (
        select(SessionSpeaker)
        .where(SessionSpeaker.session_id == session.id)
        .order_by(SessionSpeaker.position, SessionSpeaker.id)
        .options(selectinload(SessionSpeaker.speaker))
    )
    return list(db.session.scalars(query))


def all_profiles() -> list[SpeakerProfile]:
    return list(db.session.scalars(select(SpeakerProfile).order_by(SpeakerProfile.full_name)))
