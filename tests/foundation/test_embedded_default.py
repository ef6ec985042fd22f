"""The embedded default's plumbing: engine listeners, base URL, broker transport, favicon."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text

from eventhub import create_app
from eventhub.celery_app import celery_config
from eventhub.config import load
from eventhub.extensions import db
from tests.conftest import base_config


@pytest.fixture
def sqlite_only(database_url: str) -> None:
    """These tests are about SQLite's own behaviour (the --db=postgres run skips them)."""
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite only")


@pytest.mark.usefixtures("sqlite_only")
def test_engine_listeners_touch_only_the_apps_engine(app: Flask, tmp_path: Path) -> None:
    """kombu's broker engine (or any other) keeps SQLite's own transaction handling: a second
    BEGIN from eventhub's listener broke the embedded worker ("cannot start a transaction
    within a transaction")."""
    with db.engine.connect() as connection:
        raw: Any = connection.connection.dbapi_connection
        assert isinstance(raw, sqlite3.Connection)
        assert raw.isolation_level is None  # BEGIN is eventhub's, via the listener
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"

    other = create_engine(f"sqlite:///{tmp_path / 'other.sqlite'}")
    try:
        with other.connect() as connection:
            raw = connection.connection.dbapi_connection
            assert raw.isolation_level == ""  # pysqlite's default, untouched
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "delete"
            # Under pysqlite's own BEGIN, an explicit one fails only if a listener added another.
            connection.execute(text("CREATE TABLE t (x INTEGER)"))
            connection.execute(text("INSERT INTO t VALUES (1)"))
            connection.commit()
    finally:
        other.dispose()


def test_kombu_sqlalchemy_transport_works_beside_the_app(app: Flask, tmp_path: Path) -> None:
    """A put and a get through the embedded broker after the app's engine is configured."""
    from kombu import Connection

    url = f"sqlite:///{tmp_path / 'broker.sqlite'}"
    with Connection(url, transport="eventhub.embedded_broker:Transport") as connection:
        queue = connection.SimpleQueue("eventhub-test")
        queue.put({"hello": "world"})
        assert queue.get(timeout=5).payload == {"hello": "world"}
        queue.close()
        assert connection.transport.polling_interval == 0.2


def test_embedded_broker_url_uses_the_faster_polling_transport(tmp_path: Path) -> None:
    app = create_app(base_config(tmp_path, f"sqlite:///{tmp_path / 'db.sqlite'}"))
    app.config["CELERY_BROKER_URL"] = f"sqla+sqlite:///{tmp_path / 'broker.sqlite'}"
    config = celery_config(app)
    assert config["broker_url"] == f"sqlite:///{tmp_path / 'broker.sqlite'}"
    assert config["broker_transport"] == "eventhub.embedded_broker:Transport"
    assert config["worker_enable_remote_control"] is False


def test_base_url_follows_the_served_port(tmp_path: Path) -> None:
    environ = {"EVENTHUB_INSTANCE_PATH": str(tmp_path), "EVENTHUB_PORT": "5123"}
    assert load(None, environ)["EVENTHUB_BASE_URL"] == "http://127.0.0.1:5123"
    assert load(None, {"EVENTHUB_INSTANCE_PATH": str(tmp_path)})["EVENTHUB_BASE_URL"] == (
        "http://127.0.0.1:5000"
    )
    explicit = dict(environ, EVENTHUB_BASE_URL="https://events.example.org")
    assert load(None, explicit)["EVENTHUB_BASE_URL"] == "https://events.example.org"


def test_favicon_answers(client: FlaskClient) -> None:
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response.mimetype in {"image/vnd.microsoft.icon", "image/x-icon"}
    assert response.data[:4] == b"\x00\x00\x01\x00"  # the ICO header


def _commit_elsewhere(database_url: str) -> None:
    """Another process's write, committed: a registration landing, say."""
    other = create_engine(database_url, connect_args={"timeout": 0.2})
    try:
        with other.begin() as connection:
            connection.execute(text("INSERT INTO scratch (n) VALUES (1)"))
    finally:
        other.dispose()


def _scratch_table() -> None:
    db.session.execute(text("CREATE TABLE scratch (n INTEGER)"))
    db.session.commit()


def _read_then_write(database_url: str) -> None:
    db.session.execute(text("SELECT count(*) FROM scratch")).scalar()
    _commit_elsewhere(database_url)
    db.session.execute(text("INSERT INTO scratch (n) VALUES (2)"))
    db.session.commit()


@pytest.mark.usefixtures("sqlite_only")
def test_a_task_that_reads_then_writes_survives_a_commit_in_between(
    app: Flask, database_url: str
) -> None:
    """The reminder sweep read sessions, a registration committed, the sweep's insert failed at
    once with "database is locked" (a WAL snapshot cannot be upgraded). Tasks now take the write
    lock at BEGIN: the other writer waits (here: gives up after 0.2 s) instead."""
    from sqlalchemy.exc import OperationalError

    _scratch_table()
    celery_app = app.extensions["celery"]

    @celery_app.task(name="eventhub.tests.read_then_write")
    def read_then_write() -> str:
        db.session.execute(text("SELECT count(*) FROM scratch")).scalar()
        try:
            _commit_elsewhere(database_url)
        except OperationalError:
            outcome = "the other writer waited for this task"
        else:
            outcome = "the other writer committed in between"
        db.session.execute(text("INSERT INTO scratch (n) VALUES (2)"))
        db.session.commit()
        return outcome

    assert read_then_write.apply().get() == "the other writer waited for this task"


@pytest.mark.usefixtures("sqlite_only")
def test_without_the_write_lock_the_same_work_fails(app: Flask, database_url: str) -> None:
    """The negative control: SQLite's behaviour the fix works around."""
    from sqlalchemy.exc import OperationalError

    _scratch_table()
    try:
        _read_then_write(database_url)
    except OperationalError as error:
        assert "database is locked" in str(error)
    else:
        raise AssertionError("a deferred read upgraded to a write after another commit")
    finally:
        db.session.rollback()


def _read_then_write_in_a_request(app: Flask, method: str, database_url: str) -> str:
    """What an organiser's request does (read, then write) with a commit landing in between."""
    from sqlalchemy.exc import OperationalError

    with app.test_request_context("/organiser/", method=method):
        app.preprocess_request()
        try:
            db.session.execute(text("SELECT count(*) FROM scratch")).scalar()
            try:
                _commit_elsewhere(database_url)
            except OperationalError:
                outcome = "the other writer waited for this request"
            else:
                outcome = "the other writer committed in between"
            db.session.execute(text("INSERT INTO scratch (n) VALUES (2)"))
            db.session.commit()
            return outcome
        finally:
            db.session.rollback()
            app.do_teardown_request()


@pytest.mark.usefixtures("sqlite_only")
def test_a_request_that_changes_something_takes_the_write_lock_first(
    app: Flask, database_url: str
) -> None:
    """Publishing a recap while the worker committed a delivery answered 503 ("database is
    locked"), seen by the launcher test: POST, PUT, PATCH and DELETE requests now begin their
    SQLite transactions IMMEDIATE; reading requests stay DEFERRED (readers never wait)."""
    from sqlalchemy.exc import OperationalError

    _scratch_table()
    for method in ("POST", "PUT", "PATCH", "DELETE"):
        assert (
            _read_then_write_in_a_request(app, method, database_url)
            == "the other writer waited for this request"
        )
    with pytest.raises(OperationalError, match="database is locked"):
        _read_then_write_in_a_request(app, "GET", database_url)  # the mode is per request
