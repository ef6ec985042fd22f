"""Every speaker route, tried by the wrong person, is refused or shows only their own data."""

from __future__ import annotations

import io
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from eventhub.extensions import db
from eventhub.speakers.models import SessionSpeaker, SpeakerProfile
from tests.speakers import images_support as img
from tests.support.factories import Factories, LoginHelper


def _rules(app: Flask, prefix: str) -> list[tuple[str, str, str]]:
    """(endpoint, rule, method) for every speakers route under a path prefix."""
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("speakers.") and rule.rule.startswith(prefix):
            for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
                found.append((rule.endpoint, rule.rule, method))
    return found


def _url(rule: str, values: dict[str, Any]) -> str:
    for name, value in values.items():
        rule = rule.replace(f"<int:{name}>", str(value)).replace(f"<{name}>", str(value))
    assert "<" not in rule, rule
    return rule


@pytest.fixture
def victim(make: Factories) -> tuple[SpeakerProfile, SessionSpeaker]:
    """Speaker A, with an account, a photo-less profile and a session of their own."""
    profile, _user = make.speaker_account(
        full_name="Alice Victim", email="alice@example.org", short_bio="Alice's own bio"
    )
    session = make.session(title="Alice's webinar")
    link = make.link(session, profile)
    return profile, link


def _values(victim: tuple[SpeakerProfile, SessionSpeaker]) -> dict[str, Any]:
    profile, link = victim
    return {
        "speaker_id": profile.id,
        "slug": profile.slug,
        "session_id": link.session_id,
        "link_id": link.id,
    }


def _snapshot(profile: SpeakerProfile) -> tuple[Any, ...]:
    db.session.refresh(profile)
    return (profile.full_name, profile.short_bio, profile.photo_path, profile.email)


def test_organiser_routes_refuse_another_speaker(
    app: Flask,
    client: FlaskClient,
    make: Factories,
    login: LoginHelper,
    victim: tuple[SpeakerProfile, SessionSpeaker],
) -> None:
    _other, intruder = make.speaker_account(full_name="Bob Intruder")
    before = _snapshot(victim[0])
    login(intruder)
    rules = _rules(app, "/organiser/")
    assert len(rules) >= 12
    for endpoint, rule, method in rules:
        response = client.open(_url(rule, _values(victim)), method=method, data={"x": "1"})
        assert response.status_code == 403, (endpoint, method, response.status_code)
    assert _snapshot(victim[0]) == before
    db.session.refresh(victim[1])
    assert db.session.get(SessionSpeaker, victim[1].id) is not None


def test_me_routes_only_ever_touch_the_logged_in_speaker(
    app: Flask,
    client: FlaskClient,
    make: Factories,
    login: LoginHelper,
    victim: tuple[SpeakerProfile, SessionSpeaker],
) -> None:
    mine, intruder = make.speaker_account(full_name="Bob Intruder")
    before = _snapshot(victim[0])
    login(intruder)
    rules = _rules(app, "/me/")
    assert {e for e, _, _ in rules} >= {
        "speakers.my_profile",
        "speakers.my_photo",
        "speakers.my_photo_delete",
        "speakers.my_sessions",
    }
    for endpoint, rule, method in rules:
        # There is no id to tamper with: try to smuggle the victim's anyway.
        url = _url(rule, {}) + f"?speaker_id={victim[0].id}&slug={victim[0].slug}"
        data: dict[str, Any] = {
            "speaker_id": str(victim[0].id),
            "full_name": "Hacked",
            "short_bio": "Hacked",
            "photo": (io.BytesIO(img.jpeg_with_exif()), "x.jpg"),
        }
        response = client.open(url, method=method, data=data)
        assert response.status_code in (200, 302, 400), (endpoint, method, response.status_code)
        body = response.get_data(as_text=True)
        assert "Alice" not in body, endpoint
    assert _snapshot(victim[0]) == before
    db.session.refresh(mine)
    assert mine.full_name == "Hacked"  # the POSTs changed the intruder's own profile only


def test_anonymous_visitors_are_sent_to_login(
    app: Flask, client: FlaskClient, victim: tuple[SpeakerProfile, SessionSpeaker]
) -> None:
    for prefix in ("/organiser/", "/me/"):
        for endpoint, rule, method in _rules(app, prefix):
            response = client.open(_url(rule, _values(victim)), method=method)
            assert response.status_code == 302, (endpoint, method)
            assert "/login" in response.location


def test_organisers_cannot_use_the_speaker_area(
    app: Flask,
    client: FlaskClient,
    make: Factories,
    login: LoginHelper,
    victim: tuple[SpeakerProfile, SessionSpeaker],
) -> None:
    login(make.organiser())
    for endpoint, rule, method in _rules(app, "/me/"):
        assert client.open(_url(rule, {}), method=method).status_code == 403, endpoint


def test_public_page_never_shows_email_or_account(
    client: FlaskClient, victim: tuple[SpeakerProfile, SessionSpeaker]
) -> None:
    page = client.get(f"/speakers/{victim[0].slug}").get_data(as_text=True)
    assert "Alice Victim" in page
    assert "alice@example.org" not in page
    assert client.get("/speakers/no-such-speaker").status_code == 404


def test_no_speakers_route_is_shadowed_by_another_blueprint(app: Flask) -> None:
    adapter = app.url_map.bind("eventhub.test")
    values = {"speaker_id": 1, "slug": "someone", "session_id": 1, "link_id": 1, "token": "t"}
    for endpoint, rule, method in _rules(app, "/"):
        matched, _args = adapter.match(_url(rule, values), method=method)
        assert matched == endpoint, (rule, method, matched)
    assert adapter.build("speakers.session_speakers", {"session_id": 7}) == (
        "/organiser/sessions/7/speakers"
    )
