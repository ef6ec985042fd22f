"""The public registration form: inline errors, kept input, questions, honeypot, repeats."""

from __future__ import annotations

from flask import Flask, render_template_string
from flask.testing import FlaskClient
from sqlalchemy import select

from eventhub.extensions import db
from eventhub.mail.models import MessageKind
from eventhub.registration.models import QuestionKind, Registration, RegistrationStatus
from eventhub.registration.public_data import panel_for
from tests.registration.conftest import outbox
from tests.support.factories import Factories


def _form(**extra: object) -> dict[str, object]:
    data: dict[str, object] = {
        "name": "Ada Lovelace",
        "email": "Ada@Example.ORG ",
        "organisation": "Analytical Engines",
        "timezone": "Europe/London",
        "consent": "y",
    }
    data.update(extra)
    return data


def test_get_shows_the_form_with_seats_left(client: FlaskClient, make: Factories) -> None:
    session = make.session(capacity=40)
    make.registration(session)
    make.registration(session)
    db.session.commit()
    page = client.get(f"/sessions/{session.id}/register").get_data(as_text=True)
    assert "38 seats left" in page
    assert 'name="email"' in page and 'name="consent"' in page
    assert "data-browser-timezone" in page


def test_register_redirects_to_the_manage_page(client: FlaskClient, make: Factories) -> None:
    session = make.session(capacity=10)
    db.session.commit()
    response = client.post(f"/sessions/{session.id}/register", data=_form())
    assert response.status_code == 302
    assert response.location.startswith("/manage/")
    registration = db.session.scalar(select(Registration))
    assert registration is not None
    assert registration.email == "ada@example.org"
    assert registration.timezone == "Europe/London"
    assert registration.status is RegistrationStatus.CONFIRMED
    page = client.get(response.location).get_data(as_text=True)
    assert "You&#39;re registered" in page or "You're registered" in page
    assert "Confirmed" in page


def test_errors_next_to_fields_and_input_kept(client: FlaskClient, make: Factories) -> None:
    session = make.session()
    db.session.commit()
    response = client.post(
        f"/sessions/{session.id}/register",
        data=_form(email="not-an-email", consent="", timezone="Mars/Olympus"),
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'value="Ada Lovelace"' in page
    assert 'value="not-an-email"' in page
    assert "privacy statement" in page
    assert "Choose a time zone" in page
    assert page.count('class="field__error"') >= 3
    assert db.session.scalar(select(Registration)) is None


def test_missing_browser_zone_falls_back_to_the_series_zone(
    client: FlaskClient, make: Factories
) -> None:
    session = make.session()
    db.session.commit()
    client.post(f"/sessions/{session.id}/register", data=_form(timezone=""))
    registration = db.session.scalar(select(Registration))
    assert registration is not None and registration.timezone == "Asia/Hong_Kong"


def test_organiser_questions_required_and_ordered(client: FlaskClient, make: Factories) -> None:
    session = make.session()
    role = make.question(session.series, "Your role?", is_required=True, position=2)
    topics = make.question(
        session.series,
        "Topics?",
        QuestionKind.MULTIPLE_CHOICE,
        choices=["AI", "Robots", "Policy"],
        position=1,
    )
    sector = make.question(
        session.series,
        "Sector",
        QuestionKind.SINGLE_CHOICE,
        choices=["Public", "Private"],
        position=3,
    )
    db.session.commit()
    page = client.get(f"/sessions/{session.id}/register").get_data(as_text=True)
    assert page.index("Topics?") < page.index("Your role?") < page.index("Sector")
    response = client.post(f"/sessions/{session.id}/register", data=_form())
    assert response.status_code == 422
    assert "needs an answer" in response.get_data(as_text=True)
    response = client.post(
        f"/sessions/{session.id}/register",
        data=_form(
            **{
                f"q_{role.id}": "Engineer",
                f"q_{topics.id}": ["Robots", "AI"],
                f"q_{sector.id}": "Public",
            }
        ),
    )
    assert response.status_code == 302
    registration = db.session.scalar(select(Registration))
    assert registration is not None
    assert registration.answers == {
        str(role.id): "Engineer",
        str(topics.id): ["AI", "Robots"],
        str(sector.id): "Public",
    }


def test_repeat_never_shows_the_manage_link(client: FlaskClient, make: Factories) -> None:
    session = make.session()
    db.session.commit()
    client.post(f"/sessions/{session.id}/register", data=_form())
    other = FlaskClient(client.application)
    response = other.post(f"/sessions/{session.id}/register", data=_form(name="Mallory"))
    assert response.status_code == 302
    assert "/manage/" not in response.location
    page = other.get(response.location).get_data(as_text=True)
    assert "Check your inbox" in page
    assert "/manage/" not in page
    assert len(db.session.scalars(select(Registration)).all()) == 1
    assert len(outbox(MessageKind.CONFIRMATION, "ada@example.org")) == 2


def test_honeypot_registers_nobody(client: FlaskClient, make: Factories) -> None:
    session = make.session()
    db.session.commit()
    response = client.post(
        f"/sessions/{session.id}/register", data=_form(website="http://spam.example")
    )
    assert response.status_code == 302
    assert db.session.scalar(select(Registration)) is None
    assert outbox() == []


def test_closed_window_is_a_form_message(client: FlaskClient, make: Factories) -> None:
    from datetime import timedelta

    from eventhub.clock import utcnow

    session = make.session(registration_closes_at=utcnow() + timedelta(minutes=5))
    db.session.commit()
    page = client.get(f"/sessions/{session.id}/register").get_data(as_text=True)
    assert 'name="email"' in page
    from eventhub import clock

    clock.move(timedelta(minutes=10))
    response = client.post(f"/sessions/{session.id}/register", data=_form())
    assert response.status_code == 409
    assert "closed" in response.get_data(as_text=True)
    assert db.session.scalar(select(Registration)) is None


def test_unpublished_session_is_404(client: FlaskClient, make: Factories) -> None:
    from eventhub.scheduling.models import SessionStatus

    session = make.session(status=SessionStatus.DRAFT)
    db.session.commit()
    assert client.get(f"/sessions/{session.id}/register").status_code == 404
    assert client.get("/sessions/9999/register").status_code == 404


def test_inline_form_renders_the_panel_it_is_given(app: Flask, make: Factories) -> None:
    session = make.session(capacity=3)
    make.question(session.series, "Your role?")
    db.session.commit()
    with app.test_request_context("/"):
        html = render_template_string(
            '{% include "registration/_inline_form.html" %}', panel=panel_for(session)
        )
    assert f'action="/sessions/{session.id}/register"' in html
    assert "Your role?" in html
    assert "3 seats left" in html
    # The session page owns the heading; the form does not repeat it.
    assert "<h2" not in html


def test_session_page_carries_the_form(client: FlaskClient, make: Factories) -> None:
    series = make.series(slug="s")
    session = make.session(series, slug="w", capacity=3)
    db.session.commit()
    page = client.get("/series/s/w").get_data(as_text=True)
    assert f'action="/sessions/{session.id}/register"' in page
    assert "3 seats left" in page


def test_full_session_offers_the_waitlist(app: Flask, client: FlaskClient, make: Factories) -> None:
    session = make.session(capacity=1)
    make.registration(session)
    db.session.commit()
    page = client.get(f"/sessions/{session.id}/register").get_data(as_text=True)
    assert "Join the waitlist" in page
    client.post(f"/sessions/{session.id}/register", data=_form())
    registration = db.session.scalar(
        select(Registration).where(Registration.email == "ada@example.org")
    )
    assert registration is not None and registration.status is RegistrationStatus.WAITLISTED
