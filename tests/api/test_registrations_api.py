"""GET /api/v1/sessions/<id>/registrations: the organiser's registrant list, page by page."""

from __future__ import annotations

from datetime import datetime

from flask.testing import FlaskClient

from eventhub.extensions import db
from eventhub.registration.models import RegistrationStatus
from tests.support.factories import Factories

FIELDS = {"id", "name", "email", "organisation", "status", "attended", "registered_at", "answers"}


def test_every_registrant_once_across_pages(
    client: FlaskClient, make: Factories, auth: dict[str, str]
) -> None:
    session = make.session()
    ada = make.registration(
        session, "ada@example.org", name="陳大文", organisation="PolyU", answers={"7": "Yes"}
    )
    ada.is_attended = True
    for n in range(4):
        make.registration(session, f"p{n}@example.org", status=RegistrationStatus.WAITLISTED)
    make.registration(make.session(), "elsewhere@example.org")
    db.session.commit()

    url = f"/api/v1/sessions/{session.id}/registrations"
    seen: list[dict] = []
    cursor = None
    pages = 0
    while True:
        response = client.get(
            url,
            query_string={"limit": 2, "cursor": cursor} if cursor else {"limit": 2},
            headers=auth,
        )
        assert response.status_code == 200
        body = response.get_json()
        assert set(body) == {"items", "next"}
        seen.extend(body["items"])
        pages += 1
        cursor = body["next"]
        if cursor is None:
            break
    assert pages == 3 and len(seen) == 5
    assert len({item["id"] for item in seen}) == 5
    first = seen[0]
    assert set(first) == FIELDS
    assert first["name"] == "陳大文" and first["organisation"] == "PolyU"
    assert (first["status"], first["attended"], first["answers"]) == (
        "confirmed",
        True,
        {"7": "Yes"},
    )
    assert datetime.fromisoformat(first["registered_at"]).utcoffset() is not None
    assert {item["status"] for item in seen[1:]} == {"waitlisted"}
    assert "elsewhere@example.org" not in {item["email"] for item in seen}


def test_needs_an_organiser_token_and_a_real_cursor(
    client: FlaskClient, make: Factories, auth: dict[str, str]
) -> None:
    session = make.session()
    db.session.commit()
    url = f"/api/v1/sessions/{session.id}/registrations"
    assert client.get(url).status_code == 401
    assert client.get(url, headers={"Authorization": "Bearer nope"}).status_code == 401
    for bad in ("!!!", "eyJhZnRlciI6IngifQ", "e30", "9" * 5000):
        response = client.get(url, query_string={"cursor": bad}, headers=auth)
        assert response.status_code == 422, bad
    assert client.get(url, query_string={"limit": 0}, headers=auth).status_code == 422
    assert client.get(url, query_string={"limit": 10**9}, headers=auth).status_code == 422
    assert client.get("/api/v1/sessions/999999/registrations", headers=auth).status_code == 404
    # The public POST on the same path still works without a token.
    assert client.post(url, json={}).status_code in (404, 422)


def test_in_the_openapi_document(client: FlaskClient) -> None:
    spec = client.get("/api/v1/openapi.json").get_json()
    path = spec["paths"]["/api/v1/sessions/{session_id}/registrations"]
    assert {"get", "post"} <= set(path)
    assert path["get"]["security"] == [{"bearerAuth": []}]
    params = {p["name"] for p in path["get"]["parameters"]}
    assert {"cursor", "limit"} <= params
    page = spec["components"]["schemas"]["RegistrationsPage"]["properties"]
    assert set(page) == {"items", "next"}
    assert set(spec["components"]["schemas"]["RegistrantOut"]["properties"]) == FIELDS
