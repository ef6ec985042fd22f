"""Who attended: marking by hand, and importing a meeting tool's attendance report."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from eventhub.clock import utcnow
from eventhub.extensions import db
from eventhub.refusal import Refusal
from eventhub.registration import meeting_reports
from eventhub.registration.models import Registration
from eventhub.scheduling.models import Session


class ImportProblem(Refusal):
    """The file cannot be read as an attendance export; the message says why."""


@dataclass
class UnmatchedRow:
    line: int
    email: str
    name: str
    reason: str


@dataclass
class ImportResult:
    """What an import did: counts for the CLI and the organiser page, rows to look at."""

    format: str = "csv"
    people: int = 0  # distinct people in the report (rejoins folded)
    matched: int = 0  # of them, registrants of the session
    attended: int = 0  # of those, counted present (newly marked or already marked)
    newly_marked: int = 0
    no_shows: list[UnmatchedRow] = field(default_factory=list)
    unmatched: list[UnmatchedRow] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def mark(registration: Registration, attended: bool, now: datetime | None = None) -> None:
    """Set or clear attendance on one registration."""
    registration.is_attended = attended
    registration.attended_at = (now or utcnow()) if attended else None
    db.session.flush()


def mark_many(registrations: Iterable[Registration], attended: bool) -> int:
    count = 0
    for registration in registrations:
        if registration.is_attended != attended:
            mark(registration, attended)
            count += 1
    return count


def import_attendance(
    session: Session,
    data: bytes,
    *,
    min_minutes: float | None = None,
    now: datetime | None = None,
) -> ImportResult:
    """Mark the registrants a meeting tool's report shows as present; report everyone else.

    A person counts as present when the report does not say `Attended: No` and, when
    `min_minutes` is given and the report has durations, their joins add up to at least that.
    Nobody is ever un-marked: a hand-made mark survives a re-import.
    """
    try:
        report = meeting_reports.parse(data)
    except meeting_reports.ReportProblem as exc:
        raise ImportProblem(str(exc)) from exc
    now = now or utcnow()
    by_email = {
        r.email.lower(): r
        for r in db.session.scalars(
            select(Registration).where(Registration.session_id == session.id)
        )
    }
    result = ImportResult(format=report.format, people=len(report.people))
    result.unmatched = [UnmatchedRow(b.line, "", b.text, b.reason) for b in report.bad_rows]
    for person in report.people:
        registration = by_email.get(person.email.lower())
        if registration is None:
            result.unmatched.append(
                UnmatchedRow(person.line, person.email, person.name, _("not registered"))
            )
            continue
        result.matched += 1
        reason = _absence(person, min_minutes)
        if reason:
            result.no_shows.append(UnmatchedRow(person.line, person.email, person.name, reason))
        elif registration.is_attended:
            result.attended += 1
        else:
            mark(registration, True, now)
            result.attended += 1
            result.newly_marked += 1
    if min_minutes is not None and any(p.minutes is None for p in report.people):
        result.notes.append(_("Some rows give no duration; the minimum was not applied to them."))
    return result


def _absence(person: meeting_reports.Attendance, min_minutes: float | None) -> str:
    if person.attended is False:
        return _("did not attend (Attended: No)")
    if min_minutes is not None and person.minutes is not None and person.minutes < min_minutes:
        minutes, minimum = f"{person.minutes:.0f}", f"{min_minutes:g}"
        return _(
            "%(minutes)s min, under the %(minimum)s min minimum", minutes=minutes, minimum=minimum
        )
    return ""
