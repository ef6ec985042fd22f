"""How a series is doing, for the organiser's charts: sign-ups over time, attendance, email."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import Integer, cast, func, select

from eventhub.clock import utcnow
from eventhub.extensions import db
from eventhub.i18n import is_chinese
from eventhub.insights import mail_reports as reports
from eventhub.mail.models import OutboxMessage
from eventhub.registration.models import Registration, RegistrationStatus
from eventhub.scheduling.models import Series, Session

SIGNUP_WINDOW_DAYS = 42


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    # A second value drawn over the first (attended out of confirmed); None for single bars.
    part: int | None = None


@dataclass(frozen=True)
class SeriesInsights:
    signups: list[Bar]
    signups_total: int
    attendance: list[Bar]
    mail: reports.Counts

    @property
    def attendance_rate(self) -> float | None:
        confirmed = sum(bar.value for bar in self.attendance)
        if not confirmed:
            return None
        return sum(bar.part or 0 for bar in self.attendance) / confirmed


def _day(column: object, dialect: str) -> object:
    # Bucket by UTC day: PostgreSQL's date() would use the connection's time zone.
    if dialect == "postgresql":
        return func.date(func.timezone("UTC", column))
    return func.date(column)


def signups_by_day(series: Series, now: datetime) -> tuple[list[Bar], int]:
    """New registrations per day over the last weeks, one grouped statement."""
    start = (now - timedelta(days=SIGNUP_WINDOW_DAYS - 1)).date()
    dialect = db.session.get_bind().dialect.name
    day = _day(Registration.created_at, dialect)
    rows = db.session.execute(
        select(day, func.count())  # type: ignore[call-overload]
        .join(Session, Session.id == Registration.session_id)
        .where(Session.series_id == series.id)
        .group_by(day)
    ).all()
    per_day: dict[date, int] = {}
    total = 0
    for raw_day, count in rows:
        total += count
        value = raw_day if isinstance(raw_day, date) else date.fromisoformat(str(raw_day))
        per_day[value] = count
    zone = ZoneInfo(series.timezone)
    bars = []
    for offset in range(SIGNUP_WINDOW_DAYS):
        current = start + timedelta(days=offset)
        label = _day_label(datetime.combine(current, datetime.min.time(), zone))
        bars.append(Bar(label=label, value=per_day.get(current, 0)))
    return bars, total


def _day_label(day: datetime) -> str:
    # Hong Kong writes a day as 12月4日; English keeps "04 Dec".
    return f"{day.month}月{day.day}日" if is_chinese() else day.strftime("%d %b")


def attendance_by_session(series: Series, now: datetime) -> list[Bar]:
    """For each past session: confirmed registrants, and how many of them attended."""
    rows = db.session.execute(
        select(
            Session.number,
            func.count(Registration.id),
            func.sum(cast(Registration.is_attended, Integer)),
        )
        .join(Registration, Registration.session_id == Session.id)
        .where(
            Session.series_id == series.id,
            Session.starts_at < now,
            Registration.status == RegistrationStatus.CONFIRMED,
        )
        .group_by(Session.number)
        .order_by(Session.number)
    ).all()
    return [
        Bar(label=_("Webinar %(number)s", number=n), value=c, part=int(a or 0)) for n, c, a in rows
    ]


def series_insights(series: Series, now: datetime | None = None) -> SeriesInsights:
    """Everything the dashboard charts show, in three grouped statements."""
    now = now or utcnow()
    signups, total = signups_by_day(series, now)
    return SeriesInsights(
        signups=signups,
        signups_total=total,
        attendance=attendance_by_session(series, now),
        mail=reports.counts(OutboxMessage.series_id == series.id),
    )
