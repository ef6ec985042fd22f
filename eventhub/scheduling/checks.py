"""Warnings shown before publishing: conflicts an organiser should see, not hard refusals."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _

from eventhub import signals
from eventhub.clock import utcnow
from eventhub.i18n import localised
from eventhub.scheduling.models import Series, Session, SessionStatus
from eventhub.timefmt import format_moment


@dataclass(frozen=True)
class Warning:
    code: str
    message: str


def describe(session: Session) -> str:
    return _(
        "“%(title)s” (Webinar %(number)s of %(series)s, %(moment)s)",
        title=localised(session, "title"),
        number=session.number,
        series=localised(session.series, "title"),
        moment=format_moment(session.starts_at, session.series.timezone),
    )


def overlaps(a_start: datetime, a_end: datetime, b: Session) -> bool:
    return a_start < b.ends_at and b.starts_at < a_end


def series_overlaps(session: Session) -> list[Warning]:
    return [
        Warning(
            "series_overlap",
            _("It overlaps %(session)s in the same series.", session=describe(other)),
        )
        for other in session.series.sessions
        if other.id != session.id
        and other.status is not SessionStatus.CANCELLED
        and overlaps(session.starts_at, session.ends_at, other)
    ]


def reminder_warnings(session: Session, now: datetime) -> list[Warning]:
    warnings = []
    for minutes in session.effective_reminder_offsets:
        due = session.starts_at - timedelta(minutes=minutes)
        if due <= now:
            label = (
                _("%(hours)s h", hours=minutes // 60)
                if minutes % 60 == 0
                else _("%(minutes)s min", minutes=minutes)
            )
            warnings.append(
                Warning(
                    "reminder_in_past",
                    _(
                        "The %(label)s reminder would be due %(moment)s, which is already past: "
                        "it will not be sent.",
                        label=label,
                        moment=format_moment(due, session.timezone),
                    ),
                )
            )
    return warnings


def window_warnings(session: Session, series: Series, now: datetime) -> list[Warning]:
    warnings = []
    if session.registration_closes_at is not None and session.registration_closes_at <= now:
        warnings.append(Warning("registration_closed", _("Registration has already closed.")))
    if session.ends_at <= now:
        warnings.append(Warning("in_past", _("The session is already over.")))
    if not session.join_url:
        warnings.append(
            Warning("no_join_url", _("There is no join link yet; add it before reminders go out."))
        )
    if not series.is_published:
        warnings.append(
            Warning(
                "series_unpublished",
                _("The series is not published, so the session stays hidden until it is."),
            )
        )
    return warnings


def publish_warnings(session: Session, now: datetime | None = None) -> list[Warning]:
    """Everything worth a second look before `session` goes public."""
    now = now or utcnow()
    return [
        # Conflicts the domains above see (speakers: someone booked twice at once).
        *(
            warning
            for _receiver, found in signals.checking_publication.send(session)
            for warning in found
        ),
        *series_overlaps(session),
        *reminder_warnings(session, now),
        *window_warnings(session, session.series, now),
    ]
