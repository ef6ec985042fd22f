"""Served .ics files parsed back with icalendar: UID, SEQUENCE, STATUS, VTIMEZONE, join link."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask.testing import FlaskClient
from icalendar import Calendar

from eventhub.clock import utcnow
from eventhub.extensions import db
from eventhub.scheduling import lifecycle
from eventhub.scheduling.calendar import session_ics
from eventhub.scheduling.models import SessionStatus
from tests.support.factories import Factories


def _events(body: bytes) -> list:
    return list(Calendar.from_ical(body).walk("VEVENT"))


def test_session_ics_has_stable_uid_zone_and_join_link(
    client: FlaskClient, make: Factories
) -> None:
    series = make.series(slug="s", title="Re-industrialization", timezone="Asia/Hong_Kong")
    session = make.session(
        series,
        slug="w1",
        title="University role",
        starts_at=datetime(2027, 3, 12, 6, 30, tzinfo=UTC),
        duration_minutes=90,
        join_url="https://meet.example.org/j/42",
    )
    make.link(session, make.speaker(full_name="Daniel Yip"))
    db.session.commit()

    response = client.get("/series/s/w1/calendar.ics")

    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    calendar = Calendar.from_ical(response.data)
    (event,) = calendar.walk("VEVENT")
    assert str(event["UID"]) == f"session-{session.id}@eventhub"
    assert int(event["SEQUENCE"]) == 0
    assert str(event["STATUS"]) == "CONFIRMED"
    start = event.decoded("DTSTART")
    assert start == datetime(2027, 3, 12, 6, 30, tzinfo=UTC)
    assert event["DTSTART"].params["TZID"] == "Asia/Hong_Kong"
    assert start.utcoffset() == timedelta(hours=8)
    assert event.decoded("DTEND") - start == timedelta(minutes=90)
    assert "https://meet.example.org/j/42" in str(event["DESCRIPTION"])
    assert "Daniel Yip" in str(event["DESCRIPTION"])
    assert str(event["LOCATION"]) == "https://meet.example.org/j/42"
    assert str(event["URL"]).endswith("/series/s/w1")
    zones = [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")]
    assert zones == ["Asia/Hong_Kong"]


def test_reschedule_raises_sequence_and_cancel_marks_cancelled(
    client: FlaskClient, make: Factories
) -> None:
    series = make.series(slug="s")
    session = make.session(series, slug="w1")
    uid = f"session-{session.id}@eventhub"
    lifecycle.reschedule_session(
        session, session.starts_at + timedelta(days=1), 60, "The speaker's flight moved."
    )
    db.session.commit()
    (event,) = _events(client.get("/series/s/w1/calendar.ics").data)
    assert (str(event["UID"]), int(event["SEQUENCE"])) == (uid, 1)

    lifecycle.cancel_session(session, "Not enough speakers.")
    db.session.commit()
    body = client.get("/series/s/w1/calendar.ics").data
    (event,) = _events(body)
    assert str(event["UID"]) == uid
    assert int(event["SEQUENCE"]) == 2
    assert str(event["STATUS"]) == "CANCELLED"
    assert str(Calendar.from_ical(body)["METHOD"]) == "CANCEL"


def test_series_feed_lists_public_sessions_including_cancelled(
    client: FlaskClient, make: Factories
) -> None:
    series = make.series(slug="s", title="Series", timezone="Europe/London")
    kept = make.session(series, slug="a")
    gone = make.session(series, slug="b", status=SessionStatus.CANCELLED)
    make.session(series, slug="c", status=SessionStatus.DRAFT)
    db.session.commit()

    response = client.get("/series/s/calendar.ics")

    calendar = Calendar.from_ical(response.data)
    assert str(calendar["X-WR-CALNAME"]) == "Series"
    assert str(calendar["METHOD"]) == "PUBLISH"
    statuses = {str(e["UID"]): str(e["STATUS"]) for e in calendar.walk("VEVENT")}
    assert statuses == {
        f"session-{kept.id}@eventhub": "CONFIRMED",
        f"session-{gone.id}@eventhub": "CANCELLED",
    }
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/London"]


def test_hidden_join_link_stays_out_of_public_files_but_not_invites(
    client: FlaskClient, make: Factories
) -> None:
    series = make.series(slug="s")
    session = make.session(
        series,
        slug="w",
        join_url="https://secret.example.org/j",
        starts_at=utcnow() + timedelta(days=2),
        is_join_url_hidden_until_reminder=True,
    )
    db.session.commit()
    assert b"secret.example.org" not in client.get("/series/s/w/calendar.ics").data
    assert b"secret.example.org" not in client.get("/series/s/calendar.ics").data
    # session_ics keeps its contract: callers (reminders) decide about the join link.
    assert b"secret.example.org" in session_ics(session)
    assert b"secret.example.org" not in session_ics(session, include_join_url=False)
