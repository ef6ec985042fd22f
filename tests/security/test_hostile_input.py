"""Findings 6 and 7: hostile input answers 4xx, never 500; single-line fields refuse line breaks."""

from __future__ import annotations

import json

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from eventhub.accounts.models import User
from eventhub.accounts.services import create_api_token
from eventhub.extensions import db
from eventhub.scheduling.models import Session
from tests.support.factories import Factories, LoginHelper

HUGE = "99999999999999999999"


def _session_form(**overrides: str) -> dict[str, str]:
    values = {
        "title": "A webinar",
        "abstract": "A panel.",
        "starts_at": "2027-03-12T14:30",
        "timezone": "Asia/Hong_Kong",
        "duration_minutes": "90",
        "join_url": "https://meet.example.org/j/1",
        "capacity": "100",
    }
    values.update(overrides)
    return values


def test_nul_bytes_in_paths_queries_and_fields_are_4xx(
    client: FlaskClient, make: Factories
) -> None:
    session = make.session()
    db.session.commit()
    assert client.get("/series/x%00y").status_code == 400
    assert client.get("/?q=%00").status_code == 400
    assert client.get(f"/series/{session.series.slug}?q=a%00b").status_code == 400
    form = {"name": "x\x00", "email": "x@example.org", "consent": "y"}
    assert client.post(f"/sessions/{session.id}/register", data=form).status_code == 400
    api = client.post(
        f"/api/v1/sessions/{session.id}/registrations",
        json={"name": "x\x00", "email": "x@example.org", "consent": True},
    )
    assert api.status_code == 400


def test_huge_ids_and_pages_are_4xx(
    client: FlaskClient, make: Factories, login: LoginHelper
) -> None:
    organiser = make.organiser()
    session = make.session(make.series(organiser_id=organiser.id))
    db.session.commit()
    assert client.get(f"/api/v1/sessions/{HUGE}").status_code == 404
    assert client.get(f"/sessions/{HUGE}/register").status_code == 404
    login(organiser)
    assert client.get(f"/organiser/sessions/{HUGE}").status_code == 404
    for url in (
        f"/organiser/registrations/sessions/{session.id}?page={HUGE}",
        f"/organiser/mail/messages?page={HUGE}&session_id={HUGE}",
        f"/organiser/mail/messages?page=-{HUGE}",
    ):
        assert client.get(url).status_code == 200, url


def test_capacities_beyond_a_database_integer_are_refused(
    client: FlaskClient, make: Factories, login: LoginHelper
) -> None:
    organiser = make.organiser()
    series = make.series(organiser_id=organiser.id)
    token = create_api_token(organiser)
    db.session.commit()
    auth = {"Authorization": f"Bearer {token}"}
    body = {"title": "T", "starts_at": "2027-03-12T14:30:00+08:00", "capacity": 2**31}
    response = client.post(f"/api/v1/series/{series.slug}/sessions", json=body, headers=auth)
    assert response.status_code == 422
    assert "capacity" in response.get_json()["errors"]
    login(organiser)
    page = client.post(
        f"/organiser/series/{series.id}/sessions/new", data=_session_form(capacity=str(2**31))
    )
    assert page.status_code == 200 and "too large" in page.get_data(as_text=True)
    assert db.session.scalars(select(Session)).all() == []


def test_json_nested_5000_deep_is_400(client: FlaskClient, make: Factories) -> None:
    session = make.session()
    db.session.commit()
    deep = "[" * 5000 + "]" * 5000
    body = (
        '{"name": "A", "email": "a@example.org", "consent": true, "answers": {"1": ' + deep + "}}"
    )
    response = client.post(
        f"/api/v1/sessions/{session.id}/registrations",
        data=body,
        content_type="application/json",
    )
    assert response.status_code == 400
    # A long but flat document is fine: depth, not size, is the limit.
    flat = {"name": "A", "email": "a@example.org", "consent": True, "answers": {}}
    ok = client.post(
        f"/api/v1/sessions/{session.id}/registrations",
        data=json.dumps(flat) + " " * 50_000,
        content_type="application/json",
    )
    assert ok.status_code == 201


def test_error_page_after_a_failed_flush_renders_for_a_logged_in_organiser(
    app: Flask, client: FlaskClient, make: Factories, login: LoginHelper
) -> None:
    def failing_view() -> str:
        db.session.add(User(email="dup@example.org", role=organiser.role))
        db.session.flush()  # IntegrityError: the session now needs a rollback
        return "unreachable"

    app.add_url_rule("/test-failing-flush", view_func=failing_view)
    organiser = make.organiser(email="dup@example.org")
    login(organiser)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = client.get("/test-failing-flush")
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert "<!doctype html>" in page.lower() and "Log out" in page


@pytest.mark.parametrize("title", ["Line one\r\nLine two", "Tab\tinside", "Next\u2028line"])
def test_session_titles_refuse_line_breaks(
    client: FlaskClient, make: Factories, login: LoginHelper, title: str
) -> None:
    organiser = make.organiser()
    series = make.series(organiser_id=organiser.id)
    token = create_api_token(organiser)
    db.session.commit()
    auth = {"Authorization": f"Bearer {token}"}
    body = {"title": title, "starts_at": "2027-03-12T14:30:00+08:00"}
    response = client.post(f"/api/v1/series/{series.slug}/sessions", json=body, headers=auth)
    assert response.status_code == 422 and "title" in response.get_json()["errors"]
    login(organiser)
    page = client.post(
        f"/organiser/series/{series.id}/sessions/new", data=_session_form(title=title)
    )
    assert page.status_code == 200 and "single line" in page.get_data(as_text=True)
    session = make.session(series)
    db.session.commit()
    patch = client.patch(f"/api/v1/sessions/{session.id}", json={"title": title}, headers=auth)
    assert patch.status_code == 422
    assert db.session.scalars(select(Session).where(Session.title == title)).all() == []
