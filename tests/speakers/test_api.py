"""The read API shows each speaker's name line parts, role and photo links, and nothing private."""

from __future__ import annotations

from flask.testing import FlaskClient

from eventhub.extensions import db
from eventhub.speakers import services
from eventhub.speakers.models import SpeakerRole
from tests.speakers import images_support as img
from tests.support.factories import Factories


def test_series_and_session_responses_carry_speaker_facts_and_photo(
    client: FlaskClient, make: Factories
) -> None:
    series = make.series(slug="reind")
    session = make.session(series, slug="w1")
    chai = make.speaker(
        full_name="Sunny Chai", honorific="Dr", position="Chairman", organisation="HKSTP"
    )
    chai.email = "private@example.org"
    services.set_photo(chai, img.jpeg_with_exif(), None)
    liu = make.speaker(full_name="Bobby Liu", honorific="Dr", organisation="HKYIC")
    make.link(session, chai)
    make.link(session, liu, SpeakerRole.MODERATOR)
    db.session.commit()

    for url in ("/api/v1/series/reind", f"/api/v1/sessions/{session.id}"):
        body = client.get(url).get_json()
        item = body["sessions"][0] if "sessions" in body else body
        first, second = item["speakers"]
        assert (first["honorific"], first["full_name"], first["name"]) == (
            "Dr",
            "Sunny Chai",
            "Dr Sunny Chai",
        )
        assert (first["position"], first["organisation"], first["role"]) == (
            "Chairman",
            "HKSTP",
            "speaker",
        )
        assert first["photo_url"] == f"http://eventhub.test/uploads/{chai.photo_path}"
        assert first["thumbnail_url"] == f"http://eventhub.test/uploads/{chai.thumbnail_path}"
        assert first["profile_url"] == f"http://eventhub.test/speakers/{chai.slug}"
        assert second["role"] == "moderator" and second["photo_url"] is None
        assert "private@example.org" not in str(body)
        assert (
            client.get(first["photo_url"].removeprefix("http://eventhub.test")).status_code == 200
        )


def test_openapi_documents_the_photo_url(client: FlaskClient) -> None:
    spec = client.get("/api/v1/openapi.json").get_json()
    speaker = spec["components"]["schemas"]["SpeakerOut"]["properties"]
    assert {"photo_url", "thumbnail_url", "profile_url", "role", "honorific"} <= set(speaker)
