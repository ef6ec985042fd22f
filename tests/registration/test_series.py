"""Whole-series registration: one form, every upcoming session, and sessions published later."""

from __future__ import annotations

from datetime import timedelta

from flask.testing import FlaskClient
from sqlalchemy import select

from eventhub import signals
from eventhub.clock import utcnow
from eventhub.extensions import db
from eventhub.mail.models import MessageKind
from eventhub.registration import series as series_services
from eventhub.registration.manage_links import manage_token, series_token
from eventhub.registration.models import Registration, RegistrationStatus, SeriesRegistration
from eventhub.scheduling.models import SessionStatus
from tests.registration.conftest import outbox
from tests.support.factories import Factories

S = RegistrationStatus


def _form(**extra: object) -> dict[str, object]:
    data: dict[str, object] = {
        "name": "Ada Lovelace",
        "email": "ada@example.org",
        "timezone": "Europe/London",
        "consent": "y",
        "include_new": "y",
    }
    data.update(extra)
    return data


def _statuses(email: str) -> dict[int, S]:
    return {
        r.session_id: r.status
        for r in db.session.scalars(select(Registration).where(Registration.email == email))
    }


def test_one_form_registers_for_every_upcoming_session(
    client: FlaskClient, make: Factories
) -> None:
    series = make.series()
    past = make.session(series, starts_at=utcnow() - timedelta(days=3))
    full = make.session(series, capacity=0)
    open_one = make.session(series)
    draft = make.session(series, status=SessionStatus.DRAFT)
    db.session.commit()
    page = client.get(f"/series/{series.slug}/register").get_data(as_text=True)
    assert full.title in page and open_one.title in page and past.title not in page
    response = client.post(f"/series/{series.slug}/register", data=_form())
    assert response.status_code == 200
    assert "/manage/" in response.get_data(as_text=True)
    assert _statuses("ada@example.org") == {full.id: S.WAITLISTED, open_one.id: S.CONFIRMED}
    assert draft.id not in _statuses("ada@example.org")
    assert len(outbox(MessageKind.CONFIRMATION)) == 1 and len(outbox(MessageKind.WAITLISTED)) == 1
    # The same address again: nothing new, details re-sent, no links in the response.
    again = client.post(f"/series/{series.slug}/register", data=_form(name="Mallory"))
    assert "/manage/" not in again.get_data(as_text=True)
    assert "Check your inbox" in again.get_data(as_text=True)
    assert len(db.session.scalars(select(SeriesRegistration)).all()) == 1


def test_sessions_published_later_include_series_registrants(
    client: FlaskClient, make: Factories
) -> None:
    series = make.series()
    make.session(series)
    db.session.commit()
    client.post(f"/series/{series.slug}/register", data=_form())
    client.post(
        f"/series/{series.slug}/register", data=_form(email="bob@example.org", include_new="")
    )
    later = make.session(
        series, status=SessionStatus.DRAFT, registration_opens_at=utcnow() + timedelta(days=1)
    )
    db.session.commit()
    later.status = SessionStatus.PUBLISHED
    signals.session_published.send(later)
    db.session.commit()
    assert _statuses("ada@example.org")[later.id] is S.CONFIRMED
    assert later.id not in _statuses("bob@example.org")
    assert any(
        m.session_id == later.id for m in outbox(MessageKind.CONFIRMATION, "ada@example.org")
    )


def test_opt_out_and_leave_from_the_series_manage_page(
    client: FlaskClient, make: Factories
) -> None:
    series = make.series()
    first, second = make.session(series), make.session(series)
    db.session.commit()
    client.post(f"/series/{series.slug}/register", data=_form())
    member = db.session.scalar(select(SeriesRegistration))
    assert member is not None
    token = series_token(member)
    page = client.get(f"/manage/series/{token}").get_data(as_text=True)
    assert first.title in page and second.title in page
    client.post(f"/manage/series/{token}", data={"action": "opt_out"})
    db.session.expire_all()
    assert member.is_opted_out_of_new_sessions
    client.post(f"/manage/series/{token}", data={"action": "cancel"})
    db.session.expire_all()
    assert set(_statuses("ada@example.org").values()) == {S.CANCELLED}
    assert member.cancelled_at is not None
    assert client.get("/manage/series/forged").status_code == 404


def test_no_open_session_is_a_message(client: FlaskClient, make: Factories) -> None:
    series = make.series()
    make.session(series, starts_at=utcnow() - timedelta(days=1))
    db.session.commit()
    page = client.get(f"/series/{series.slug}/register").get_data(as_text=True)
    assert "No upcoming webinar" in page
    assert series_services.open_sessions(series, utcnow()) == []


def test_series_emails_link_the_series_manage_page(client: FlaskClient, make: Factories) -> None:
    series = make.series()
    make.session(series)
    db.session.commit()
    client.post(f"/series/{series.slug}/register", data=_form())
    [row] = outbox(MessageKind.CONFIRMATION)
    assert "http://eventhub.test/manage/series/" in row.body_text
    assert "manage your series registration" in row.body_html
    registration = db.session.scalar(select(Registration))
    assert registration is not None
    page = client.get(f"/manage/{manage_token(registration)}").get_data(as_text=True)
    assert "/manage/series/" in page


def test_publishing_through_scheduling_includes_series_registrants(
    client: FlaskClient, make: Factories
) -> None:
    from eventhub.scheduling.lifecycle import publish_session

    series = make.series()
    make.session(series)
    db.session.commit()
    client.post(f"/series/{series.slug}/register", data=_form())
    draft = make.session(series, status=SessionStatus.DRAFT)
    db.session.commit()
    publish_session(draft)
    db.session.commit()
    assert _statuses("ada@example.org")[draft.id] is S.CONFIRMED
