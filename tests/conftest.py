"""Fixtures: a fresh app per test on SQLite (always) or PostgreSQL, and the real services.

The schema is built once per run with the Alembic migrations, then every test gets its own
copy (SQLite) or an emptied database (PostgreSQL). Tests that need PostgreSQL, Redis, an SMTP
server or a Celery worker ask for those fixtures; they skip with a reason when a service is
missing, and fail under CI=true.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import text

from eventhub import clock, create_app
from eventhub.extensions import db
from tests.support import factories
from tests.support.services import postgres_database, redis_database
from tests.support.smtp import SmtpServer, smtp_server
from tests.support.worker import WorkerProcess, celery_worker


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--db",
        choices=("sqlite", "postgres"),
        default="sqlite",
        help="database for the default tier (tests marked postgres always use PostgreSQL)",
    )


def base_config(instance: Path, database_url: str, **extra: Any) -> dict[str, Any]:
    config: dict[str, Any] = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "EVENTHUB_INSTANCE_PATH": str(instance),
        "SQLALCHEMY_DATABASE_URI": database_url,
        # No broker process is needed for the default tier: messages stay in this process.
        "CELERY_BROKER_URL": "memory://",
        "MAIL_SERVER": None,
        "EVENTHUB_BASE_URL": "http://eventhub.test",
        "RATELIMIT_ENABLED": False,
        # Forms are posted directly; tests/accounts/test_csrf.py runs with protection on.
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_STORAGE_URI": "memory://",
    }
    config.update(extra)
    return config


def migrate_schema(app: Flask) -> None:
    from flask_migrate import upgrade

    with app.app_context():
        upgrade()
        db.engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite database file that each test copies."""
    folder = tmp_path_factory.mktemp("sqlite-template")
    path = folder / "template.sqlite"
    migrate_schema(create_app(base_config(folder, f"sqlite:///{path}")))
    return path


@pytest.fixture(scope="session")
def pg_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """This run's own PostgreSQL database, migrated once, dropped at the end."""
    with postgres_database() as url:
        migrate_schema(create_app(base_config(tmp_path_factory.mktemp("pg"), url)))
        yield url


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    with redis_database() as url:
        yield url


def _empty_postgres(app: Flask) -> None:
    with app.app_context():
        db.session.remove()
        tables = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
        with db.engine.begin() as connection:
            connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        db.engine.dispose()


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    wants_postgres = (
        request.node.get_closest_marker("postgres") is not None
        or request.config.getoption("--db") == "postgres"
    )
    if wants_postgres:
        yield request.getfixturevalue("pg_url")
    else:
        path = tmp_path / "eventhub.sqlite"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"


@pytest.fixture
def app_config(tmp_path: Path, database_url: str) -> dict[str, Any]:
    """The configuration `app` is built from; a test may adjust it before asking for `app`."""
    return base_config(tmp_path / "instance", database_url)


@pytest.fixture
def app(app_config: dict[str, Any]) -> Iterator[Flask]:
    application = create_app(app_config)
    with application.app_context():
        yield application
        db.session.remove()
    if application.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        _empty_postgres(application)
    else:
        with application.app_context():
            db.engine.dispose()
    clock.reset()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


@pytest.fixture
def make(app: Flask) -> factories.Factories:
    """Factory functions for domain rows: make.series(), make.session(series), …"""
    return factories.Factories()


@pytest.fixture
def login(client: FlaskClient) -> factories.LoginHelper:
    return factories.LoginHelper(client)


@pytest.fixture(scope="session")
def smtp() -> Iterator[SmtpServer]:
    with smtp_server() as server:
        yield server


@pytest.fixture(scope="session")
def stack_settings(
    pg_url: str, redis_url: str, smtp: SmtpServer, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, str]:
    """Environment for processes of the full stack: PostgreSQL, Redis broker, loopback SMTP."""
    return {
        "DATABASE_URL": pg_url,
        "CELERY_BROKER_URL": redis_url,
        "REDIS_URL": redis_url,
        "MAIL_SERVER": smtp.host,
        "MAIL_PORT": str(smtp.port),
        "SECRET_KEY": "test-secret-key",
        "EVENTHUB_BASE_URL": "http://eventhub.test",
        "EVENTHUB_INSTANCE_PATH": str(tmp_path_factory.mktemp("stack-instance")),
    }


@pytest.fixture(scope="session")
def worker(
    stack_settings: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[WorkerProcess]:
    """One real Celery worker for the run, on Redis, PostgreSQL and the loopback SMTP server."""
    log = tmp_path_factory.mktemp("worker") / "worker.log"
    with celery_worker(stack_settings, log) as process:
        yield process


@pytest.fixture
def stack_app(stack_settings: dict[str, str], smtp: SmtpServer, tmp_path: Path) -> Iterator[Flask]:
    """An app configured like the worker (PostgreSQL, Redis, SMTP); emptied after the test."""
    config = base_config(
        Path(stack_settings["EVENTHUB_INSTANCE_PATH"]),
        stack_settings["DATABASE_URL"],
        CELERY_BROKER_URL=stack_settings["CELERY_BROKER_URL"],
        REDIS_URL=stack_settings["REDIS_URL"],
        MAIL_SERVER=smtp.host,
        MAIL_PORT=smtp.port,
    )
    smtp.clear()
    application = create_app(config)
    with application.app_context():
        yield application
        db.session.remove()
    _empty_postgres(application)
    clock.reset()
