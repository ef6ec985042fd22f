"""The activity log: who did what, before → after, newest first, only for members."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select

from eventhub.accounts.models import User
from eventhub.accounts.services import create_api_token
from eventhub.activity.models import ActivityEntry
from eventhub.extensions import db
from eventhub.teams.models import MemberRole
from tests.support.factories import Factories, LoginHelper


def _bearer(user: User) -> dict[str, str]:
    token = create_api_token(user, "test")
    db.session.commit()
    return {"Authorization": f"Bearer {token}"}


def _patch(client: FlaskClient, session_id: int, auth: dict[str, str], **body: Any) -> None:
    response = client.patch(f"/api/v1/sessions/{session_id}", json=body, headers=auth)
    assert response.status_code == 200, response.get_json()


def test_edits_are_logged_with_before_and_after_newest_first(
    client: FlaskClient, make: Factories
) -> None:
    series = make.series(slug="logged")
    session = make.session(series, title="Old title", capacity=50)
    editor = make.member(series, MemberRole.EDITOR, email="ed@example.org")
    auth = _bearer(editor)
    _patch(client, session.id, auth, title="New title")
    _patch(client, session.id, auth, capacity=80)
    # A refused change leaves no entry.
    refused = client.patch(f"/api/v1/sessions/{session.id}", json={"capacity": -1}, headers=auth)
    assert refused.status_code == 422

    body = client.get("/api/v1/series/logged/activity", headers=auth).get_json()
    items = body["items"]
    assert [i["action"] for i in items] == [
        "api_organiser.update_session",
        "api_organiser.update_session",
    ]
    newest, oldest = items
    assert newest["actor"] == "ed@example.org"
    assert newest["changes"][f"Session {session.id} capacity"] == [50, 80]
    assert oldest["changes"][f"Session {session.id} title"] == ["Old title", "New title"]
    assert oldest["target"] == "Session 1: Old title" or "Session 1" in oldest["target"]
    assert newest["at"] >= oldest["at"]
    assert body["next"] is None


def test_paging_filters_and_members_only(
    client: FlaskClient, make: Factories, login: LoginHelper
) -> None:
    series = make.series(slug="paged", title="Paged Series")
    session = make.session(series, capacity=10)
    owner = make.member(series, MemberRole.OWNER, email="own@example.org")
    viewer = make.member(series, MemberRole.VIEWER, email="view@example.org")
    stranger = make.organiser(is_admin=False)
    auth = _bearer(owner)
    for capacity in (11, 12, 13):
        _patch(client, session.id, auth, capacity=capacity)
    added = client.post(
        "/api/v1/series/paged/members",
        json={"email": "new@example.org", "role": "viewer"},
        headers=auth,
    )
    assert added.status_code == 201

    url = "/api/v1/series/paged/activity"
    first = client.get(f"{url}?limit=2", headers=_bearer(viewer)).get_json()
    assert first["items"][0]["action"] == "api_teams.add_member"
    assert len(first["items"]) == 2 and first["next"]
    rest = client.get(f"{url}?limit=2&cursor={first['next']}", headers=auth).get_json()
    assert len(rest["items"]) == 2 and rest["next"] is None
    only = client.get(f"{url}?action=update_session", headers=auth).get_json()["items"]
    assert len(only) == 3
    assert client.get(f"{url}?cursor=forged", headers=auth).status_code == 422
    assert client.get(url, headers=_bearer(stranger)).status_code == 404

    login(viewer)
    page = client.get(f"/organiser/series/{series.id}/activity?actor=own@example.org")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert text.count("api_organiser.update_session") >= 3
    assert "12 → 13" in text


def test_browser_edits_and_exports_are_logged(
    client: FlaskClient, make: Factories, login: LoginHelper
) -> None:
    series = make.series(title="Browser Logged")
    session = make.session(series)
    make.registration(session, email="someone@example.org")
    owner = make.member(series, MemberRole.OWNER, email="boss@example.org")
    login(owner)
    exported = client.get(f"/organiser/registrations/sessions/{session.id}/export.csv")
    assert exported.status_code == 200
    assert "someone@example.org" in exported.get_data(as_text=True)
    entries = list(db.session.scalars(select(ActivityEntry)))
    assert [(e.action, e.actor_email, e.series_id) for e in entries] == [
        ("registration_admin.session_export", "boss@example.org", series.id)
    ]


def test_an_attendees_registration_is_not_an_organiser_action(
    client: FlaskClient, make: Factories
) -> None:
    """The public registration API is in the access table (as public); it wrote an activity
    entry inside the seat lock's transaction (11 statements instead of 5)."""
    session = make.session()
    db.session.commit()
    response = client.post(
        f"/api/v1/sessions/{session.id}/registrations",
        json={"name": "Ann Lee", "email": "ann@example.org", "consent": True},
    )
    assert response.status_code == 201
    assert db.session.scalars(select(ActivityEntry)).all() == []
