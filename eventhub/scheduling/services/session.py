"""Session rules: create and edit webinars within a series, delete drafts nobody depends on."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from flask_babel import gettext as _

from eventhub import signals
from eventhub.extensions import db
from eventhub.scheduling.errors import Problems, SchedulingError
from eventhub.scheduling.models import Series, Session, SessionStatus
from eventhub.scheduling.slugs import is_valid_slug, slugify, unique_slug
from eventhub.timefmt import is_valid_zone

MAX_DURATION_MINUTES = 24 * 60


@dataclass
class SessionData:
    title: str
    starts_at: datetime
    duration_minutes: int = 60
    timezone: str | None = None  # None: the series' zone
    number: int | None = None  # None: next free number
    slug: str | None = None  # None: generated from the title
    abstract: str = ""
    title_zh: str = ""
    abstract_zh: str = ""
    join_url: str = ""
    capacity: int | None = None
    registration_opens_at: datetime | None = None
    registration_closes_at: datetime | None = None
    requires_approval: bool = False
    is_join_url_hidden_until_reminder: bool = False

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.duration_minutes)


def data_from(session: Session) -> SessionData:
    """The current values of a session, as a starting point for a partial change."""
    return SessionData(**{f.name: getattr(session, f.name) for f in fields(SessionData)})


def _number_taken(series: Series, number: int, exclude_id: int | None) -> bool:
    return any(s.number == number and s.id != exclude_id for s in series.sessions)


def _slug_taken(series: Series, slug: str, exclude_id: int | None) -> bool:
    return any(s.slug == slug and s.id != exclude_id for s in series.sessions)


def _aware(value: datetime | None) -> bool:
    return value is None or (value.tzinfo is not None and value.utcoffset() is not None)


def _check(series: Series, data: SessionData, existing: Session | None) -> None:
    problems = Problems()
    own_id = existing.id if existing else None
    if not data.title.strip():
        problems.add("title", _("Give the session a title."))
    elif len(data.title) > 200:
        problems.add("title", _("Keep the title under 200 characters."))
    if data.number is not None:
        if data.number < 1:
            problems.add("number", _("Numbers start at 1."))
        elif _number_taken(series, data.number, own_id):
            problems.add(
                "number",
                _("Webinar %(number)s already exists in this series.", number=data.number),
            )
    if data.slug is not None:
        if not is_valid_slug(data.slug):
            problems.add("slug", _("Use lower-case letters, digits and single hyphens only."))
        elif _slug_taken(series, data.slug, own_id):
            problems.add(
                "slug",
                _("Another session of this series already uses “%(slug)s”.", slug=data.slug),
            )
    if data.timezone is not None and not is_valid_zone(data.timezone):
        problems.add("timezone", _("“%(zone)s” is not a time zone name.", zone=data.timezone))
    for name in ("starts_at", "registration_opens_at", "registration_closes_at"):
        if not _aware(getattr(data, name)):
            problems.add(name, _("Give the time with its UTC offset."))
    if not 0 < data.duration_minutes <= MAX_DURATION_MINUTES:
        problems.add("duration_minutes", _("The session must end after it starts (1 to 1440 min)."))
    if data.capacity is not None and data.capacity < 0:
        problems.add("capacity", _("Capacity cannot be negative; leave it empty for unlimited."))
    if data.join_url:
        parts = urlsplit(data.join_url)
        if parts.scheme not in {"http", "https"} or not parts.netloc:
            problems.add("join_url", _("Give the full join link, starting with https://."))
        elif len(data.join_url) > 500:
            problems.add("join_url", _("Keep the join link under 500 characters."))
    if not problems.errors:
        _check_window(data, problems)
    problems.raise_if_any()


def _check_window(data: SessionData, problems: Problems) -> None:
    opens, closes = data.registration_opens_at, data.registration_closes_at
    if closes is not None and closes > data.ends_at:
        problems.add(
            "registration_closes_at", _("Registration must close before the session ends.")
        )
    if opens is not None and opens >= data.ends_at:
        problems.add("registration_opens_at", _("Registration must open before the session ends."))
    if opens is not None and closes is not None and opens >= closes:
        problems.add("registration_closes_at", _("Registration must close after it opens."))


def _apply(session: Session, data: SessionData) -> None:
    session.title = data.title.strip()
    session.abstract = data.abstract.strip()
    session.title_zh = data.title_zh.strip()
    session.abstract_zh = data.abstract_zh.strip()
    session.join_url = data.join_url.strip()
    session.registration_opens_at = data.registration_opens_at
    session.registration_closes_at = data.registration_closes_at
    session.requires_approval = data.requires_approval
    session.is_join_url_hidden_until_reminder = data.is_join_url_hidden_until_reminder
    session.timezone = data.timezone or session.series.timezone


def next_number(series: Series) -> int:
    return max((s.number for s in series.sessions), default=0) + 1


def create_session(series: Series, data: SessionData) -> Session:
    """Add a draft session to a series."""
    _check(series, data, None)
    number = data.number or next_number(series)
    slug = data.slug or unique_slug(slugify(data.title), lambda s: _slug_taken(series, s, None))
    with db.session.no_autoflush:
        session = Session(
            series=series,
            capacity=data.capacity,
            status=SessionStatus.DRAFT,
            number=number,
            slug=slug,
            starts_at=data.starts_at,
            duration_minutes=data.duration_minutes,
        )
        _apply(session, data)
        db.session.add(session)
    db.session.flush()
    return session


def check_session(session: Session, data: SessionData) -> None:
    """Validate a change to an existing session without applying it."""
    _check(session.series, data, session)


def update_details(session: Session, data: SessionData) -> Session:
    """Change everything but the time of a session (a published time changes by rescheduling)."""
    _check(session.series, data, session)
    _apply(session, data)
    if data.capacity != session.capacity:
        # Seats are the registration domain's: its receiver locks, refuses too low and promotes
        # the waitlist. The capacity is this domain's column, set here whoever listens.
        for _receiver, refusal in signals.capacity_changing.send(session, capacity=data.capacity):
            if refusal:
                raise SchedulingError(refusal, "capacity")
        session.capacity = data.capacity
    if data.number is not None:
        session.number = data.number
    if data.slug:
        session.slug = data.slug
    if session.status is SessionStatus.DRAFT:
        session.starts_at = data.starts_at
        session.duration_minutes = data.duration_minutes
    db.session.flush()
    return session


def time_changed(session: Session, data: SessionData) -> bool:
    return data.starts_at != session.starts_at or data.duration_minutes != session.duration_minutes


def delete_session(session: Session) -> None:
    """Delete a session nobody registered for and no recap describes."""
    # The domains above scheduling (registrations, recaps) answer for what they hold.
    if any(reasons for _receiver, reasons in signals.deleting_session.send(session)):
        raise SchedulingError(
            _(
                "Webinar %(number)s has registrations or a recap and cannot be deleted; "
                "cancel it instead.",
                number=session.number,
            )
        )
    session.series.sessions.remove(session)
    db.session.flush()
