"""Create the demo series if it is missing; running it again changes nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from eventhub.accounts.models import Role, User
from eventhub.clock import utcnow
from eventhub.demo import content
from eventhub.extensions import db
from eventhub.recaps.models import Recap, RecapQuote, RecapSection
from eventhub.registration.models import Registration, RegistrationStatus
from eventhub.scheduling.models import Series, Session, SessionStatus
from eventhub.speakers.models import SessionSpeaker, SpeakerProfile, SpeakerRole
from eventhub.teams import services as team_services

DEMO_ORGANISER_EMAIL = "organiser@example.org"
START_TIME = time(14, 30)  # local time in the series' zone
DURATION_MINUTES = 90


@dataclass
class DemoResult:
    created: list[str] = field(default_factory=list)

    def note(self, what: str) -> None:
        self.created.append(what)


def load_demo(organiser_password: str, now: datetime | None = None) -> DemoResult:
    """Load the seed's series, speakers, webinars, recap and a few attendees; flush."""
    now = now or utcnow()
    result = DemoResult()
    organiser = _organiser(organiser_password, result)
    series = _series(organiser, result)
    speakers = {spec["slug"]: _speaker(spec, result) for spec in content.SPEAKERS}
    sessions = [_session(series, spec, now, result) for spec in content.SESSIONS]
    first = sessions[0]
    for position, (slug, role) in enumerate(content.WEBINAR_1_LINEUP):
        _link(first, speakers[slug], SpeakerRole(role), position, result)
    _recap(first, speakers, now, result)
    _attendees(first, now, result)
    db.session.flush()
    return result


def _organiser(password: str, result: DemoResult) -> User:
    user = db.session.scalar(select(User).where(User.email == DEMO_ORGANISER_EMAIL))
    if user is None:
        # The demo's only account administers the installation (and reads its mailbox).
        user = User(
            email=DEMO_ORGANISER_EMAIL,
            display_name="Demo organiser",
            role=Role.ORGANISER,
            is_admin=True,
        )
        user.set_password(password)
        db.session.add(user)
        result.note(f"organiser {DEMO_ORGANISER_EMAIL}")
    return user


def _series(organiser: User, result: DemoResult) -> Series:
    spec = content.SERIES
    series = db.session.scalar(select(Series).where(Series.slug == spec["slug"]))
    if series is None:
        series = Series(**spec, is_published=True, organiser=organiser)
        db.session.add(series)
        db.session.flush()
        result.note(f"series {series.slug}")
    if team_services.membership(series.id, organiser.id) is None:
        team_services.make_owner(series.id, organiser)
    _fill_chinese(series, spec)
    return series


def _fill_chinese(item: object, spec: dict[str, str]) -> None:
    """A demo loaded before the Chinese texts existed gets them; nothing typed is overwritten."""
    for key, value in spec.items():
        if key.endswith("_zh") and not getattr(item, key):
            setattr(item, key, value)


def _speaker(spec: dict[str, str], result: DemoResult) -> SpeakerProfile:
    speaker = db.session.scalar(select(SpeakerProfile).where(SpeakerProfile.slug == spec["slug"]))
    if speaker is None:
        speaker = SpeakerProfile(**spec)
        db.session.add(speaker)
        result.note(f"speaker {speaker.slug}")
    _fill_chinese(speaker, spec)
    return speaker


def _starts_at(days_from_now: int, zone: str, now: datetime) -> datetime:
    local_day = (now.astimezone(ZoneInfo(zone)) + timedelta(days=days_from_now)).date()
    return datetime.combine(local_day, START_TIME, tzinfo=ZoneInfo(zone)).astimezone(now.tzinfo)


def _session(
    series: Series, spec: tuple[int, str, int, str], now: datetime, result: DemoResult
) -> Session:
    number, title, days, abstract = spec
    session = db.session.scalar(
        select(Session).where(Session.series_id == series.id, Session.number == number)
    )
    title_zh, abstract_zh = content.SESSIONS_ZH[number]
    chinese = {"title_zh": title_zh, "abstract_zh": abstract_zh}
    if session is not None:
        _fill_chinese(session, chinese)
        return session
    starts_at = _starts_at(days, series.timezone, now)
    is_past = days < 0
    session = Session(
        series=series,
        number=number,
        title=title,
        slug=f"webinar-{number}",
        abstract=abstract,
        **chinese,
        starts_at=starts_at,
        duration_minutes=DURATION_MINUTES,
        timezone=series.timezone,
        join_url=f"https://meet.example.org/j/demo-webinar-{number}",
        capacity=None if is_past else 300,
        registration_closes_at=starts_at,
        status=SessionStatus.ENDED if is_past else SessionStatus.PUBLISHED,
        published_at=now - timedelta(days=30),
    )
    db.session.add(session)
    db.session.flush()
    result.note(f"session {number}")
    return session


def _link(
    session: Session,
    speaker: SpeakerProfile,
    role: SpeakerRole,
    position: int,
    result: DemoResult,
) -> None:
    db.session.flush()
    exists = db.session.scalar(
        select(SessionSpeaker).where(
            SessionSpeaker.session_id == session.id, SessionSpeaker.speaker_id == speaker.id
        )
    )
    if exists is None:
        db.session.add(
            SessionSpeaker(session=session, speaker=speaker, role=role, position=position)
        )
        result.note(f"{speaker.slug} in session {session.number}")


def _recap(
    session: Session, speakers: dict[str, SpeakerProfile], now: datetime, result: DemoResult
) -> None:
    spec = content.RECAP
    existing = db.session.scalar(select(Recap).where(Recap.session_id == session.id))
    if existing is not None:
        _fill_recap_chinese(existing)
        return
    recap = Recap(
        session=session,
        headline=spec["headline"],
        lead=spec["lead"],
        headline_zh=spec["headline_zh"],
        lead_zh=spec["lead_zh"],
        body_markdown=spec["body"],
        body_markdown_zh=spec["body_zh"],
        recording_url="https://video.example.org/demo-webinar-1",
        slides_url="https://slides.example.org/demo-webinar-1.pdf",
        published_at=now - timedelta(days=10),
    )
    for position, (slug, heading, body) in enumerate(spec["sections"]):
        heading_zh, body_zh = content.RECAP_SECTIONS_ZH[position]
        recap.sections.append(
            RecapSection(
                speaker=speakers[slug],
                heading=heading,
                body_markdown=body,
                heading_zh=heading_zh,
                body_markdown_zh=body_zh,
                position=position,
            )
        )
    for position, (slug, text) in enumerate(spec["quotes"]):
        recap.quotes.append(
            RecapQuote(
                speaker=speakers[slug],
                text=text,
                text_zh=content.RECAP_QUOTES_ZH[position],
                position=position,
            )
        )
    db.session.add(recap)
    result.note("recap of webinar 1")


def _fill_recap_chinese(recap: Recap) -> None:
    """A recap loaded before its Chinese texts existed gets them; nothing typed is overwritten."""
    spec = content.RECAP
    if not recap.body_markdown_zh:
        recap.body_markdown_zh = str(spec["body_zh"])
    for section in recap.sections:
        if section.position < len(content.RECAP_SECTIONS_ZH):
            heading_zh, body_zh = content.RECAP_SECTIONS_ZH[section.position]
            section.heading_zh = section.heading_zh or heading_zh
            section.body_markdown_zh = section.body_markdown_zh or body_zh
    for quote in recap.quotes:
        if quote.position < len(content.RECAP_QUOTES_ZH):
            quote.text_zh = quote.text_zh or content.RECAP_QUOTES_ZH[quote.position]


def _attendees(session: Session, now: datetime, result: DemoResult) -> None:
    for name, email, organisation, attended in content.DEMO_ATTENDEES:
        exists = db.session.scalar(
            select(Registration.id).where(
                Registration.session_id == session.id, Registration.email == email
            )
        )
        if exists is not None:
            continue
        registered = session.starts_at - timedelta(days=5)
        db.session.add(
            Registration(
                session=session,
                email=email,
                name=name,
                organisation=organisation,
                timezone=session.timezone,
                status=RegistrationStatus.CONFIRMED,
                consented_at=registered,
                confirmed_at=registered,
                is_attended=attended,
                attended_at=session.starts_at if attended else None,
                created_at=registered,
                updated_at=registered,
            )
        )
        result.note(f"attendee {email}")
