"""The public read API: published series, one series, one session; JSON errors."""

from __future__ import annotations

from datetime import UTC, datetime

from flask.testing import FlaskClient

from eventhub.extensions import db
from eventhub.scheduling.models import SessionStatus
from eventhub.speakers.models import SpeakerRole
from tests.support.factories import Factories


def test_list_published_series(client: FlaskClient, make: Factories) -> None:
    make.series(slug="open", title="Open")
    make.series(slug="hidden", is_published=False)
    db.session.commit()
    body = client.get("/api/v1/series").get_json()
    assert [s["slug"] for s in body["series"]] == ["open"]
    assert body["series"][0]["calendar_url"] == "http://eventhub.test/series/open/calendar.ics"


def test_series_with_sessions_and_speakers(client: FlaskClient, make: Factories) -> None:
    series = make.series(slug="s", timezone="Asia/Hong_Kong")
    session = make.session(
        series, slug="w1", starts_at=datetime(2027, 3, 12, 6, 30, tzinfo=UTC), capacity=3
    )
    make.session(series, slug="draft", status=SessionStatus.DRAFT)
    make.link(session, make.speaker(full_name="Bobby Lui", honorific="Dr"), SpeakerRole.MODERATOR)
    make.registration(session)
    db.session.commit()

    body = client.get("/api/v1/series/s").get_json()

    (item,) = body["sessions"]
    assert item["starts_at"] == "2027-03-12T14:30:00+08:00"
    assert item["starts_at_utc"] == "2027-03-12T06:30:00+00:00"
    assert (item["seats_left"], item["action"], item["status"]) == (2, "register", "published")
    assert item["speakers"][0]["name"] == "Dr Bobby Lui"
    assert item["speakers"][0]["role"] == "moderator"
    assert "join_url" not in item
    assert item["url"].endswith("/series/s/w1")


def test_one_session_and_json_404s(client: FlaskClient, make: Factories) -> None:
    session = make.session(make.series(slug="s"), slug="w1")
    draft = make.session(session.series, slug="d", status=SessionStatus.DRAFT)
    db.session.commit()
    assert client.get(f"/api/v1/sessions/{session.id}").get_json()["slug"] == "w1"
    for url in (f"/api/v1/sessions/{draft.id}", "/api/v1/series/nope", "/api/v1/sessions/999"):
        response = client.get(url)
        assert response.status_code == 404
        assert response.is_json and response.get_json()["message"]


def test_openapi_document_lists_every_path(client: FlaskClient) -> None:
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    paths = spec["paths"]
    expected = {
        "/api/v1/series": {"get", "post"},
        "/api/v1/series/{slug}": {"get"},
        "/api/v1/series/{slug}/sessions": {"post"},
        "/api/v1/sessions/{session_id}": {"get", "patch"},
        "/api/v1/sessions/{session_id}/publish": {"post"},
        "/api/v1/sessions/{session_id}/cancel": {"post"},
    }
    for path, methods in expected.items():
        assert methods <= set(paths[path]), path
    assert paths["/api/v1/series"]["post"]["security"] == [{"bearerAuth": []}]
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert "422" in paths["/api/v1/series/{slug}/sessions"]["post"]["responses"]


def test_openapi_documents_the_token_refusal(client: FlaskClient) -> None:
    spec = client.get("/api/v1/openapi.json").get_json()
    assert "401" in spec["paths"]["/api/v1/sessions/{session_id}"]["patch"]["responses"]
    assert "401" not in spec["paths"]["/api/v1/sessions/{session_id}"]["get"]["responses"]
