"""The Alembic migrations and the models describe the same schema, on both databases."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask

from eventhub.extensions import db


def _differences(app: Flask) -> list[object]:
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, db.metadata))


def test_migrations_match_models_on_sqlite(app: Flask) -> None:
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("the --db=postgres run covers PostgreSQL below")
    assert _differences(app) == []


@pytest.mark.postgres
def test_migrations_match_models_on_postgres(app: Flask) -> None:
    assert app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql")
    assert _differences(app) == []


def test_every_timestamp_column_is_timezone_aware() -> None:
    from sqlalchemy import DateTime

    naive = [
        f"{table.name}.{column.name}"
        for table in db.metadata.tables.values()
        for column in table.columns
        if isinstance(column.type, DateTime) and not column.type.timezone
    ]
    assert naive == []
