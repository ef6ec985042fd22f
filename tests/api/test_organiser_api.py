"""The organiser API contract: paths, bearer tokens, 201s, 422s naming each field."""

from __future__ import annotations

from datetime import UTC, datetime

from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select

from eventhub.accounts.services import find_user, revoke_api_tokens
from eventhub.extensions import db
from eventhub.mail.models import MessageKind, OutboxMessage
from eventhub.scheduling.models import Series, Session, SessionStatus
from tests.support.factories import Factories

SERIES = {
    "title": "Re-industrialization",
    "summary": "Four webinars.",
    "timezone": "Asia/Hong_Kong",
    "reminder_offsets_minutes": [1440, 60],
    "published": True,
}
SESSION = {
    "title": "AI reinvents industry",
    "starts_at": "2027-03-12T14:30:00+08:00",
    "duration_minutes": 90,
    "capacity": 100,
    "join_url": "https://meet.example.org/j/1",
}


def _series(client: FlaskClient, auth: dict[str, str]) -> str:
    response = client.post("/api/v1/series", json=SERIES, headers=auth)
    assert response.status_code == 201, response.get_json()
    return str(response.get_json()["slug"])


def _session(client: FlaskClient, auth: dict[str, str], **extra: object) -> int:
    slug = _series(client, auth)
    response = client.post(
        f"/api/v1/series/{slug}/sessions", json={**SESSION, **extra}, headers=auth
    )
    assert response.status_code == 201, response.get_json()
    return int(response.get_json()["id"])


def test_without_a_token_nothing_happens(client: FlaskClient) -> None:
    response = client.post("/api/v1/series", json=SERIES)
    assert response.status_code == 401
    assert response.is_json and "Bearer" in response.get_json()["message"]
    assert response.headers["WWW-Authenticate"].lower().startswith("bearer")
    bad = client.post("/api/v1/series", json={}, headers={"Authorization": "Bearer ehp_nope"})
    assert bad.status_code == 401
    assert db.session.scalars(select(Series)).first() is None


def test_revoked_token_is_refused(client: FlaskClient, auth: dict[str, str]) -> None:
    owner = find_user("integration@example.org")
    assert owner is not None
    revoke_api_tokens(owner)
    db.session.commit()
    assert client.post("/api/v1/series", json=SERIES, headers=auth).status_code == 401


def test_create_series_returns_its_slug(client: FlaskClient, auth: dict[str, str]) -> None:
    response = client.post("/api/v1/series", json=SERIES, headers=auth)
    assert response.status_code == 201
    body = response.get_json()
    assert body["slug"] == "re-industrialization" and body["published"] is True
    series = db.session.scalars(select(Series)).one()
    assert series.organiser is not None and series.organiser.email == "integration@example.org"


def test_422_names_each_bad_field(client: FlaskClient, auth: dict[str, str]) -> None:
    response = client.post(
        "/api/v1/series",
        json={"summary": 3, "timezone": "Asia/Hong_Kong", "colour": "red"},
        headers=auth,
    )
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert {"title", "summary", "colour"} <= set(errors)

    response = client.post(
        "/api/v1/series",
        json={**SERIES, "timezone": "Mars/Base", "reminder_offsets_minutes": [-5]},
        headers=auth,
    )
    assert response.status_code == 422
    assert set(response.get_json()["errors"]) == {"timezone", "reminder_offsets_minutes"}

    slug = _series(client, auth)
    response = client.post(
        f"/api/v1/series/{slug}/sessions",
        json={**SESSION, "starts_at": "2027-03-12T14:30:00", "capacity": -1},
        headers=auth,
    )
    assert response.status_code == 422
    assert "starts_at" in response.get_json()["errors"]
    response = client.post(
        f"/api/v1/series/{slug}/sessions",
        json={
            **SESSION,
            "capacity": -1,
            "duration_minutes": 0,
            "join_url": "ftp://x",
            "registration_closes_at": "2027-03-13T00:00:00+08:00",
        },
        headers=auth,
    )
    assert response.status_code == 422
    assert set(response.get_json()["errors"]) == {"capacity", "duration_minutes", "join_url"}
    response = client.post(
        f"/api/v1/series/{slug}/sessions",
        json={**SESSION, "registration_closes_at": "2027-03-13T00:00:00+08:00"},
        headers=auth,
    )
    assert set(response.get_json()["errors"]) == {"registration_closes_at"}


def test_create_session_returns_its_id(client: FlaskClient, auth: dict[str, str]) -> None:
    session_id = _session(client, auth)
    session = db.session.get(Session, session_id)
    assert session is not None
    assert session.starts_at == datetime(2027, 3, 12, 6, 30, tzinfo=UTC)
    assert session.status is SessionStatus.DRAFT
    assert session.timezone == "Asia/Hong_Kong"


def test_unknown_series_is_a_json_404(client: FlaskClient, auth: dict[str, str]) -> None:
    response = client.post("/api/v1/series/nope/sessions", json=SESSION, headers=auth)
    assert response.status_code == 404 and response.is_json


def test_publish_then_patch_time_is_a_reschedule(
    make: Factories, client: FlaskClient, auth: dict[str, str]
) -> None:
    session_id = _session(client, auth)
    published = client.post(f"/api/v1/sessions/{session_id}/publish", headers=auth)
    assert published.status_code == 200
    assert published.get_json()["status"] == "published"
    assert client.post(f"/api/v1/sessions/{session_id}/publish", headers=auth).status_code == 409
    session = db.session.get(Session, session_id)
    assert session is not None
    make.registration(session)
    db.session.commit()

    response = client.patch(
        f"/api/v1/sessions/{session_id}",
        json={"starts_at": "2027-03-19T14:30:00+08:00", "title": "AI, one week later"},
        headers=auth,
    )

    assert response.status_code == 200
    body = response.get_json()
    assert body["sequence"] == 1 and body["title"] == "AI, one week later"
    assert body["starts_at"] == "2027-03-19T14:30:00+08:00"
    rows = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == MessageKind.RESCHEDULED)
    ).all()
    assert len(rows) == 1


def test_patch_without_time_change_is_not_a_reschedule(
    client: FlaskClient, auth: dict[str, str]
) -> None:
    session_id = _session(client, auth)
    client.post(f"/api/v1/sessions/{session_id}/publish", headers=auth)
    response = client.patch(f"/api/v1/sessions/{session_id}", json={"capacity": None}, headers=auth)
    assert response.status_code == 200
    assert (response.get_json()["sequence"], response.get_json()["capacity"]) == (0, None)
    bad = client.patch(f"/api/v1/sessions/{session_id}", json={"capacity": -3}, headers=auth)
    assert bad.status_code == 422 and set(bad.get_json()["errors"]) == {"capacity"}


def test_cancel_needs_a_reason(client: FlaskClient, auth: dict[str, str]) -> None:
    session_id = _session(client, auth)
    missing = client.post(f"/api/v1/sessions/{session_id}/cancel", json={}, headers=auth)
    assert missing.status_code == 422 and "reason" in missing.get_json()["errors"]
    response = client.post(
        f"/api/v1/sessions/{session_id}/cancel", json={"reason": "Speaker ill."}, headers=auth
    )
    assert response.status_code == 200
    assert response.get_json()["status"] == "cancelled"
    again = client.post(
        f"/api/v1/sessions/{session_id}/cancel", json={"reason": "Again."}, headers=auth
    )
    assert again.status_code == 409 and again.is_json


def test_create_token_command_prints_a_working_token(
    client: FlaskClient, runner: FlaskCliRunner, make: Factories
) -> None:
    make.organiser(email="cli@example.org")
    db.session.commit()
    result = runner.invoke(args=["eventhub", "create-token", "cli@example.org", "--name", "x"])
    assert result.exit_code == 0
    token = result.output.strip()
    response = client.post(
        "/api/v1/series", json=SERIES, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 201


def test_organiser_token_reads_a_draft_with_its_join_link(
    client: FlaskClient, auth: dict[str, str]
) -> None:
    session_id = _session(client, auth)
    assert client.get(f"/api/v1/sessions/{session_id}").status_code == 404
    response = client.get(f"/api/v1/sessions/{session_id}", headers=auth)
    assert response.status_code == 200
    body = response.get_json()
    assert (body["status"], body["join_url"]) == ("draft", SESSION["join_url"])
    assert isinstance(body["warnings"], list)
    bad = client.get(f"/api/v1/sessions/{session_id}", headers={"Authorization": "Bearer x"})
    assert bad.status_code == 401
