"""Retention: EVENTHUB_RETENTION_DAYS after a series' last session, its registrants are erased."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from eventhub import clock
from eventhub.celery_app import BEAT_SCHEDULE
from eventhub.extensions import db
from eventhub.privacy.tasks import apply_retention_task
from eventhub.registration.models import Registration
from eventhub.scheduling.models import Session
from tests.privacy.support import build, everything, figures, traces
from tests.support.factories import Factories, LoginHelper


def _people_by_series() -> dict[int, int]:
    db.session.commit()  # a fresh read: a task may have committed in its own session
    return dict(
        db.session.execute(
            select(Session.series_id, func.count())
            .join(Registration, Registration.session_id == Session.id)
            .where(~Registration.email.like("%@erased.invalid"))
            .group_by(Session.series_id)
        ).all()
    )


def test_the_sweep_is_in_beat_schedule() -> None:
    assert BEAT_SCHEDULE["apply-retention"]["task"] == "eventhub.privacy.apply_retention"


def test_finished_series_are_erased_once_the_days_pass_and_twice_is_harmless(
    app: Flask, client: FlaskClient, make: Factories, login: LoginHelper
) -> None:
    world = build(make, client, login)
    # Series B goes on: another session a month after series A's sessions.
    make.session(world.series_b, starts_at=world.elsewhere.starts_at + timedelta(days=30))
    db.session.commit()
    app.config["EVENTHUB_RETENTION_DAYS"] = 10
    before = figures()
    # Series A ends a week from now (its sessions start in 7 days and last an hour).
    clock.move(timedelta(days=7 + 10 - 1))
    assert apply_retention_task() == 0
    assert _people_by_series() == {world.series_a.id: 3, world.series_b.id: 1}

    clock.move(timedelta(days=1, hours=2))
    assert apply_retention_task() == 3  # the person twice and the other person, in series A
    assert _people_by_series() == {world.series_b.id: 1}
    assert figures() == before
    # Nothing of series A's registrants is left (the person is still held by series B).
    assert not [t for t in traces(("other@example.org",))]
    assert client.get(f"/manage/{world.token}").status_code == 404

    snapshot = everything()
    assert apply_retention_task() == 0
    assert everything() == snapshot

    clock.move(timedelta(days=30))
    assert apply_retention_task() == 1
    assert traces() == []  # series B is over too: the person is gone everywhere


def test_unset_keeps_everything(
    app: Flask, client: FlaskClient, make: Factories, login: LoginHelper
) -> None:
    build(make, client, login)
    assert app.config["EVENTHUB_RETENTION_DAYS"] is None
    snapshot: dict[str, Any] = everything()
    clock.move(timedelta(days=3650))
    assert apply_retention_task() == 0
    assert everything() == snapshot
