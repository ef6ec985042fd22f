"""Organisers create and edit sessions; times are entered on a zone's wall clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask.testing import FlaskClient
from sqlalchemy import select

from eventhub.clock import utcnow
from eventhub.extensions import db
from eventhub.scheduling.models import Series, Session, SessionStatus
from eventhub.speakers.models import SpeakerRole
from tests.support.factories import Factories, LoginHelper
from tests.support.rows import fresh


def _form(**overrides: str) -> dict[str, str]:
    values = {
        "title": "How does AI reinvent industrialization?",
        "abstract": "A panel.",
        "starts_at": "2027-03-12T14:30",
        "timezone": "Asia/Hong_Kong",
        "duration_minutes": "90",
        "join_url": "https://meet.example.org/j/1",
        "capacity": "100",
    }
    values.update(overrides)
    return values


def _only_session(series: Series) -> Session:
    db.session.expire_all()
    return db.session.scalars(select(Session).where(Session.series_id == series.id)).one()


def test_create_session_in_the_series_zone(
    client: FlaskClient, make: Factories, login: LoginHelper
) -> None:
    series = make.series(timezone="Asia/Hong_Kong")
    login(make.organiser())
    form_page = client.get(f"/organiser/series/{series.id}/sessions/new").get_data(as_text=True)
    assert '<option selected value="Asia/Hong_Kong">' in form_page
    response = client.post(f"/organiser/series/{series.id}/sessions/new", data=_form())
    assert response.status_code == 302
    session = _only_session(series)
    assert session.starts_at == datetime(2027, 3, 12, 6, 30, tzinfo=UTC)
    assert session.status is SessionStatus.DRAFT
    assert (session.number, session.slug) == (1, "how-does-ai-reinvent-industrialization")
    assert session.capacity == 100


def test_validation_messages_on_the_form(
    client: FlaskClient, make: Factories, login: LoginHelper
) -> None:
    series = make.series()
    login(make.organiser())
    html = client.post(
        f"/organiser/series/{series.id}/sessions/new",
        data=_form(capacity="-1", duration_minutes="0", registration_closes_at="2027-03-12T18:00"),
    ).get_data(as_text=True)
    assert "Capacity cannot be negative." in html
    assert "Number must be between 1 and 1440." in html
    html = client.post(
        f"/organiser/series/{series.id}/sessions/new",
        data=_form(registration_closes_at="2027-03-12T18:00"),
    ).get_data(as_text=True)
    assert "Registration must close before the session ends." in html
    html = client.post(
        f"/organiser/series/{series.id}/sessions/new", data=_form(starts_at="")
    ).get_data(as_text=True)
    assert "Give a date and time." in html
    assert db.session.scalars(select(Session)).first() is None


def test_dst_gap_is_refused_on_the_form(
    client: FlaskClient, make: Factories, login: LoginHelper
) -> None:
    series = make.series(timezone="Europe/London")
    login(make.organiser())
    response = client.post(
        f"/organiser/series/{series.id}/sessions/new",
        data=_form(starts_at="2027-03-28T01:30", timezone="Europe/London"),
    )
    assert response.status_code == 200
    assert "does not exist in Europe/London" in response.get_data(as_text=True)
    assert db.session.scalars(select(Session)).first() is None


def test_dst_overlap_is_asked_about_then_saved_as_chosen(
    client: FlaskClient, make: Factories, login: LoginHelper
) -> None:
    series = make.series(timezone="Europe/London")
    login(make.organiser())
    url = f"/organiser/series/{series.id}/sessions/new"
    data = _form(starts_at="2027-10-31T01:30", timezone="Europe/London")
    html = client.post(url, data=data).get_data(as_text=True)
    assert "happens twice in Europe/London" in html
    assert "The first 01:30 (BST, UTC+01:00)" in html
    assert "The second 01:30 (GMT, UTC+00:00)" in html
    assert db.session.scalars(select(Session)).first() is None

    assert client.post(url, data={**data, "starts_at_fold": "later"}).status_code == 302
    assert _only_session(series).starts_at == datetime(2027, 10, 31, 1, 30, tzinfo=UTC)


def test_published_session_keeps_its_time_on_edit(
    client: FlaskClient, make: Factories, login: LoginHelper
) -> None:
    series = make.series()
    session = make.session(series, starts_at=datetime(2027, 5, 1, 2, 0, tzinfo=UTC))
    login(make.organiser())
    page = client.get(f"/organiser/sessions/{session.id}/edit").get_data(as_text=True)
    assert "moves only by rescheduling" in page
    response = client.post(
        f"/organiser/sessions/{session.id}/edit",
        data=_form(title="Renamed", starts_at="2030-01-01T10:00", timezone=series.timezone),
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert session.title == "Renamed"
    assert session.starts_at == datetime(2027, 5, 1, 2, 0, tzinfo=UTC)


def test_edit_form_shows_the_stored_time_in_the_zone(
    client: FlaskClient, make: Factories, login: LoginHelper
) -> None:
    series = make.series(timezone="Asia/Hong_Kong")
    session = make.session(
        series, status=SessionStatus.DRAFT, starts_at=datetime(2027, 3, 12, 6, 30, tzinfo=UTC)
    )
    login(make.organiser())
    html = client.get(f"/organiser/sessions/{session.id}/edit").get_data(as_text=True)
    assert 'value="2027-03-12T14:30"' in html


def test_publish_asks_to_confirm_warnings(
    client: FlaskClient, make: Factories, login: LoginHelper
) -> None:
    series = make.series()
    # Starts in 30 minutes: both the 24 h and the 1 h reminders are already past.
    session = make.session(
        series,
        status=SessionStatus.DRAFT,
        starts_at=utcnow() + timedelta(minutes=30),
    )
    login(make.organiser())
    page = client.get(f"/organiser/sessions/{session.id}/publish").get_data(as_text=True)
    assert "The 24 h reminder would be due" in page and "The 1 h reminder" in page
    html = client.post(f"/organiser/sessions/{session.id}/publish").get_data(as_text=True)
    assert "Tick the box to publish despite the warnings." in html
    db.session.expire_all()
    assert session.status is SessionStatus.DRAFT
    response = client.post(f"/organiser/sessions/{session.id}/publish", data={"confirm": "y"})
    assert response.status_code == 302
    assert fresh(session).status is SessionStatus.PUBLISHED and session.published_at is not None


def test_session_page_shows_the_line_up_and_links_to_its_editor(
    client: FlaskClient, make: Factories, login: LoginHelper
) -> None:
    session = make.session()
    make.link(session, make.speaker(full_name="Man Hau-chung"))
    make.link(session, make.speaker(full_name="Bobby Liu"), SpeakerRole.MODERATOR)
    login(make.organiser())
    page = client.get(f"/organiser/sessions/{session.id}").get_data(as_text=True)
    assert page.index("Man Hau-chung") < page.index("Bobby Liu")
    assert "Moderator" in page
    assert f'href="/organiser/sessions/{session.id}/speakers"' in page


def test_delete_session_only_without_registrations(
    client: FlaskClient, make: Factories, login: LoginHelper
) -> None:

    series = make.series()
    busy = make.session(series)
    make.registration(busy)
    empty = make.session(series, status=SessionStatus.DRAFT)
    login(make.organiser())
    response = client.post(f"/organiser/sessions/{busy.id}/delete", follow_redirects=True)
    assert "cancel it instead" in response.get_data(as_text=True)
    assert client.post(f"/organiser/sessions/{empty.id}/delete").status_code == 302
    db.session.expire_all()
    assert [s.id for s in db.session.scalars(select(Session))] == [busy.id]


def test_raising_capacity_on_the_edit_form_moves_the_waitlist_up(
    client: FlaskClient, make: Factories, login: LoginHelper
) -> None:
    from eventhub.registration.models import RegistrationStatus

    series = make.series()
    session = make.session(series, starts_at=datetime(2030, 5, 1, 2, 0, tzinfo=UTC), capacity=1)
    make.registration(session)
    waiting = make.registration(
        session,
        status=RegistrationStatus.WAITLISTED,
        waitlisted_at=datetime(2030, 1, 1, tzinfo=UTC),
    )
    login(make.organiser())
    data = _form(starts_at="2030-05-01T10:00", timezone=series.timezone, capacity="2")
    response = client.post(f"/organiser/sessions/{session.id}/edit", data=data)
    assert response.status_code == 302
    db.session.expire_all()
    assert session.capacity == 2
    assert waiting.status is RegistrationStatus.CONFIRMED


def test_capacity_below_the_seats_taken_is_refused_on_the_form(
    client: FlaskClient, make: Factories, login: LoginHelper
) -> None:
    series = make.series()
    session = make.session(series, starts_at=datetime(2030, 5, 1, 2, 0, tzinfo=UTC), capacity=5)
    for _ in range(3):
        make.registration(session)
    login(make.organiser())
    data = _form(starts_at="2030-05-01T10:00", timezone=series.timezone, capacity="2")
    response = client.post(f"/organiser/sessions/{session.id}/edit", data=data)
    assert response.status_code == 200
    assert "3 seats are already taken" in response.get_data(as_text=True)
    db.session.expire_all()
    assert session.capacity == 5
