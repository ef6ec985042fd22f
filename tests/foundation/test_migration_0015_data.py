"""Migration 0015 on a database holding a token made by the CLI before scopes and expiry: the
token keeps working, as a `write` token that never expires, and nobody has a second factor."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import text

from eventhub import create_app
from eventhub.accounts import services
from eventhub.extensions import db
from tests.conftest import base_config
from tests.support.services import postgres_database

BEFORE = "0014_bilingual"
OLD_TOKEN = "ehp_made-by-the-cli-before-scopes-existed"
T0 = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


def _old_rows() -> None:
    db.session.execute(
        text(
            "INSERT INTO users (id, email, display_name, password_hash, role, is_enabled, "
            "created_at, updated_at) VALUES (7, 'cli@example.org', 'CLI', NULL, 'organiser', "
            ":yes, :at, :at)"
        ),
        {"yes": True, "at": T0},
    )
    db.session.execute(
        text(
            "INSERT INTO api_tokens (id, user_id, name, token_hash, created_at, updated_at) "
            "VALUES (1, 7, 'nightly', :hash, :at, :at)"
        ),
        {"hash": hashlib.sha256(OLD_TOKEN.encode()).hexdigest(), "at": T0},
    )
    db.session.commit()


def _check(app: Flask) -> None:
    with app.app_context():
        upgrade(revision=BEFORE)
        _old_rows()
        upgrade()
        row = services.api_token(OLD_TOKEN)
        assert row is not None and row.user.email == "cli@example.org"
        assert (row.scope, row.expires_at) == ("write", None)
        assert not row.user.has_second_factor and row.user.totp_secret is None
        db.session.remove()
        db.engine.dispose()


def test_an_old_cli_token_survives_on_sqlite(tmp_path: Path) -> None:
    _check(create_app(base_config(tmp_path / "instance", f"sqlite:///{tmp_path / 'old.sqlite'}")))


@pytest.fixture
def empty_postgres() -> Iterator[str]:
    with postgres_database() as url:
        yield url


@pytest.mark.postgres
def test_an_old_cli_token_survives_on_postgres(tmp_path: Path, empty_postgres: str) -> None:
    _check(create_app(base_config(tmp_path / "instance", empty_postgres)))
