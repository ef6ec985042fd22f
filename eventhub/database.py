"""Engine behaviour that must hold on every connection, whatever created it."""

from __future__ import annotations

import sqlite3
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

# Execution option naming the SQLite BEGIN mode for one transaction (see begin_immediate()).
SQLITE_BEGIN_OPTION = "eventhub_sqlite_begin"


@event.listens_for(Engine, "connect")
def _on_connect(dbapi_connection: Any, _record: Any) -> None:
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    # pysqlite's own transaction handling defers BEGIN and cannot do BEGIN IMMEDIATE; hand
    # BEGIN to SQLAlchemy instead (the documented pysqlite recipe).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.close()


@event.listens_for(Engine, "begin")
def _on_begin(connection: Connection) -> None:
    if connection.dialect.name != "sqlite":
        return
    mode = connection.get_execution_options().get(SQLITE_BEGIN_OPTION, "DEFERRED")
    connection.exec_driver_sql(f"BEGIN {mode}")


def begin_immediate_options() -> dict[str, str]:
    """Execution options that make a SQLite transaction take the write lock at BEGIN.

    `SELECT … FOR UPDATE` locks nothing on SQLite; a writer that must serialise (seat allocation,
    outbox claims) opens its transaction with these instead:
    ``db.session.connection(execution_options=begin_immediate_options())`` before any query.
    """
    return {SQLITE_BEGIN_OPTION: "IMMEDIATE"}
