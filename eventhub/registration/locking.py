"""The seat lock: one writer at a time per session, on PostgreSQL and on SQLite."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any, Protocol, TypeVar, cast

from flask import current_app
from sqlalchemy import (
    Integer,
    Select,
    String,
    Table,
    bindparam,
    func,
    inspect,
    literal_column,
    select,
    true,
)
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import joinedload, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from eventhub.database import begin_immediate_options, execute_alone
from eventhub.errors import TryAgainLater
from eventhub.extensions import db
from eventhub.registration.models import Registration
from eventhub.registration.queries import of_session_and_email
from eventhub.scheduling.models import Series, Session, SessionStatus
from eventhub.speakers.models import SessionSpeaker
from eventhub.transaction import at_transaction_end

# Session ids whose seat lock this ORM session's current transaction already holds.
_HELD = "eventhub.seat_locks"


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def begin_writer() -> None:
    """Open this unit of work as a writer: on SQLite, BEGIN IMMEDIATE before any query.

    A `SELECT … FOR UPDATE` locks nothing on SQLite, and a deferred transaction that read first
    cannot safely upgrade later, so writers take the database write lock when they begin.
    """
    if _dialect() != "sqlite":
        return
    if db.session().in_transaction():
        # Only reads can have happened so far (loading the user, say); end them cleanly.
        db.session.commit()
    timeout_ms = int(float(current_app.config["EVENTHUB_LOCK_TIMEOUT_SECONDS"]) * 1000)
    try:
        db.session.connection(execution_options=begin_immediate_options(timeout_ms))
    except OperationalError as exc:
        # Another writer held the database past the lock timeout: "try again", not a hang.
        db.session.rollback()
        raise TryAgainLater() from exc


# What every seat decision and its email read: loaded with the lock, in the same statement.
_WITH_DETAILS = (
    joinedload(Session.series, innerjoin=True),
    joinedload(Session.speaker_links).joinedload(SessionSpeaker.speaker),
)


def lock_session(session_id: int) -> Session:
    """Load a session (with series and speakers) holding its seat lock until the transaction ends.

    PostgreSQL: a row lock with a lock timeout (503 "try again" instead of hanging).
    SQLite: the write lock taken by BEGIN IMMEDIATE (opened here if no transaction is open).
    Taking it again in the same transaction costs nothing.
    """
    held: set[int] = db.session.info.setdefault(_HELD, set())
    if session_id in held:
        session = db.session.get(Session, session_id)
    elif _dialect() == "sqlite":
        if not db.session().in_transaction():
            begin_writer()
        # Re-read under the write lock, speakers included (one statement, not two lazy loads).
        session = db.session.get(Session, session_id, options=_WITH_DETAILS, populate_existing=True)
    else:
        session = _lock_postgres(session_id)
    if session is None:
        raise LookupError(session_id)
    _hold(session_id)
    return session


def _lock_postgres(session_id: int) -> Session | None:
    try:
        statement = _postgres_lock_query()
        return db.session.scalars(statement, _lock_parameters(session_id)).unique().first()
    except OperationalError as exc:
        db.session.rollback()
        raise TryAgainLater() from exc


@cache
def _postgres_lock_query() -> Select[Any]:
    """The PostgreSQL lock statement, built once per process: every request reuses the object
    (and its memoised cache key), binding only the session id and the lock timeout."""
    # set_config(…, is_local) in the FROM list: the lock timeout is in force before the row
    # lock is requested, without a separate SET LOCAL round trip.
    setting = func.set_config("lock_timeout", bindparam("lock_timeout", type_=String), True)
    timeout = select(setting.label("t")).subquery()
    return (
        select(Session)
        .join(timeout, true())
        .where(Session.id == bindparam("session_id", type_=Integer))
        .options(*_WITH_DETAILS)
        .with_for_update(of=Session)
        .execution_options(populate_existing=True)
    )


@cache
def _postgres_signup_query() -> Select[Any]:
    """The lock statement with the email's registration id: built once, like the lock's."""
    return _postgres_lock_query().add_columns(_email_registration())


def _email_registration() -> Any:
    return (
        select(Registration.id)
        .where(
            *of_session_and_email(
                bindparam("session_id", type_=Integer), bindparam("email", type_=String)
            )
        )
        .scalar_subquery()
    )


def _lock_parameters(session_id: int) -> dict[str, Any]:
    timeout_ms = int(float(current_app.config["EVENTHUB_LOCK_TIMEOUT_SECONDS"]) * 1000)
    return {"session_id": session_id, "lock_timeout": str(timeout_ms)}


class WrittenWithLock(Protocol):
    """A write made by the seat lock's own statement (signup_rows.Newcomer): one round trip."""

    def statement(self, lock: Select[Any]) -> Select[Any]:
        """The statement locking (`lock`, the decision query) and writing; its rows carry the
        decision query's columns."""
        ...

    @property
    def parameters(self) -> dict[str, Any]: ...


@dataclass(frozen=True)
class SignupLock:
    # Facts on PostgreSQL's first lock of a transaction, else the ORM object.
    session: Session | SessionFacts
    # The id of the registration this email already has for the session, if any.
    registration_id: int | None
    # True when this call read the session row under the lock, so its seat counters are current;
    # False when the transaction already held the lock (its own changes since then moved the
    # counters in the database, not in memory).
    is_fresh: bool
    # The lock statement's row when it also made the write it was given (PostgreSQL's first
    # lock of a transaction); None when no write was attempted.
    written: Any = None


def lock_for_signup(
    session_id: int, email: str, write: WrittenWithLock | None = None
) -> SignupLock:
    """The seat lock, the session's seat counters and the email's registration: one statement.

    On PostgreSQL `SELECT … FOR UPDATE` returns the newest version of the locked row (the
    previous holder's committed counters), but a subquery in it reads the snapshot taken before
    the wait: a registration of the same email committed by the previous holder is missed, and
    the insert then fails on the (session, email) unique constraint — the callers retry once,
    and the retry sees it.

    `write`, if given, is made by the same statement where it can be (see `SignupLock.written`).
    """
    held: set[int] = db.session.info.setdefault(_HELD, set())
    if session_id in held:
        session = db.session.get(Session, session_id)
        if session is None:
            raise LookupError(session_id)
        return SignupLock(session, _registration_id(session_id, email), is_fresh=False)
    try:
        if _dialect() == "sqlite":
            row = _sqlite_signup_row(session_id, email)
        else:
            if write is not None and not db.session().in_transaction():
                alone = _postgres_signup_alone(session_id, email, write)
                if alone is not None:
                    return alone
            row = _postgres_signup_row(session_id, email, write)
    except OperationalError as exc:
        if _dialect() == "sqlite":
            raise
        db.session.rollback()
        raise TryAgainLater() from exc
    if row is None:
        raise LookupError(session_id)
    _hold(session_id)
    return SignupLock(row[0], row[1], is_fresh=True, written=row[2] if len(row) > 2 else None)


def _postgres_signup_alone(
    session_id: int, email: str, write: WrittenWithLock
) -> SignupLock | None:
    """The lock and `write` as a transaction of their own (database.execute_alone), when the
    request has none open: the seat lock is released by the server as the statement commits.

    None when the statement wrote nothing (a repeat, a closed window, no such session): its
    lock is gone with it, so the caller takes the lock again in the request's transaction and
    decides there, as before (a second round trip for those rare cases only).
    """
    parameters = {**_lock_parameters(session_id), "email": email, **write.parameters}
    rows = execute_alone(write.statement(_postgres_signup_lock_query()), parameters)
    if not rows or rows[0].new_id is None:
        return None
    row = rows[0]
    return SignupLock(_facts(session_id, row), None, is_fresh=True, written=row)


def _postgres_signup_row(session_id: int, email: str, write: WrittenWithLock | None) -> Any:
    parameters = {**_lock_parameters(session_id), "email": email}
    known = db.session.identity_map.get(identity_key(Session, session_id))
    if known is not None and inspect(known).modified:
        return db.session.execute(_postgres_signup_query(), parameters).unique().first()
    # Lock the row and read only what a seat decision reads (psycopg and the ORM pay for every
    # column of a result: the whole session, its series and its line-up cost ~1 ms a sign-up),
    # as plain values: a new sign-up needs no ORM object of the session (see SessionFacts).
    if write is None:
        row = db.session.connection().execute(_postgres_signup_decision_query(), parameters).first()
        return None if row is None else (_facts(session_id, row), row.registration_id, None)
    parameters.update(write.parameters)
    statement = write.statement(_postgres_signup_lock_query())
    row = db.session.connection().execute(statement, parameters).first()
    if row is None:
        return None
    # The write found the email's registration by its unique index (ON CONFLICT); a rare case
    # (a repeat, a revival, a closed window) reads its id now, under the lock.
    mine = None if row.new_id is not None else _registration_id(session_id, email)
    return _facts(session_id, row), mine, row


def _facts(session_id: int, row: Any) -> SessionFacts:
    decision = {name: getattr(row, name) for name in DECISION_COLUMNS}
    return SessionFacts(id=session_id, series=SeriesFacts(row.series_is_published), **decision)


@dataclass(frozen=True, slots=True)
class SeriesFacts:
    is_published: bool


@dataclass(frozen=True, slots=True)
class SessionFacts:
    """A session's seat-decision columns as read under the seat lock (PostgreSQL), for
    `services.register`: the window, the seats, approval, and what the outbox row names.

    Values, not ORM objects: making a session and its series persistent-as-loaded cost a
    sign-up ~0.2 ms of CPU (and the commit expiring them more), and a new sign-up reads
    nothing else of them. Paths that need the objects (a repeat, the ORM's flush) call
    `loaded_session`, which makes them as the lock query would have (no extra statement).
    """

    id: int
    series_id: int
    status: SessionStatus
    starts_at: datetime
    duration_minutes: int
    registration_opens_at: datetime | None
    registration_closes_at: datetime | None
    capacity: int | None
    requires_approval: bool
    seat_offer_hours: int | None
    seats_held: int
    waitlisted_count: int
    series: SeriesFacts

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.duration_minutes)


def loaded_session(session: Session | SessionFacts) -> Session:
    """The ORM session (its series attached) for `session`; facts become the objects the ORM
    session already holds, those columns refreshed, or objects made from them whose other
    columns load if anything reads them."""
    if isinstance(session, Session):
        return session
    values = {name: getattr(session, name) for name in DECISION_COLUMNS}
    orm = _as_loaded(Session, session.id, values)
    series = _as_loaded(Series, session.series_id, {"is_published": session.series.is_published})
    # The identity map holds objects weakly: the session's reference keeps the series.
    set_committed_value(orm, "series", series)
    return orm


Loaded = TypeVar("Loaded", Session, Series)


def _as_loaded(model: type[Loaded], id_: int, values: dict[str, Any]) -> Loaded:
    """The object with this id in the ORM session, `values` as freshly read from the database;
    made (persistent, every other column expired) if the session has not loaded it yet."""
    found: Loaded | None = db.session.identity_map.get(identity_key(model, id_))
    if found is None:
        found = model()
        found.id = id_
        for name, value in values.items():
            setattr(found, name, value)
        # As if loaded by a query: no history, the columns not given expired.
        make_transient_to_detached(found)
        db.session.add(found)
        return found
    for name, value in values.items():
        set_committed_value(found, name, value)
    return found


# What a newcomer's place is decided on (services.register: the window, the seats, approval)
# and what their outbox row names.
DECISION_COLUMNS = (
    "series_id",
    "status",
    "starts_at",
    "duration_minutes",
    "registration_opens_at",
    "registration_closes_at",
    "capacity",
    "requires_approval",
    "seat_offer_hours",
    "seats_held",
    "waitlisted_count",
)


@cache
def _postgres_signup_lock_query() -> Select[Any]:
    """The seat lock with only the decision's columns (the lock a newcomer's statement makes).

    Table columns, not mapped attributes: a plain Core statement, run on the connection, skips
    the ORM's statement and result layers."""
    # Constants written into the statement, not bound: psycopg caches the conversion of a
    # statement's placeholders only up to 50 parameters (see signup_rows.Newcomer).
    setting = func.set_config(
        literal_column("'lock_timeout'"),
        bindparam("lock_timeout", type_=String),
        literal_column("true"),
    )
    timeout = select(setting.label("t")).subquery()
    sessions = cast(Table, Session.__table__)
    series = cast(Table, Series.__table__)
    return (
        select(
            *(sessions.c[name] for name in DECISION_COLUMNS),
            series.c.is_published.label("series_is_published"),
        )
        .select_from(sessions)
        .join(series, series.c.id == sessions.c.series_id)
        .join(timeout, true())
        .where(sessions.c.id == bindparam("session_id", type_=Integer))
        .with_for_update(of=sessions)
    )


@cache
def _postgres_signup_decision_query() -> Select[Any]:
    """The seat lock with the decision's columns and the email's registration id."""
    return _postgres_signup_lock_query().add_columns(_email_registration().label("registration_id"))


def _sqlite_signup_row(session_id: int, email: str) -> Any:
    if not db.session().in_transaction():
        begin_writer()
    mine = select(Registration.id).where(*of_session_and_email(session_id, email))
    query = (
        select(Session, mine.scalar_subquery())
        .where(Session.id == session_id)
        .options(*_WITH_DETAILS)
        .execution_options(populate_existing=True)
    )
    return db.session.execute(query).unique().first()


def _registration_id(session_id: int, email: str) -> int | None:
    return db.session.scalar(
        select(Registration.id).where(*of_session_and_email(session_id, email))
    )


def _hold(session_id: int) -> None:
    """Remember, until this transaction ends, that it holds the session's seat lock."""
    db.session.info.setdefault(_HELD, set()).add(session_id)
    at_transaction_end(_forget_locks, key=_HELD)


def _forget_locks() -> None:
    # The transaction that held them ended: its row locks (or SQLite's write lock) are gone.
    db.session.info.pop(_HELD, None)
