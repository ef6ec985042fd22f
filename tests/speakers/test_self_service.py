"""A speaker keeps their own profile and photo and sees their sessions, nothing more."""

from __future__ import annotations

import io
from datetime import timedelta
from html.parser import HTMLParser
from typing import Any

import pytest
from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy import select

from eventhub.clock import utcnow
from eventhub.extensions import db
from eventhub.images import upload_folder
from eventhub.registration.models import RegistrationStatus
from eventhub.scheduling.models import SessionStatus
from eventhub.speakers.models import ProfileChange, SpeakerProfile, SpeakerRole
from tests.speakers import images_support as img
from tests.support.factories import PASSWORD, Factories, LoginHelper


def _form(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "honorific": "Prof",
        "full_name": "Man Hau-chung",
        "alternate_name": "文效忠",
        "pronunciation": "Mun How-chung",
        "position": "Dean, Faculty of Engineering",
        "organisation": "PolyU",
        "short_bio": "Dean of engineering.",
        "long_bio_markdown": "Works on **advanced manufacturing**.",
        "links-0-label": "Website",
        "links-0-url": "https://www.polyu.edu.hk/",
        "links-1-label": "",
        "links-1-url": "https://www.linkedin.com/in/example",
    }
    data.update(overrides)
    return data


def test_speaker_edits_own_profile_and_history_records_it(
    client: FlaskClient, make: Factories, login: LoginHelper
) -> None:
    profile, user = make.speaker_account(full_name="Old Name")
    login(user)
    response = client.post("/me/profile", data=_form())
    assert response.status_code == 302
    db.session.refresh(profile)
    assert profile.full_name == "Man Hau-chung"
    assert profile.alternate_name == "文效忠"
    assert profile.links == [
        {"label": "Website", "url": "https://www.polyu.edu.hk/"},
        {"label": "linkedin.com", "url": "https://www.linkedin.com/in/example"},
    ]
    entries = db.session.scalars(select(ProfileChange).order_by(ProfileChange.id)).all()
    change = [entry for entry in entries if entry.changes][-1]
    assert change.changed_by_id == user.id
    assert change.changes["full_name"] == {"old": "Old Name", "new": "Man Hau-chung"}
    page = client.get("/me/profile").get_data(as_text=True)
    assert "https://www.polyu.edu.hk/" in page


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("links-0-url", "javascript:alert(1)", "is not a web address"),
        ("links-0-url", "ftp://files.example.org/x", "is not a web address"),
        ("links-0-url", "https://user:pw@example.org/", "is not a web address"),
        ("links-0-url", "", "Add the address, or clear the label"),
        ("full_name", "", "This field is required"),
        ("short_bio", "x" * 301, "300"),
    ],
)
def test_invalid_input_is_an_inline_error(
    client: FlaskClient, make: Factories, login: LoginHelper, field: str, value: str, message: str
) -> None:
    profile, user = make.speaker_account(full_name="Kept Name")
    login(user)
    response = client.post("/me/profile", data=_form(**{field: value}))
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    db.session.refresh(profile)
    assert profile.full_name == "Kept Name"


XSS_PAYLOADS = [
    "<script>alert('xss')</script>",
    "<img src=x onerror=alert('xss')>",
    "[click](javascript:alert('xss'))",
    "[click](JaVaScRiPt:alert('xss'))",
    "[click](&#106;avascript:alert('xss'))",
    '<a href="javascript:alert(1)">x</a>',
    "<svg onload=alert('xss')>",
    "![x](javascript:alert('xss'))",
    '<iframe src="https://evil.example"></iframe>',
    "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    '<div style="background:url(javascript:alert(1))" onclick="alert(1)">x</div>',
]


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_long_bio_is_sanitised_on_the_public_page(
    client: FlaskClient, make: Factories, login: LoginHelper, payload: str
) -> None:
    profile, user = make.speaker_account()
    login(user)
    client.post("/me/profile", data=_form(long_bio_markdown=f"Hello\n\n{payload}\n\nBye"))
    page = client.get(f"/speakers/{profile.slug}").get_data(as_text=True)
    body = page.split('<div class="prose">', 1)[1].split("</div>", 1)[0]
    tags = _tags(body)
    assert {tag for tag, _ in tags} <= {"p", "a", "strong", "em", "code", "pre", "br"}
    for _tag, attrs in tags:
        for name, value in attrs:
            assert not name.startswith("on"), (name, value)
            assert name in {"href", "rel", "title"}, name
            if name == "href":
                assert (value or "").startswith(("http://", "https://", "mailto:")), value
    assert "Hello" in body and "Bye" in body


class _TagCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))


def _tags(html: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    collector = _TagCollector()
    collector.feed(html)
    return collector.tags


def test_long_bio_keeps_safe_markdown(
    client: FlaskClient, make: Factories, login: LoginHelper
) -> None:
    profile, user = make.speaker_account()
    login(user)
    client.post(
        "/me/profile",
        data=_form(long_bio_markdown="**Bold** and [site](https://example.org)\n\n- one\n- two"),
    )
    page = client.get(f"/speakers/{profile.slug}").get_data(as_text=True)
    assert "<strong>Bold</strong>" in page
    assert '<a href="https://example.org" rel="noopener noreferrer nofollow">site</a>' in page
    assert "<li>one</li>" in page


def _upload(client: FlaskClient, data: bytes, name: str = "me.jpg") -> Any:
    return client.post(
        "/me/photo",
        data={"photo": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def test_photo_upload_strips_exif_and_makes_square_thumbnail(
    client: FlaskClient, make: Factories, login: LoginHelper
) -> None:
    profile, user = make.speaker_account()
    login(user)
    response = _upload(client, img.jpeg_with_exif((800, 600)))
    assert response.status_code == 302
    db.session.refresh(profile)
    assert profile.photo_path and profile.thumbnail_path
    stored = (upload_folder() / profile.photo_path).read_bytes()
    assert b"SecretCam" not in stored and b"Photographer Jane" not in stored
    with Image.open(upload_folder() / profile.thumbnail_path) as thumb:
        assert thumb.width == thumb.height
        assert len(thumb.getexif()) == 0
    served = client.get(f"/uploads/{profile.thumbnail_path}")
    assert served.status_code == 200 and served.mimetype == "image/jpeg"
    public = client.get(f"/speakers/{profile.slug}").get_data(as_text=True)
    assert f"/uploads/{profile.photo_path}" in public


def test_replacing_a_photo_removes_the_old_files(
    client: FlaskClient, make: Factories, login: LoginHelper
) -> None:
    profile, user = make.speaker_account()
    login(user)
    _upload(client, img.jpeg_with_exif())
    db.session.refresh(profile)
    old = [profile.photo_path, profile.thumbnail_path]
    _upload(client, img.png_bytes(mode="RGB"), "new.png")
    db.session.refresh(profile)
    assert profile.photo_path not in old
    for path in old:
        assert not (upload_folder() / str(path)).exists()
    assert client.post("/me/photo/delete").status_code == 302
    db.session.refresh(profile)
    assert profile.photo_path is None and profile.thumbnail_path is None
    assert list(upload_folder().rglob("*.*")) == []


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"%PDF-1.4 not really a photo" * 40, "photo.jpg", "not a JPEG, PNG or WebP"),
        (img.png_bomb(), "bomb.png", "too large to process"),
        (img.oversize_png(), "huge.png", "larger than 5 MB"),
        (img.gif_bytes(), "anim.gif", "not a JPEG, PNG or WebP"),
    ],
    ids=["renamed-non-image", "decompression-bomb", "oversize", "gif"],
)
def test_bad_uploads_are_refused_with_a_clear_message(
    client: FlaskClient, make: Factories, login: LoginHelper, data: bytes, name: str, message: str
) -> None:
    profile, user = make.speaker_account()
    login(user)
    response = _upload(client, data, name)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    db.session.refresh(profile)
    assert profile.photo_path is None
    assert not upload_folder().exists() or list(upload_folder().rglob("*.*")) == []


def test_missing_file_is_an_inline_error(
    client: FlaskClient, make: Factories, login: LoginHelper
) -> None:
    _profile, user = make.speaker_account()
    login(user)
    response = client.post("/me/photo", data={}, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "Choose a photo" in response.get_data(as_text=True)


def test_my_sessions_show_time_role_join_link_and_counts_only(
    client: FlaskClient, make: Factories, login: LoginHelper
) -> None:
    profile, user = make.speaker_account()
    series = make.series(title="Re-industrialisation")
    upcoming = make.session(series, title="AI and industry", capacity=50)
    draft = make.session(series, title="Textiles roadmap", status=SessionStatus.DRAFT)
    past = make.session(series, title="Kick-off", starts_at=utcnow() - timedelta(days=30))
    other = make.session(series, title="Someone else's webinar")
    make.link(upcoming, profile, SpeakerRole.MODERATOR)
    make.link(draft, profile)
    make.link(past, profile, SpeakerRole.PANELIST)
    make.link(other, make.speaker())
    make.registration(
        upcoming, "alice.attendee@example.org", RegistrationStatus.CONFIRMED, name="Alice.Attendee"
    )
    make.registration(
        upcoming, "bob.attendee@example.org", RegistrationStatus.CONFIRMED, name="Bob.Attendee"
    )
    make.registration(
        upcoming, "carol.attendee@example.org", RegistrationStatus.WAITLISTED, name="Carol.Attendee"
    )
    login(user)
    page = client.get("/me/sessions").get_data(as_text=True)
    assert "AI and industry" in page and "Textiles roadmap" in page and "Kick-off" in page
    assert "Someone else&#39;s webinar" not in page
    assert "Moderator" in page and "Panelist" in page
    assert "Not announced yet" in page
    assert "https://meet.example.org/j/123" in page
    assert "2 of 50" in page and "1 on the waitlist" in page
    for personal in ("alice", "Alice", "bob.attendee", "carol"):
        assert personal not in page


def test_speaker_without_profile_gets_404(
    client: FlaskClient, make: Factories, login: LoginHelper
) -> None:
    user = make.speaker_user()
    login(user)
    assert client.get("/me/profile").status_code == 404
    assert client.get("/me/sessions").status_code == 404


def test_speaker_login_lands_on_profile(client: FlaskClient, make: Factories) -> None:
    _profile, user = make.speaker_account()
    db.session.commit()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.location.endswith("/me/profile")
    assert db.session.scalar(select(SpeakerProfile.id).where(SpeakerProfile.user_id == user.id))


def test_upload_past_the_request_limit_gets_a_message_not_an_error_page(
    client: FlaskClient, make: Factories, login: LoginHelper
) -> None:
    profile, user = make.speaker_account()
    login(user)
    huge = b"\xff\xd8" + b"\x00" * (17 * 1024 * 1024)
    response = _upload(client, huge, "huge.jpg")
    assert response.status_code == 302 and response.location.endswith("/me/profile")
    page = client.get("/me/profile").get_data(as_text=True)
    assert "larger than 5 MB" in page
    db.session.refresh(profile)
    assert profile.photo_path is None
