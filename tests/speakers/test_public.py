"""Public speaker pages, speaker cards on series pages, the API dict and the demo profiles."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask, render_template_string
from flask.testing import FlaskClient
from sqlalchemy import event, select

from eventhub.clock import utcnow
from eventhub.extensions import db
from eventhub.scheduling.models import SessionStatus
from eventhub.speakers import services
from eventhub.speakers.models import ProfileChange, SpeakerProfile, SpeakerRole
from eventhub.speakers.presentation import initials
from eventhub.speakers.serialise import speaker_public_dict
from tests.speakers import images_support as img
from tests.support.factories import Factories


def test_profile_page_lists_only_public_sessions_upcoming_then_past(
    client: FlaskClient, make: Factories
) -> None:
    speaker = make.speaker(full_name="Daniel Yip", honorific="Dr", short_bio="Industrialist.")
    series = make.series(title="Re-industrialisation")
    hidden_series = make.series(title="Secret series", is_published=False)
    soon = make.session(series, title="AI reinvents industry")
    past = make.session(series, title="Kick-off", starts_at=utcnow() - timedelta(days=20))
    draft = make.session(series, title="Draft webinar", status=SessionStatus.DRAFT)
    cancelled = make.session(series, title="Called off", status=SessionStatus.CANCELLED)
    unpublished = make.session(hidden_series, title="Unannounced talk")
    for session in (soon, past, draft, cancelled, unpublished):
        make.link(session, speaker)
    db.session.commit()
    response = client.get(f"/speakers/{speaker.slug}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "<h1>Dr Daniel Yip</h1>" in page
    assert "AI reinvents industry" in page and "Kick-off" in page and "Called off" in page
    assert "Draft webinar" not in page and "Unannounced talk" not in page
    upcoming, past_part = page.split('id="past-heading"')
    assert "AI reinvents industry" in upcoming and "Kick-off" in past_part
    assert f'href="/series/{series.slug}' in page


def test_profile_page_shows_initials_when_no_photo(client: FlaskClient, make: Factories) -> None:
    speaker = make.speaker(full_name="Man Hau-chung", honorific="Prof")
    make.link(make.session(), speaker)  # profiles are public once a published session has them
    db.session.commit()
    page = client.get(f"/speakers/{speaker.slug}").get_data(as_text=True)
    assert 'class="avatar avatar--initials"' in page
    assert ">MH</span>" in page


def test_initials() -> None:
    assert initials("Man Hau-chung") == "MH"
    assert initials("Daniel Yip") == "DY"
    assert initials("Prof Sunny Chai") == "SC"
    assert initials("文效忠") == "文"
    assert initials("") == "?"


def test_speaker_line_macro_shows_photo_link_and_moderator(app: Flask, make: Factories) -> None:
    session = make.session()
    with_photo = make.speaker(full_name="Sunny Chai")
    services.set_photo(with_photo, img.jpeg_with_exif(), None)
    moderator = make.speaker(full_name="Bobby Liu")
    make.link(session, with_photo)
    make.link(session, moderator, SpeakerRole.MODERATOR)
    with app.test_request_context():
        html = render_template_string(
            '{% from "components/speaker.html" import speaker_line, speaker_card %}'
            "{% for link in links %}{{ speaker_line(link) }}{{ speaker_card(link) }}{% endfor %}",
            links=session.speaker_links,
        )
    assert f'src="/uploads/{with_photo.thumbnail_path}"' in html
    assert f'href="/speakers/{with_photo.slug}"' in html
    assert f'href="/speakers/{moderator.slug}"' in html
    assert html.count('<span class="badge">Moderator</span>') == 2
    assert ">BL</span>" in html


def test_series_page_shows_speaker_cards(client: FlaskClient, make: Factories) -> None:
    series = make.series(title="Re-industrialisation")
    session = make.session(series)
    liu = make.speaker(full_name="Bobby Liu", organisation="Young Industrialists Council")
    make.link(session, liu, SpeakerRole.MODERATOR)
    db.session.commit()
    page = client.get(f"/series/{series.slug}").get_data(as_text=True)
    assert f'href="/speakers/{liu.slug}"' in page
    assert "Moderator" in page and "Young Industrialists Council" in page


def test_profile_page_statement_count_is_constant(
    app: Flask, client: FlaskClient, make: Factories
) -> None:
    seen: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        seen.append(statement)

    def statements(sessions: int) -> int:
        speaker = make.speaker()
        for _ in range(sessions):
            make.link(make.session(make.series()), speaker)
        db.session.commit()
        seen.clear()
        event.listen(db.engine, "before_cursor_execute", count)
        try:
            assert client.get(f"/speakers/{speaker.slug}").status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        return len(seen)

    small = statements(1)
    assert 0 < small == statements(8)


def test_speaker_public_dict(app: Flask, make: Factories) -> None:
    session = make.session()
    speaker = make.speaker(
        full_name="Sunny Chai", honorific="Dr", position="Chairman", organisation="HKSTP"
    )
    speaker.email = "private@example.org"
    link = make.link(session, speaker, SpeakerRole.MODERATOR)
    data = speaker_public_dict(link)
    assert data["honorific"] == "Dr" and data["full_name"] == "Sunny Chai"
    assert data["name"] == "Dr Sunny Chai"
    assert data["position"] == "Chairman" and data["organisation"] == "HKSTP"
    assert data["role"] == "moderator" and data["photo_url"] is None
    assert data["profile_url"] == f"http://eventhub.test/speakers/{speaker.slug}"
    assert "private@example.org" not in str(data)
    services.set_photo(speaker, img.jpeg_with_exif(), None)
    data = speaker_public_dict(link)
    assert data["photo_url"] == f"http://eventhub.test/uploads/{speaker.photo_path}"
    assert data["thumbnail_url"].startswith("http://eventhub.test/uploads/speakers/")


def test_upsert_profile_is_idempotent(app: Flask) -> None:
    first = services.upsert_profile(slug="daniel-yip", full_name="Daniel Yip", honorific="Dr")
    db.session.commit()
    again = services.upsert_profile(slug="daniel-yip", full_name="Daniel Yip", honorific="Dr")
    assert again.id == first.id
    assert db.session.scalars(select(ProfileChange)).all()[-1].note == "Profile created"
    services.upsert_profile(slug="daniel-yip", position="Chairman")
    assert first.position == "Chairman" and first.full_name == "Daniel Yip"
    assert len(db.session.scalars(select(SpeakerProfile)).all()) == 1


def test_demo_speakers_have_pages_with_initials(client: FlaskClient) -> None:
    from eventhub.demo.loader import load_demo

    load_demo("a long demo password")
    db.session.commit()
    page = client.get("/speakers/man-hau-chung").get_data(as_text=True)
    assert "<h1>Prof Man Hau-chung</h1>" in page
    assert "Dean, Faculty of Engineering, The Hong Kong Polytechnic University" in page
    assert ">MH</span>" in page
    assert "Re-industrialization: government, industry and academia" in page
    series = client.get("/series/reindustrialization-hong-kong").get_data(as_text=True)
    assert 'href="/speakers/bobby-liu"' in series
    assert '<span class="badge">Moderator</span>' in series
