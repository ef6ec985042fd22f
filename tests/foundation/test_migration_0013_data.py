"""Migration 0013's data step, on a database built at 0004 with rows as the old schema had them.

Before 0013 a series had one `organiser_id` and no account was an admin. Upgrading must make
each series' organiser its owner (a series without one gets no member) and make the oldest
*enabled* organiser the installation admin — not a disabled one, not a speaker. On SQLite the
first version of this test found every organiser_id set NULL (so no owners) and the users'
API tokens deleted: batch mode's DROP of the old users table ran the foreign keys' ON DELETE
actions (fixed in migrations/env.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import text

from eventhub import create_app
from eventhub.extensions import db
from tests.conftest import base_config
from tests.support.services import postgres_database

BEFORE = "0004_outbox_render"
TARGET = "0013_memberships"
T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def _old_rows() -> None:
    """Users and series written through the 0004 schema's columns only."""
    users = [
        # (id, email, role, is_enabled): the oldest organiser is disabled; a speaker is older
        # than every organiser but not one.
        (1, "speaker@example.org", "speaker", True),
        (2, "gone@example.org", "organiser", False),
        (3, "first@example.org", "organiser", True),
        (4, "second@example.org", "organiser", True),
    ]
    for n, (uid, email, role, enabled) in enumerate(users):
        db.session.execute(
            text(
                "INSERT INTO users (id, email, display_name, password_hash, role, is_enabled, "
                "created_at, updated_at) VALUES (:id, :email, :name, NULL, :role, :enabled, "
                ":at, :at)"
            ),
            {
                "id": uid,
                "email": email,
                "name": email.split("@")[0],
                "role": role,
                "enabled": enabled,
                "at": T0 + timedelta(days=n),
            },
        )
    series = [(10, "a", 3), (11, "b", 4), (12, "c", 2), (13, "orphan", None)]
    for sid, slug, organiser in series:
        db.session.execute(
            text(
                "INSERT INTO series (id, slug, title, summary, timezone, "
                "reminder_offsets_minutes, follow_up_delay_minutes, privacy_statement, "
                "is_published, organiser_id, created_at, updated_at) VALUES (:id, :slug, "
                ":title, '', 'Asia/Hong_Kong', '[1440]', 120, '', :published, :organiser, "
                ":at, :at)"
            ),
            {
                "id": sid,
                "slug": slug,
                "title": slug.title(),
                "published": True,
                "organiser": organiser,
                "at": T0 + timedelta(days=sid),
            },
        )
    # Rows that refer to users by a CASCADE key must survive the users table being rebuilt.
    db.session.execute(
        text(
            "INSERT INTO api_tokens (id, user_id, name, token_hash, created_at, updated_at) "
            "VALUES (1, 3, 'cli', :hash, :at, :at)"
        ),
        {"hash": "0" * 64, "at": T0},
    )
    db.session.commit()


def _upgraded(app: Flask) -> tuple[list[tuple[int, int, str]], list[int], int]:
    with app.app_context():
        upgrade(revision=BEFORE)
        _old_rows()
        upgrade(revision=TARGET)
        memberships = [
            (int(s), int(u), str(r))
            for s, u, r in db.session.execute(
                text("SELECT series_id, user_id, role FROM series_memberships ORDER BY series_id")
            )
        ]
        admins = [
            int(uid) for (uid,) in db.session.execute(text("SELECT id FROM users WHERE is_admin"))
        ]
        tokens = db.session.execute(text("SELECT COUNT(*) FROM api_tokens")).scalar_one()
        version = db.session.execute(text("SELECT version_num FROM alembic_version")).scalar()
        db.session.remove()
        db.engine.dispose()
    assert version == TARGET
    return memberships, admins, int(tokens)


EXPECTED_MEMBERSHIPS = [(10, 3, "owner"), (11, 4, "owner"), (12, 2, "owner")]


def test_the_data_step_on_sqlite(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    app = create_app(base_config(tmp_path / "instance", url))
    memberships, admins, tokens = _upgraded(app)
    assert memberships == EXPECTED_MEMBERSHIPS
    assert admins == [3]
    assert tokens == 1


@pytest.fixture
def empty_postgres() -> Iterator[str]:
    with postgres_database() as url:
        yield url


@pytest.mark.postgres
def test_the_data_step_on_postgres(tmp_path: Path, empty_postgres: str) -> None:
    app = create_app(base_config(tmp_path / "instance", empty_postgres))
    memberships, admins, tokens = _upgraded(app)
    assert memberships == EXPECTED_MEMBERSHIPS
    assert admins == [3]
    assert tokens == 1
