"""The private manage link: GET shows, POST changes; bad tokens reveal nothing."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select

from eventhub.extensions import db
from eventhub.mail.models import MessageKind, Unsubscribe
from eventhub.registration import services
from eventhub.registration.manage_links import manage_token, registration_for_token
from eventhub.registration.models import Registration, RegistrationStatus
from eventhub.tokens import make_token
from tests.registration.conftest import applicant, outbox
from tests.support.factories import Factories
from tests.support.rows import fresh

S = RegistrationStatus


def _registered(make: Factories, **session_fields: Any) -> tuple[Registration, str]:
    session = make.session(**session_fields)
    db.session.commit()
    registration = services.register(session.id, applicant("me@example.org")).registration
    db.session.commit()
    return registration, manage_token(registration)


def test_manage_page_shows_the_registration_in_my_zone(
    client: FlaskClient, make: Factories
) -> None:
    registration, token = _registered(make)
    page = client.get(f"/manage/{token}").get_data(as_text=True)
    assert registration.session.title in page
    assert "GMT" in page or "BST" in page  # Europe/London
    assert "HKT" in page  # and the series' zone
    assert "Cancel my registration" in page
    assert 'name="robots" content="noindex"' in page


def test_cancel_get_only_asks_post_cancels(client: FlaskClient, make: Factories) -> None:
    registration, token = _registered(make, capacity=1)
    waiting = services.register(registration.session_id, applicant()).registration
    db.session.commit()
    page = client.get(f"/manage/{token}/cancel")
    assert page.status_code == 200 and "Yes, cancel" in page.get_data(as_text=True)
    db.session.expire_all()
    assert registration.status is S.CONFIRMED
    response = client.post(f"/manage/{token}/cancel")
    assert response.status_code == 302
    assert fresh(registration).status is S.CANCELLED
    assert waiting.status is S.CONFIRMED
    assert outbox(MessageKind.CANCELLED_BY_ATTENDEE)[0].recipient_email == "me@example.org"
    # Cancelling twice is harmless.
    assert client.post(f"/manage/{token}/cancel").status_code == 302


def test_invalid_and_foreign_tokens_are_404(client: FlaskClient, make: Factories) -> None:
    registration, token = _registered(make)
    foreign = make_token("speaker.invitation", [registration.id, registration.token_version])
    for bad in ("nonsense", token[:-3] + "abc", foreign):
        for path in ("", "/cancel", "/calendar.ics", "/unsubscribe"):
            assert client.get(f"/manage/{bad}{path}").status_code == 404
        assert client.post(f"/manage/{bad}/cancel").status_code == 404
    db.session.expire_all()
    assert registration.status is S.CONFIRMED


def test_bumped_token_version_invalidates_old_links(client: FlaskClient, make: Factories) -> None:
    registration, token = _registered(make)
    registration.token_version += 1
    db.session.commit()
    assert client.get(f"/manage/{token}").status_code == 404
    assert client.get(f"/manage/{manage_token(registration)}").status_code == 200


def test_update_details(client: FlaskClient, make: Factories) -> None:
    registration, token = _registered(make)
    client.post(f"/manage/{token}/details", data={"name": "New Name", "organisation": "New Org"})
    db.session.expire_all()
    assert (registration.name, registration.organisation) == ("New Name", "New Org")


def test_calendar_download(client: FlaskClient, make: Factories) -> None:
    _, token = _registered(make)
    response = client.get(f"/manage/{token}/calendar.ics")
    assert response.mimetype == "text/calendar"
    assert b"BEGIN:VEVENT" in response.data


def test_unsubscribe_from_series_news(client: FlaskClient, make: Factories) -> None:
    registration, token = _registered(make)
    assert client.get(f"/manage/{token}/unsubscribe").status_code == 200
    assert db.session.scalar(select(Unsubscribe)) is None
    client.post(f"/manage/{token}/unsubscribe")
    client.post(f"/manage/{token}/unsubscribe")
    rows = db.session.scalars(select(Unsubscribe)).all()
    assert [(r.series_id, r.email) for r in rows] == [
        (registration.session.series_id, "me@example.org")
    ]


def test_switch_to_another_session(client: FlaskClient, make: Factories) -> None:
    registration, token = _registered(make)
    other = make.session(registration.session.series)
    db.session.commit()
    page = client.get(f"/manage/{token}").get_data(as_text=True)
    assert other.title in page
    response = client.post(f"/manage/{token}/switch", data={"target": other.id})
    assert response.status_code == 302
    moved = db.session.scalar(select(Registration).where(Registration.session_id == other.id))
    assert moved is not None and moved.status is S.CONFIRMED
    assert registration_for_token(response.location.rsplit("/", 1)[1]) is moved


def test_accept_a_seat_offer(client: FlaskClient, make: Factories) -> None:
    session = make.session(capacity=1, seat_offer_hours=6)
    db.session.commit()
    first = services.register(session.id, applicant()).registration
    waiting = services.register(session.id, applicant()).registration
    services.cancel(first)
    db.session.commit()
    token = manage_token(waiting)
    assert "Take the seat" in client.get(f"/manage/{token}").get_data(as_text=True)
    client.post(f"/manage/{token}/offer")
    db.session.expire_all()
    assert waiting.status is S.CONFIRMED


def test_waitlist_position_is_shown(client: FlaskClient, make: Factories) -> None:
    session = make.session(capacity=1)
    db.session.commit()
    services.register(session.id, applicant())
    services.register(session.id, applicant())
    third = services.register(session.id, applicant()).registration
    db.session.commit()
    page = client.get(f"/manage/{manage_token(third)}").get_data(as_text=True)
    assert "number 2 on the waitlist" in page
