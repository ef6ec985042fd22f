"""The embedded default's plumbing: engine listeners, base URL, broker transport, favicon."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text

from eventhub import create_app
from eventhub.celery_app import celery_config
from eventhub.config import load
from eventhub.extensions import db
from tests.conftest import base_config


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
