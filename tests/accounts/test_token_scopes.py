"""API tokens with a scope and an expiry, made and revoked in the browser, used on the real API."""

from __future__ import annotations

import re
from datetime import timedelta

from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select

from eventhub import clock
from eventhub.accounts import services
from eventhub.accounts.models import ApiToken, TokenScope
from eventhub.activity.models import ActivityEntry
from eventhub.extensions import db
from eventhub.scheduling.models import Series
from tests.support.factories import Factories, LoginHelper

SERIES = {"title": "Scoped", "summary": "", "timezone": "Asia/Hong_Kong", "published": False}


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _series_count() -> int:
    db.session.expire_all()
    return len(db.session.scalars(select(Series)).all())


def test_a_read_token_reads_but_may_not_change(client: FlaskClient, make: Factories) -> None:
    user = make.organiser()
    series = make.series(slug="scoped")
    token = services.create_api_token(user, "reader", scope=TokenScope.READ)
    db.session.commit()
    assert client.get("/api/v1/series/scoped/activity", headers=_bearer(token)).status_code == 200
    before = _series_count()
    refused = client.post("/api/v1/series", json=SERIES, headers=_bearer(token))
    assert refused.status_code == 403
    assert "read" in refused.get_json()["message"]
    assert _series_count() == before
    # The same user with a write token may.
    writer = services.create_api_token(user, "writer", scope=TokenScope.WRITE)
    db.session.commit()
    assert client.post("/api/v1/series", json=SERIES, headers=_bearer(writer)).status_code == 201
    assert series.id is not None


def test_an_expired_token_gets_401(client: FlaskClient, make: Factories) -> None:
    user = make.organiser()
    make.series(slug="soon")
    token = services.create_api_token(
        user, "short", scope=TokenScope.READ, expires_at=clock.utcnow() + timedelta(days=1)
    )
    db.session.commit()
    assert client.get("/api/v1/series/soon/activity", headers=_bearer(token)).status_code == 200
    clock.move(timedelta(days=1, seconds=1))
    try:
        response = client.get("/api/v1/series/soon/activity", headers=_bearer(token))
    finally:
        clock.reset()
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].lower().startswith("bearer")


def test_an_expiry_in_the_past_is_refused(make: Factories) -> None:
    user = make.organiser()
    try:
        services.create_api_token(user, "x", expires_at=clock.utcnow() - timedelta(seconds=1))
    except services.AccountError as exc:
        assert "future" in str(exc)
    else:
        raise AssertionError("a token that expired already was created")


def _created_token(html: str) -> str:
    match = re.search(r'<code id="new-token"[^>]*>([^<]+)</code>', html)
    assert match, html[:2000]
    return match.group(1)


def test_the_tokens_page_creates_lists_and_revokes(
    client: FlaskClient, login: LoginHelper, make: Factories
) -> None:
    user = make.organiser(email="me@example.org")
    make.series(slug="mine")
    login(user)
    page = client.post(
        "/organiser/account/tokens",
        data={"name": "export script", "scope": "read", "expires": "30"},
    )
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    token = _created_token(page.get_data(as_text=True))
    row = db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)).one()
    assert row.scope == "read" and row.name == "export script"
    assert row.expires_at is not None
    assert abs(row.expires_at - (clock.utcnow() + timedelta(days=30))) < timedelta(minutes=1)
    assert token not in row.token_hash

    # It works on the API, and the listing shows its last use but never the value again.
    assert client.get("/api/v1/series/mine/activity", headers=_bearer(token)).status_code == 200
    listing = client.get("/organiser/account/tokens").get_data(as_text=True)
    assert "export script" in listing and token not in listing
    db.session.expire_all()
    assert row.last_used_at is not None

    revoked = client.post(f"/organiser/account/tokens/{row.id}/revoke")
    assert revoked.status_code == 302
    assert client.get("/api/v1/series/mine/activity", headers=_bearer(token)).status_code == 401
    actions = db.session.scalars(
        select(ActivityEntry.action).where(ActivityEntry.actor_id == user.id)
    ).all()
    assert actions == ["security.create_token", "security.revoke_token"]
    entries = db.session.scalars(select(ActivityEntry)).all()
    assert all(token not in str(entry.changes) for entry in entries)


def test_a_token_on_a_date_expires_at_the_end_of_that_day(
    client: FlaskClient, login: LoginHelper, make: Factories
) -> None:
    user = make.organiser()
    login(user)
    page = client.post(
        "/organiser/account/tokens",
        data={"name": "dated", "scope": "write", "expires": "date", "expires_on": "2099-03-01"},
    )
    assert page.status_code == 200
    row = db.session.scalars(select(ApiToken)).one()
    # The end of 1 March in Hong Kong (UTC+8) is 16:00 UTC that day.
    assert row.expires_at is not None
    assert row.expires_at.isoformat() == "2099-03-01T16:00:00+00:00"
    assert row.scope == "write"


def test_a_date_is_needed_and_must_be_ahead(
    client: FlaskClient, login: LoginHelper, make: Factories
) -> None:
    login(make.organiser())
    missing = client.post(
        "/organiser/account/tokens", data={"name": "x", "scope": "read", "expires": "date"}
    )
    assert "Choose the date" in missing.get_data(as_text=True)
    past = client.post(
        "/organiser/account/tokens",
        data={"name": "x", "scope": "read", "expires": "date", "expires_on": "2001-01-01"},
    )
    assert "must be in the future" in past.get_data(as_text=True)
    assert db.session.scalars(select(ApiToken)).first() is None


def test_nobody_revokes_another_persons_token(
    client: FlaskClient, login: LoginHelper, make: Factories
) -> None:
    theirs = make.organiser(email="them@example.org")
    token = services.create_api_token(theirs, "theirs")
    row = db.session.scalars(select(ApiToken)).one()
    login(make.organiser(email="me@example.org"))
    assert client.post(f"/organiser/account/tokens/{row.id}/revoke").status_code == 404
    page = client.get("/organiser/account/tokens").get_data(as_text=True)
    assert "theirs" not in page
    assert services.user_for_token(token) == theirs


def test_cli_tokens_take_a_scope_and_an_expiry(runner: FlaskCliRunner, make: Factories) -> None:
    make.organiser(email="cli@example.org")
    db.session.commit()
    args = ["eventhub", "create-token", "cli@example.org", "--name", "nightly"]
    plain = runner.invoke(args=args)
    scoped = runner.invoke(args=[*args, "--scope", "read", "--expires-days", "30"])
    assert plain.exit_code == 0 and scoped.exit_code == 0, plain.output + scoped.output
    rows = db.session.scalars(select(ApiToken).order_by(ApiToken.id)).all()
    assert [(r.scope, r.expires_at is None) for r in rows] == [("write", True), ("read", False)]
    revoked = runner.invoke(args=["eventhub", "revoke-tokens", "cli@example.org"])
    assert revoked.exit_code == 0
    actions = db.session.scalars(select(ActivityEntry.action).order_by(ActivityEntry.id)).all()
    assert actions == ["cli.create_token", "cli.create_token", "cli.revoke_tokens"]
