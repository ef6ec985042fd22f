"""What the public registration pages show: the session, its form, its availability."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from flask import abort, current_app, url_for
from flask_babel import gettext as _
from sqlalchemy import Integer, Select, bindparam, func, select
from sqlalchemy.orm import contains_eager, joinedload
from wtforms.fields.choices import SelectChoice

from eventhub.clock import utcnow
from eventhub.database import execute_alone
from eventhub.extensions import db
from eventhub.i18n import localised
from eventhub.registration.answers import questions_for
from eventhub.registration.availability import (
    ACTION_LABELS,
    Action,
    Availability,
    availability_from_counters,
)
from eventhub.registration.forms import RegistrationForm, registration_form
from eventhub.registration.locking import lock_session
from eventhub.registration.models import (
    QuestionKind,
    Registration,
    RegistrationQuestion,
    RegistrationStatus,
)
from eventhub.registration.services import window_problem
from eventhub.scheduling.models import PUBLIC_STATUSES, Series, Session, SessionStatus
from eventhub.timefmt import format_moment


def public_session_or_404(session_id: int, *, lock: bool = False) -> Session:
    """A public session; with `lock`, its seat lock is taken right away (one statement)."""
    if lock:
        try:
            found: Session | None = lock_session(session_id)
        except LookupError:
            found = None
    else:
        found = db.session.get(Session, session_id, options=[joinedload(Session.series)])
    if found is None or found.status not in PUBLIC_STATUSES or not found.series.is_published:
        abort(404)
    return found


@dataclass(frozen=True)
class Question:
    """A registration question as the sign-up checks it and the form shows it (not a model)."""

    id: int
    kind: QuestionKind
    label: str
    help_text: str
    choices: list[str]
    is_required: bool


@dataclass(frozen=True)
class SignupTarget:
    """What a sign-up needs before it takes the seat lock: whether the session takes public
    sign-ups at all, its series' language and zone (the defaults), and the questions."""

    session_id: int
    is_public: bool
    series_language: str | None
    series_timezone: str
    questions: tuple[Question, ...]


# Where the app keeps the public cache's content-version reader (eventhub.public.cache puts it
# there: the public pages depend on registration, not the other way round) and this process's
# sign-up targets read under a version.
CONTENT_VERSION = "eventhub.content_version"
_TARGETS = "eventhub.signup_targets"
_TARGETS_MAX = 1024


def signup_target(session_id: int) -> SignupTarget | None:
    """The session's sign-up target (the POST paths), or None for no such session.

    Every programme edit that could change it (the session, its series, their questions)
    replaces the public cache's content version, so a copy read under the current version is
    exact: a burst of sign-ups for one session reads it once per process and version, at the
    price of one Redis read instead of a PostgreSQL statement. The seat lock re-reads the
    session's status and window anyway (services.window_problem). Without a shared cache
    (tests' default, an outage) the target is read every time.
    """
    extensions = current_app.extensions
    reader = extensions.get(CONTENT_VERSION)
    version = reader() if reader is not None else None
    if version is None:
        return _read_signup_target(session_id)
    copies: dict[int, tuple[str, SignupTarget | None]] = extensions.setdefault(_TARGETS, {})
    copy = copies.get(session_id)
    if copy is not None and copy[0] == version:
        return copy[1]
    # Read after the version: an edit committed in between is in the row, and its new
    # version (set after its commit) makes this copy stale, never the other way round.
    found = _read_signup_target(session_id)
    if len(copies) >= _TARGETS_MAX:
        copies.clear()
    copies[session_id] = (version, found)
    return found


def _read_signup_target(session_id: int) -> SignupTarget | None:
    """One narrow statement: eleven plain columns, no model instances. The seat lock loads the
    session itself a moment later (fresh, under the lock), and building a Session, its Series
    and each question as model objects from rows of ~70 columns, only to read five of them,
    cost twice as much. A statement of its own when no transaction is open (no BEGIN, and the
    sign-up's statement after it can be its own too: database.execute_alone)."""
    rows = execute_alone(_signup_target_query(), {"session_id": session_id})
    if not rows:
        return None
    first = rows[0]
    return SignupTarget(
        session_id=first.session_id,
        is_public=first.status in PUBLIC_STATUSES and bool(first.is_published),
        series_language=first.default_language,
        series_timezone=first.timezone,
        questions=tuple(
            Question(
                id=row.question_id,
                kind=row.kind,
                label=row.label,
                help_text=row.help_text,
                choices=list(row.choices or ()),
                is_required=bool(row.is_required),
            )
            for row in rows
            if row.question_id is not None
        ),
    )


@cache
def _signup_target_query() -> Select[Any]:
    # Table columns, not mapped attributes: a Core statement skips the ORM's compile and
    # result layers (0.4 ms per call instead of 0.5; the model rows cost 0.8). Built once per
    # process and bound per call, like the seat lock's (locking._postgres_lock_query).
    session, series = Session.__table__.c, Series.__table__.c
    question = RegistrationQuestion.__table__.c
    return (
        select(
            session.id.label("session_id"),
            session.status,
            series.is_published,
            series.default_language,
            series.timezone,
            question.id.label("question_id"),
            question.kind,
            question.label,
            question.help_text,
            question.choices,
            question.is_required,
        )
        .select_from(
            Session.__table__.join(Series.__table__, series.id == session.series_id).outerjoin(
                RegistrationQuestion.__table__, question.series_id == session.series_id
            )
        )
        .where(session.id == bindparam("session_id", type_=Integer))
        .order_by(question.position, question.id)
    )


def public_signup_target_or_404(session_id: int) -> SignupTarget:
    found = signup_target(session_id)
    if found is None or not found.is_public:
        abort(404)
    return found


def session_and_questions(session_id: int) -> tuple[Session | None, list[RegistrationQuestion]]:
    """A session with its series and its series' questions, in one statement (the form page)."""
    rows = db.session.execute(_session_and_questions_query(), {"session_id": session_id}).all()
    if not rows:
        return None, []
    return rows[0][0], [question for _, question in rows if question is not None]


@cache
def _session_and_questions_query() -> Select[Session, RegistrationQuestion]:
    return (
        select(Session, RegistrationQuestion)
        .join(Session.series)
        .outerjoin(RegistrationQuestion, RegistrationQuestion.series_id == Session.series_id)
        .where(Session.id == bindparam("session_id", type_=Integer))
        .options(contains_eager(Session.series))
        .order_by(RegistrationQuestion.position, RegistrationQuestion.id)
    )


def public_session_and_questions_or_404(
    session_id: int,
) -> tuple[Session, list[RegistrationQuestion]]:
    found, questions = session_and_questions(session_id)
    if found is None or found.status not in PUBLIC_STATUSES or not found.series.is_published:
        abort(404)
    return found, questions


def public_series_or_404(slug: str) -> Series:
    series = db.session.scalar(select(Series).where(Series.slug == slug))
    if series is None or not series.is_published:
        abort(404)
    return series


def panel_for(
    session: Session,
    form: RegistrationForm | None = None,
    availability: Availability | None = None,
) -> dict[str, Any]:
    """Everything the inline form needs: availability, the action, a form with the questions.

    A page that already knows the availability passes it in; the questions are read either way
    so a page costs the same statements whether its session is open or not.
    """
    if availability is None:
        # The seat counters on the session row: no count of its registrations per page view.
        availability = availability_from_counters([session])[session.id]
    is_open = availability.action in (Action.REGISTER, Action.WAITLIST)
    if form is None:
        questions = questions_for(session.series_id)
        if is_open:
            form = registration_form(questions, formdata=None)
    return {
        "session": session,
        "availability": availability,
        "action": availability.action.value,
        "action_label": ACTION_LABELS[availability.action],
        "is_open": is_open,
        "form": form,
        "action_url": url_for("registration.register", session_id=session.id),
        "opens_at": session.registration_opens_at,
    }


def waitlist_position(registration: Registration) -> int | None:
    if registration.status is not RegistrationStatus.WAITLISTED or not registration.waitlisted_at:
        return None
    ahead = db.session.scalar(
        select(func.count()).where(
            Registration.session_id == registration.session_id,
            Registration.status == RegistrationStatus.WAITLISTED,
            (Registration.waitlisted_at < registration.waitlisted_at)
            | (
                (Registration.waitlisted_at == registration.waitlisted_at)
                & (Registration.id < registration.id)
            ),
        )
    )
    return int(ahead or 0) + 1


def switch_choices(registration: Registration) -> list[SelectChoice]:
    """Other upcoming sessions of the series the attendee could move to."""
    now = utcnow()
    sessions = db.session.scalars(
        select(Session)
        .where(
            Session.series_id == registration.session.series_id,
            Session.id != registration.session_id,
            Session.status == SessionStatus.PUBLISHED,
            Session.starts_at > now,
        )
        .order_by(Session.starts_at)
    )
    return [
        SelectChoice(
            s.id,  # SwitchForm coerces the posted value back to int
            _(
                "Webinar %(number)s: %(title)s — %(when)s",
                number=s.number,
                title=localised(s, "title"),
                when=format_moment(s.starts_at, registration.timezone),
            ),
        )
        for s in sessions
        if window_problem(s, now) is None
    ]
