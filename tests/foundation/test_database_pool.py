"""Pooled PostgreSQL connections are pinged only after sitting idle, and a dead one is replaced."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text

from eventhub import database
from eventhub.extensions import db
from tests.support.factories import Factories

pytestmark = pytest.mark.postgres


def _count_pings(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    pings: list[Any] = []
    dialect = db.engine.dialect
    ping = dialect.do_ping

    def spy(dbapi_connection: Any) -> bool:
        pings.append(dbapi_connection)
        return ping(dbapi_connection)

    monkeypatch.setattr(dialect, "do_ping", spy)
    return pings


def _get(client: FlaskClient, url: str) -> int:
    # As a request of its own app context would: its session gives the connection back.
    status = client.get(url).status_code
    db.session.remove()
    return status


def _page(make: Factories) -> str:
    session = make.session()
    db.session.commit()
    url = f"/api/v1/sessions/{session.id}"
    db.session.remove()
    return url


def test_a_connection_used_a_moment_ago_is_not_pinged(
    client: FlaskClient, make: Factories, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = _page(make)
    pings = _count_pings(monkeypatch)
    # Every request checks a connection out of the pool and back in (pool_pre_ping: a
    # SELECT 1 round trip before each of them).
    assert [_get(client, url) for _ in range(5)] == [200] * 5
    assert pings == []


def test_an_idle_connection_is_pinged_and_a_dead_one_replaced(
    app: Flask, client: FlaskClient, make: Factories, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = _page(make)
    assert _get(client, url) == 200
    pings = _count_pings(monkeypatch)
    monkeypatch.setattr(database, "PING_AFTER_IDLE_SECONDS", 0.0)
    # The server drops every pooled connection (a restart, a proxy's idle timeout).
    killer = create_engine(app.config["SQLALCHEMY_DATABASE_URI"], poolclass=None)
    others = "FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
    with killer.connect() as connection:
        # pg_terminate_backend(…, timeout): wait until each one is gone.
        killed = connection.execute(
            text(f"SELECT count(*) FILTER (WHERE pg_terminate_backend(pid, 5000)) {others}")
        ).scalar()
    killer.dispose()
    assert killed
    assert _get(client, url) == 200
    assert len(pings) == 1
