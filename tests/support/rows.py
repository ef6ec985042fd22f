"""Reading a row again from the database, as a test does after the code under test changed it."""

from __future__ import annotations

from typing import TypeVar

from eventhub.extensions import db

Row = TypeVar("Row")


def fresh(row: Row) -> Row:
    """`row` reloaded from the database (its committed or flushed state, not what was read).

    A call rather than `db.session.refresh(row)` followed by attribute reads: after an
    `assert row.status is A`, a type checker takes `row.status` to stay `A`, and a later
    `assert row.status is B` would read as always false.
    """
    db.session.refresh(row)
    return row
