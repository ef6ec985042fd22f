"""The seat lock: one writer at a time per session, on PostgreSQL and on SQLite."""

from __future__ import annotations

import time

from flask import current_app
from sqlalchemy import select, text
from sqlalchemy.exc import OperationalError

from eventhub.database import begin_immediate_options
from eventhub.errors import TryAgainLater
from eventhub.extensions import db
from eventhub.scheduling.models import Session

# How long the unprotected path waits after its capacity check (negative-control tests only).
UNLOCKED_PAUSE_SECONDS = 0.05


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def is_lock_disabled() -> bool:
    return bool(current_app.config.get("EVENTHUB_TESTING_DISABLE_SEAT_LOCK"))


def begin_writer() -> None:
    """Open this unit of work as a writer: on SQLite, BEGIN IMMEDIATE before any query.

    A `SELECT … FOR UPDATE` locks nothing on SQLite, and a deferred transaction that read first
    cannot safely upgrade later, so writers take the database write lock when they begin.
    """
    if _dialect() != "sqlite" or is_lock_disabled():
        return
    if db.session().in_transaction():
        # Only reads can have happened so far (loading the user, say); end them cleanly.
        db.session.commit()
    db.session.connection(execution_options=begin_immediate_options())


def lock_session(session_id: int) -> Session:
    """Load a session holding its seat lock for the rest of the transaction.

    PostgreSQL: a row lock with a lock timeout (503 "try again" instead of hanging).
    SQLite: the write lock taken by BEGIN IMMEDIATE (opened here if no transaction is open).
    """
    if is_lock_disabled():
        session = db.session.get(Session, session_id)
        if session is None:
            raise LookupError(session_id)
        return session
    if _dialect() == "sqlite":
        if not db.session().in_transaction():
            begin_writer()
        session = db.session.get(Session, session_id)
    else:
        timeout_ms = int(float(current_app.config["EVENTHUB_LOCK_TIMEOUT_SECONDS"]) * 1000)
        try:
            db.session.execute(text(f"SET LOCAL lock_timeout = {timeout_ms}"))
            session = db.session.scalar(
                select(Session)
                .where(Session.id == session_id)
                .with_for_update()
                .execution_options(populate_existing=True)
            )
        except OperationalError as exc:
            db.session.rollback()
            raise TryAgainLater() from exc
    if session is None:
        raise LookupError(session_id)
    return session


def pause_if_unlocked() -> None:
    """Widen the race window when the lock is switched off, so tests can see it bite."""
    if is_lock_disabled():
        time.sleep(UNLOCKED_PAUSE_SECONDS)


def is_lock_error(exc: OperationalError) -> bool:
    """SQLite 'database is locked' / PostgreSQL lock timeout or deadlock."""
    message = str(exc.orig).lower() if exc.orig is not None else str(exc).lower()
    code = getattr(exc.orig, "sqlstate", None)
    return "locked" in message or "busy" in message or code in {"55P03", "40P01", "40001"}
