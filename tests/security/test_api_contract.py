"""Finding 15: the API answers what its OpenAPI document says, and refuses what it refuses."""

from __future__ import annotations

from flask.testing import FlaskClient

from eventhub.accounts.services import create_api_token
from eventhub.extensions import db
from tests.support.factories import Factories


def _auth(make: Factories) -> tuple[dict[str, str], int, str]:
    organiser = make.organiser()
    series = make.series(organiser_id=organiser.id)
    session = make.session(series)
    token = create_api_token(organiser)
    db.session.commit()
    return {"Authorization": f"Bearer {token}"}, session.id, series.slug


def test_booleans_are_json_booleans_only(client: FlaskClient, make: Factories) -> None:
    auth, session_id, _ = _auth(make)
    for value in (0, 1, "true", "yes"):
        series = client.post(
            "/api/v1/series", json={"title": "T", "published": value}, headers=auth
        )
        assert series.status_code == 422, value
        assert "published" in series.get_json()["errors"]
        registration = client.post(
            f"/api/v1/sessions/{session_id}/registrations",
            json={"name": "A", "email": "a@example.org", "consent": value},
        )
        assert registration.status_code == 422, value


def test_patch_without_a_change_is_refused(client: FlaskClient, make: Factories) -> None:
    auth, session_id, _ = _auth(make)
    assert client.patch(f"/api/v1/sessions/{session_id}", json={}, headers=auth).status_code == 422
    empty = client.patch(f"/api/v1/sessions/{session_id}", headers=auth)
    assert empty.status_code == 422


def test_errors_are_always_an_object(client: FlaskClient, make: Factories) -> None:
    auth, _, _ = _auth(make)
    for body in ([], [1, 2], "text", 5):
        response = client.post("/api/v1/series", json=body, headers=auth)
        assert response.status_code == 422
        assert isinstance(response.get_json()["errors"], dict), body


def test_the_organiser_form_of_a_session_is_documented(
    client: FlaskClient, make: Factories
) -> None:
    auth, session_id, _ = _auth(make)
    document = client.get("/api/v1/openapi.json").get_json()
    get = document["paths"]["/api/v1/sessions/{session_id}"]["get"]
    schema = get["responses"]["200"]["content"]["application/json"]["schema"]
    documented = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    answer = client.get(f"/api/v1/sessions/{session_id}", headers=auth).get_json()
    assert set(answer) <= set(documented["properties"])
    assert {"join_url", "warnings"} <= set(answer)
