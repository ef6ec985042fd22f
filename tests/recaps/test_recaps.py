"""Recaps: the organiser writes, previews and publishes; the public reads the "Read more" page."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from PIL import Image
from sqlalchemy import select

from eventhub.clock import utcnow
from eventhub.extensions import db
from eventhub.recaps.models import Recap, RecapPhoto, RecapSection
from eventhub.recaps.queries import published_recap_session_ids
from eventhub.scheduling.models import Series, Session
from eventhub.speakers.models import SpeakerProfile, SpeakerRole
from tests.support.factories import Factories, LoginHelper


def _programme(
    make: Factories,
) -> tuple[Series, Session, Session, SpeakerProfile, SpeakerProfile]:
    series = make.series(title="Re-industrialization", slug="reindustrialization")
    first = make.session(
        series=series,
        starts_at=(utcnow() - timedelta(days=2)).replace(microsecond=0),
        title="Opportunities and challenges",
        slug="opportunities",
    )
    second = make.session(series=series, title="How does AI reinvent industrialization?", slug="ai")
    man = make.speaker(honorific="Prof", full_name="Man Hau-chung", organisation="PolyU")
    lui = make.speaker(honorific="Dr", full_name="Bobby Lui", position="President")
    make.link(first, man)
    make.link(first, lui, role=SpeakerRole.MODERATOR)
    db.session.commit()
    return series, first, second, man, lui


def test_write_preview_publish_and_read(
    client: FlaskClient, make: Factories, login: LoginHelper
) -> None:
    series, first, second, man, lui = _programme(make)
    login(make.organiser())
    base = f"/organiser/recaps/sessions/{first.id}"
    public = f"/series/{series.slug}/{first.slug}/recap"

    assert client.get(base).status_code == 200
    response = client.post(
        base,
        data={
            "headline": "Re-industrialization means innovating every process",
            "lead": "Government, industry and academia shared their insights.",
            "body_markdown": "All agreed: *innovation and technology*.<script>alert(1)</script>",
            "recording_url": "https://video.example.org/w1",
            "slides_url": "",
        },
    )
    assert response.status_code == 302
    client.post(
        f"{base}/sections",
        data={"speaker_id": str(man.id), "heading": "", "body": "University is **key**."},
    )
    client.post(f"{base}/sections", data={"speaker_id": str(lui.id), "body": "Made-in-HK."})
    client.post(
        f"{base}/quotes",
        data={"speaker_id": str(man.id), "text": "“University is a key stakeholder.”"},
    )
    assert client.get(public).status_code == 404  # a draft is not public
    preview = client.get(f"{base}/preview").get_data(as_text=True)
    assert "Preview." in preview and "Prof Man Hau-chung" in preview

    assert client.post(f"{base}/publish").status_code == 302
    assert published_recap_session_ids([first.id, second.id]) == {first.id}

    client.get("/logout")
    page = client.get(public).get_data(as_text=True)
    assert "Re-industrialization means innovating every process" in page
    assert "Government, industry and academia" in page
    assert "<strong>key</strong>" in page and "<script>alert(1)" not in page
    assert "University is a key stakeholder." in page and "“University" in page
    assert "Moderator" in page and "Dr Bobby Lui" in page
    assert "Watch the recording" in page
    assert "More in this series" in page and "How does AI reinvent" in page
    assert "Read more" in page and "Register" in page
    # Sections in the order written: the dean first, then the moderator.
    assert page.index("Prof Man Hau-chung") < page.index("Dr Bobby Lui")


def test_sections_reorder_and_refuse_a_speaker_from_elsewhere(
    client: FlaskClient, make: Factories, login: LoginHelper
) -> None:
    _series, first, _second, man, lui = _programme(make)
    stranger = make.speaker(full_name="Not On This Panel")
    login(make.organiser())
    base = f"/organiser/recaps/sessions/{first.id}"
    client.post(base, data={"headline": "Recap"})
    client.post(f"{base}/sections", data={"speaker_id": str(man.id), "body": "One"})
    client.post(f"{base}/sections", data={"speaker_id": str(lui.id), "body": "Two"})
    refused = client.post(
        f"{base}/sections",
        data={"speaker_id": str(stranger.id), "body": "Three"},
        follow_redirects=True,
    )
    assert refused.status_code == 200  # the choice is not offered: the form refuses it
    sections = list(db.session.scalars(select(RecapSection).order_by(RecapSection.position)))
    assert [s.body_markdown for s in sections] == ["One", "Two"]
    client.post(f"{base}/sections/{sections[1].id}/move", data={"direction": "up"})
    db.session.expire_all()
    ordered = list(db.session.scalars(select(RecapSection).order_by(RecapSection.position)))
    assert [s.body_markdown for s in ordered] == ["Two", "One"]
    client.post(f"{base}/sections/{ordered[0].id}/delete")
    assert db.session.scalar(select(RecapSection.body_markdown)) == "One"


def test_cannot_publish_before_the_session_or_without_content(
    client: FlaskClient, make: Factories, login: LoginHelper
) -> None:
    _series, first, second, _man, _lui = _programme(make)
    login(make.organiser())
    client.post(f"/organiser/recaps/sessions/{second.id}", data={"headline": "Too early"})
    client.post(
        f"/organiser/recaps/sessions/{second.id}", data={"headline": "Too early", "lead": "x"}
    )
    early = client.post(f"/organiser/recaps/sessions/{second.id}/publish", follow_redirects=True)
    assert "once the session has taken place" in early.get_data(as_text=True)
    client.post(f"/organiser/recaps/sessions/{first.id}", data={"headline": "Empty"})
    empty = client.post(f"/organiser/recaps/sessions/{first.id}/publish", follow_redirects=True)
    assert "before publishing" in empty.get_data(as_text=True)
    assert published_recap_session_ids([first.id, second.id]) == set()


def _jpeg(size: tuple[int, int] = (40, 30)) -> bytes:
    buffer = io.BytesIO()
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "Secret Camera Co"  # Make
    image.save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


def test_photos_are_validated_re_encoded_captioned_and_removed(
    client: FlaskClient, make: Factories, login: LoginHelper, app: Flask
) -> None:
    series, first, _second, _man, _lui = _programme(make)
    login(make.organiser())
    base = f"/organiser/recaps/sessions/{first.id}"
    client.post(base, data={"headline": "Recap", "lead": "Lead."})

    refused = client.post(
        f"{base}/photos",
        data={"photo": (io.BytesIO(b"not an image at all"), "group.jpg"), "caption": "x"},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "not a JPEG, PNG or WebP image" in refused.get_data(as_text=True)
    assert db.session.scalar(select(RecapPhoto.id)) is None

    client.post(
        f"{base}/photos",
        data={"photo": (io.BytesIO(_jpeg()), "group.jpg"), "caption": "The four speakers"},
        content_type="multipart/form-data",
    )
    photo = db.session.scalar(select(RecapPhoto))
    assert photo is not None and photo.caption == "The four speakers"
    stored = Path(app.config["EVENTHUB_UPLOAD_FOLDER"]) / photo.path
    assert stored.exists() and photo.path.startswith("recaps/") and "group" not in photo.path
    assert b"Secret Camera Co" not in stored.read_bytes()  # EXIF stripped

    client.post(f"{base}/photos/{photo.id}/caption", data={"caption": "Group photo"})
    client.post(f"{base}/publish")
    client.get("/logout")
    page = client.get(f"/series/{series.slug}/{first.slug}/recap").get_data(as_text=True)
    assert "<figcaption>Group photo</figcaption>" in page
    served = client.get(f"/uploads/{photo.path}")
    assert served.status_code == 200 and served.mimetype == "image/jpeg"

    login(make.organiser())
    client.post(f"{base}/photos/{photo.id}/delete")
    assert db.session.scalar(select(RecapPhoto.id)) is None
    assert not stored.exists()


def test_the_demo_recap_reads_like_the_seed(client: FlaskClient, runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["eventhub", "demo"])
    assert result.exit_code == 0, result.output
    recap = db.session.scalar(select(Recap).where(Recap.published_at.is_not(None)))
    assert recap is not None
    session = recap.session
    page = client.get(f"/series/{session.series.slug}/{session.slug}/recap")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Daniel Yip" in text and "Moderator" in text
    assert "More in this series" in text and "Webinar 2" in text and "Register" in text


def test_publishing_shows_read_more_on_the_cached_series_page(
    app_config: dict[str, Any], make: Factories
) -> None:
    from eventhub import create_app

    cached = create_app({**app_config, "EVENTHUB_PUBLIC_CACHE": "simple"})
    with cached.app_context():
        series, first, _second, _man, _lui = _programme(make)
        client = cached.test_client()
        recap_link = f"/series/{series.slug}/{first.slug}/recap"
        assert recap_link not in client.get(f"/series/{series.slug}").get_data(as_text=True)
        again = client.get(f"/series/{series.slug}")
        assert again.headers.get("X-Cache") == "hit" and recap_link not in again.get_data(True)
        LoginHelper(client)(make.organiser())
        base = f"/organiser/recaps/sessions/{first.id}"
        client.post(base, data={"headline": "Recap", "lead": "What was said."})
        client.post(f"{base}/publish")
        client.post("/logout")
        assert recap_link in client.get(f"/series/{series.slug}").get_data(as_text=True)
        db.session.remove()
