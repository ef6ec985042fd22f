"""What registration answers when scheduling changes a session's capacity, deletes a programme
or asks how many people a change reaches.

Scheduling sits below registration and never imports it: it sends `capacity_changing`,
`deleting_series`, `deleting_session`, `counting_audience` and `series_copied`, and these
receivers answer for the seats, the registrations and the registration form's questions.
"""

from __future__ import annotations

from flask_babel import ngettext
from sqlalchemy import func, select

from eventhub import signals
from eventhub.extensions import db
from eventhub.registration import seats
from eventhub.registration.availability import counts_by_session
from eventhub.registration.models import Registration, RegistrationQuestion, SeriesRegistration
from eventhub.scheduling.models import Series, Session


def _apply_capacity(session: Session, *, capacity: int | None) -> str | None:
    """Seats are ours: lock, refuse a capacity below the seats held, move the waitlist up."""
    try:
        seats.change_capacity(session, capacity)
    except seats.SeatsAlreadyTaken as refusal:
        return str(refusal)
    return None


def _series_dependants(series: Series) -> list[str]:
    session_ids = select(Session.id).where(Session.series_id == series.id).scalar_subquery()
    registrations = db.session.scalar(
        select(func.count())
        .select_from(Registration)
        .where(Registration.session_id.in_(session_ids))
    )
    whole_series = db.session.scalar(
        select(func.count())
        .select_from(SeriesRegistration)
        .where(SeriesRegistration.series_id == series.id)
    )
    reasons = []
    if registrations:
        reasons.append(ngettext("%(num)d registration", "%(num)d registrations", registrations))
    if whole_series:
        reasons.append(
            ngettext(
                "%(num)d whole-series registration",
                "%(num)d whole-series registrations",
                whole_series,
            )
        )
    return reasons


def _session_dependants(session: Session) -> list[str]:
    registrations = db.session.scalar(
        select(func.count()).select_from(Registration).where(Registration.session_id == session.id)
    )
    if not registrations:
        return []
    return [ngettext("%(num)d registration", "%(num)d registrations", registrations)]


def _audience(session: Session) -> int:
    return sum(counts_by_session([session.id])[session.id].values())


# What a question copied with its series keeps (`choices` is a JSON list: copied, not shared).
_KEPT_BY_A_COPY = ("position", "label", "help_text", "kind", "is_required")


def _copy_questions(series: Series, *, copy: Series) -> None:
    """A copied series asks its registrants the same questions, in the same order."""
    questions = db.session.scalars(
        select(RegistrationQuestion)
        .where(RegistrationQuestion.series_id == series.id)
        .order_by(RegistrationQuestion.position, RegistrationQuestion.id)
    )
    for question in questions:
        kept = {name: getattr(question, name) for name in _KEPT_BY_A_COPY}
        db.session.add(
            RegistrationQuestion(series_id=copy.id, choices=list(question.choices), **kept)
        )
    db.session.flush()


def connect() -> None:
    signals.series_copied.connect(_copy_questions)
    signals.counting_audience.connect(_audience)
    signals.capacity_changing.connect(_apply_capacity)
    signals.deleting_series.connect(_series_dependants)
    signals.deleting_session.connect(_session_dependants)
