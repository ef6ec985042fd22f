"""Engine behaviour that must hold on every connection of the application's own engines.

The listeners are attached to the engines Flask-SQLAlchemy builds for this app, never to the
`Engine` class: other engines in the same process (kombu's SQLAlchemy broker transport in the
embedded default) manage their own transactions, and a second `BEGIN` breaks them.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any
from weakref import WeakKeyDictionary

from flask import Flask, g, request
from sqlalchemy import Executable, event
from sqlalchemy.engine import Connection, Dialect, Engine, Row
from sqlalchemy.exc import InvalidatePoolError

from eventhub.extensions import db

# Execution option naming the SQLite BEGIN mode for one transaction (see begin_immediate()).
SQLITE_BEGIN_OPTION = "eventhub_sqlite_begin"
# Execution option: how long (ms) this transaction's BEGIN may wait for the write lock.
SQLITE_BUSY_OPTION = "eventhub_sqlite_busy_ms"
DEFAULT_BUSY_MS = 15000
# Set while a unit of work is expected to write (every Celery task): its SQLite transactions then
# take the write lock at BEGIN. A deferred transaction that read first cannot write once another
# process has committed since its read (WAL: SQLITE_BUSY at once, no busy wait), which failed the
# reminder sweep with "database is locked" whenever a registration landed meanwhile. The same
# holds for every web request that changes something (install_request_write_mode): an organiser
# publishing a recap while the worker committed a delivery got a 503.
_WRITES_EXPECTED: ContextVar[bool] = ContextVar("eventhub_sqlite_writes_expected", default=False)


@contextmanager
def writes_expected() -> Iterator[None]:
    """Within this block every new SQLite transaction begins IMMEDIATE (no-op elsewhere)."""
    token = _WRITES_EXPECTED.set(True)
    try:
        yield
    finally:
        _WRITES_EXPECTED.reset(token)


# Requests that only read; every other method is expected to write.
_READING_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_G_SLOT = "eventhub_writes_expected"


def install_request_write_mode(app: Flask) -> None:
    """Make the SQLite transactions of POST, PUT, PATCH and DELETE requests begin IMMEDIATE.

    Register it before any other `before_request` function, so that nothing opens the
    request's transaction before the mode is set. A no-op on PostgreSQL (see `_on_begin`).
    """

    @app.before_request
    def _expect_writes() -> None:
        if request.method not in _READING_METHODS:
            setattr(g, _G_SLOT, _WRITES_EXPECTED.set(True))

    @app.teardown_request
    def _writes_done(_error: BaseException | None) -> None:
        token = g.pop(_G_SLOT, None)
        if token is not None:
            _WRITES_EXPECTED.reset(token)


def install_engine_listeners(engine: Engine) -> None:
    """Give `engine` the SQLite pragmas and BEGIN modes below, and a server engine the ping of
    connections that sat idle in the pool; safe to call twice."""
    for name, listener in (("connect", _on_connect), ("begin", _on_begin)):
        if not event.contains(engine, name, listener):
            event.listen(engine, name, listener)
    if engine.dialect.name != "sqlite" and not getattr(engine.pool, "_pre_ping", False):
        pinger = _IDLE_PINGERS.setdefault(engine, _PingAfterIdle(engine.dialect))
        if not event.contains(engine, "checkin", pinger.checked_in):
            event.listen(engine, "checkin", pinger.checked_in)
            event.listen(engine, "checkout", pinger.checked_out)


# A pooled server connection unused for this long is pinged before anyone gets it: the server
# may have restarted, or a proxy closed it for idleness, meanwhile. SQLAlchemy's pool_pre_ping
# pinged at every checkout: a round trip and ~0.2 ms of CPU per request, paid in a burst of
# sign-ups on connections used a few milliseconds before. A connection the server dropped
# within this window fails its request once (503, "try again"), and SQLAlchemy then replaces
# every pooled connection older than the failure.
PING_AFTER_IDLE_SECONDS = 2.0
_CHECKED_IN_AT = "eventhub_checked_in_at"


class _PingAfterIdle:
    """The pool listeners of one engine: note when a connection comes back to the pool, and
    ping it on its way out if it has been there longer than PING_AFTER_IDLE_SECONDS."""

    def __init__(self, dialect: Dialect) -> None:
        self.dialect = dialect

    def checked_in(self, _dbapi_connection: Any, record: Any) -> None:
        record.info[_CHECKED_IN_AT] = time.monotonic()

    def checked_out(self, dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get(_CHECKED_IN_AT)
        if since is None or time.monotonic() - since < PING_AFTER_IDLE_SECONDS:
            return  # a new connection, or one used a moment ago
        try:
            self.dialect.do_ping(dbapi_connection)
        except Exception as exc:
            # The pool invalidates every connection as old as this one and checks out a new one.
            raise InvalidatePoolError() from exc


_IDLE_PINGERS: WeakKeyDictionary[Engine, _PingAfterIdle] = WeakKeyDictionary()


def _on_connect(dbapi_connection: Any, _record: Any) -> None:
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    # pysqlite's own transaction handling defers BEGIN and cannot do BEGIN IMMEDIATE; hand
    # BEGIN to SQLAlchemy instead (the documented pysqlite recipe).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={DEFAULT_BUSY_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.close()


def _on_begin(connection: Connection) -> None:
    if connection.dialect.name != "sqlite":
        return
    options = connection.get_execution_options()
    busy = int(options.get(SQLITE_BUSY_OPTION, DEFAULT_BUSY_MS))
    # The pooled connection remembers its timeout; only a change costs a statement.
    if connection.info.get(SQLITE_BUSY_OPTION, DEFAULT_BUSY_MS) != busy:
        connection.exec_driver_sql(f"PRAGMA busy_timeout={busy}")
        connection.info[SQLITE_BUSY_OPTION] = busy
    default = "IMMEDIATE" if _WRITES_EXPECTED.get() else "DEFERRED"
    mode = options.get(SQLITE_BEGIN_OPTION, default)
    connection.exec_driver_sql(f"BEGIN {mode}")


def begin_immediate_options(busy_timeout_ms: int | None = None) -> dict[str, str | int]:
    """Execution options that make a SQLite transaction take the write lock at BEGIN.

    `SELECT … FOR UPDATE` locks nothing on SQLite; a writer that must serialise (seat allocation,
    outbox claims) opens its transaction with these instead:
    ``db.session.connection(execution_options=begin_immediate_options())`` before any query.
    `busy_timeout_ms` bounds the wait for the lock (default: the connection's 15 s).
    """
    options: dict[str, str | int] = {SQLITE_BEGIN_OPTION: "IMMEDIATE"}
    if busy_timeout_ms is not None:
        options[SQLITE_BUSY_OPTION] = busy_timeout_ms
    return options


def execute_alone(statement: Executable, parameters: dict[str, Any]) -> Sequence[Row[Any]]:
    """Run one statement as a transaction of its own on a server database, and return its rows.

    PostgreSQL commits a statement sent outside a transaction when it ends, and releases its row
    locks then. So a write that is complete in one statement (the new sign-up: seat lock,
    registration, outbox row) holds its lock only while the server runs it, never during a
    round trip back to Python and a COMMIT; and no BEGIN or COMMIT is sent. When the request's
    ORM session is already in a transaction (or on SQLite, whose writers begin theirs with
    BEGIN IMMEDIATE), the statement is part of that transaction instead, as any other.
    """
    session = db.session
    bind = session.get_bind()
    if session().in_transaction() or bind.dialect.name == "sqlite" or not isinstance(bind, Engine):
        return session.connection().execute(statement, parameters).all()
    with bind.connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT")
        return connection.execute(statement, parameters).all()
