"""Download my data: everything held about the link's address, from the manage page."""

from __future__ import annotations

import json

from flask.testing import FlaskClient
from sqlalchemy import select

from eventhub.extensions import db
from eventhub.registration.manage_links import series_token
from eventhub.registration.models import SeriesRegistration
from tests.privacy.support import ANSWER, EMAIL, NAME, ORGANISATION, build
from tests.support.factories import Factories, LoginHelper


def test_the_manage_page_offers_the_download_and_the_erasure(
    client: FlaskClient, make: Factories, login: LoginHelper
) -> None:
    world = build(make, client, login)
    page = client.get(f"/manage/{world.token}").get_data(as_text=True)
    assert f"/manage/{world.token}/my-data.json" in page
    assert f"/manage/{world.token}/erase" in page


def test_the_download_holds_every_registration_email_and_unsubscribe(
    client: FlaskClient, make: Factories, login: LoginHelper
) -> None:
    world = build(make, client, login)
    response = client.get(f"/manage/{world.token}/my-data.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    data = json.loads(response.get_data(as_text=True))
    assert data["email"] == EMAIL.lower()
    registrations = data["registrations"]
    # Series A: waitlisted for the full session, confirmed (and attended) for the other;
    # series B through the whole-series registration.
    assert sorted((r["series"], r["status"]) for r in registrations) == [
        ("Series A", "confirmed"),
        ("Series A", "waitlisted"),
        ("Series B", "confirmed"),
    ]
    attended = [r for r in registrations if r["attended"]]
    assert len(attended) == 1 and attended[0]["attended_at"]
    first = registrations[0]
    assert (first["name"], first["organisation"], first["language"]) == (
        NAME,
        ORGANISATION,
        "zh-Hant",
    )
    assert first["answers"] == [{"question": "Your role?", "answer": ANSWER}]
    assert first["future_sessions_consent"] is True and first["consented_at"]
    assert [s["series"] for s in data["series_registrations"]] == ["Series B"]
    assert [u["series"] for u in data["unsubscribed_from"]] == ["Series B"]
    emails = data["emails"]
    sent = [e for e in emails if e["status"] == "sent"]
    assert sent and all(e["subject"] and e["sent_at"] for e in sent)
    assert {"kind": "announcement", "status": "queued"}.items() <= next(
        e for e in emails if e["kind"] == "announcement"
    ).items()
    # The other person registered in the same session is not in it.
    assert "other@example.org" not in response.get_data(as_text=True)


def test_a_bad_link_gets_nothing(client: FlaskClient, make: Factories, login: LoginHelper) -> None:
    world = build(make, client, login)
    assert client.get(f"/manage/{world.token}x/my-data.json").status_code == 404


def test_the_whole_series_page_offers_them_too(
    client: FlaskClient, make: Factories, login: LoginHelper
) -> None:
    build(make, client, login)
    whole = db.session.scalars(select(SeriesRegistration)).one()
    page = client.get(f"/manage/series/{series_token(whole)}").get_data(as_text=True)
    assert "/my-data.json" in page and "/erase" in page
