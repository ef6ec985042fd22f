"""Public calendar files as clients read them: ical.js (Thunderbird's parser) and icalendar.

Rules: RFC 5545 (§3.1 folding at 75 octets, §3.8.4.7 UID globally unique and stable, §3.8.7.4
SEQUENCE, §3.8.1.5 DESCRIPTION as text), RFC 5546 §3.2.1 (PUBLISH: ORGANIZER, no ATTENDEE),
RFC 7986 §5.7 (REFRESH-INTERVAL), RFC 2046 §4.1.2 (one charset parameter).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask.testing import FlaskClient

from eventhub.extensions import db
from eventhub.scheduling import lifecycle
from eventhub.scheduling.models import SessionStatus
from tests.support.calendars import read_calendar, read_calendars
from tests.support.factories import Factories

JOIN = "https://meet.example.org/j/42?pwd=secret"


def test_public_session_ics_is_publish_without_join_link_or_attendee(
    client: FlaskClient, make: Factories
) -> None:
    series = make.series(slug="s", title="Re-industrialization", timezone="Asia/Hong_Kong")
    session = make.session(
        series,
        slug="w1",
        title="University role",
        abstract="The **university's** role, see [the report](https://example.org/r).",
        starts_at=datetime(2027, 3, 12, 6, 30, tzinfo=UTC),
        duration_minutes=90,
        join_url=JOIN,
    )
    make.link(session, make.speaker(full_name="Daniel Yip"))
    db.session.commit()

    response = client.get("/series/s/w1/calendar.ics")

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    read = read_calendar(response.data)
    event = read.event
    assert read.icaljs["method"] == "PUBLISH"
    assert event["uid"] == f"{session.calendar_uid}@eventhub" and len(session.calendar_uid) == 36
    assert event["sequence"] == 0 and event["status"] == "CONFIRMED"
    assert event["start_tzid"] == "Asia/Hong_Kong"
    assert event["start_utc"] == int(datetime(2027, 3, 12, 6, 30, tzinfo=UTC).timestamp())
    assert event["end_utc"] - event["start_utc"] == 90 * 60
    assert "meet.example.org" not in response.data.decode()
    assert event["location"] == "Online"
    assert "The university's role, see the report (https://example.org/r)." in event["description"]
    assert "**" not in event["description"] and "Daniel Yip" in event["description"]
    assert event["organizer"] == "mailto:no-reply@eventhub.localhost"
    assert event["organizer_cn"] == "Re-industrialization"
    assert event["attendees"] == []
    assert event["url"].endswith("/series/s/w1")


def test_uid_is_stable_per_session_and_unique_between_sessions(
    client: FlaskClient, make: Factories
) -> None:
    series = make.series(slug="s")
    first = make.session(series, slug="w1")
    second = make.session(series, slug="w2")
    db.session.commit()
    one = read_calendar(client.get("/series/s/w1/calendar.ics").data).event["uid"]
    lifecycle.reschedule_session(first, first.starts_at + timedelta(days=1), 60, "Flight moved.")
    db.session.commit()
    after = read_calendar(client.get("/series/s/w1/calendar.ics").data).event
    other = read_calendar(client.get("/series/s/w2/calendar.ics").data).event["uid"]
    assert (after["uid"], after["sequence"]) == (one, 1)
    assert other != one and other == f"{second.calendar_uid}@eventhub"


def test_a_cancelled_session_stays_published_as_cancelled(
    client: FlaskClient, make: Factories
) -> None:
    series = make.series(slug="s")
    session = make.session(series, slug="w1")
    db.session.commit()
    lifecycle.cancel_session(session, "Not enough speakers.")
    db.session.commit()
    read = read_calendar(client.get("/series/s/w1/calendar.ics").data)
    assert read.icaljs["method"] == "PUBLISH"
    assert (read.event["status"], read.event["sequence"]) == ("CANCELLED", 1)
    assert read.event["description"].startswith("CANCELLED. Not enough speakers.")


def test_series_feed_lists_public_sessions_without_join_links(
    client: FlaskClient, make: Factories
) -> None:
    series = make.series(slug="s", title="Series", timezone="Europe/London")
    kept = make.session(series, slug="a", join_url=JOIN)
    gone = make.session(series, slug="b", status=SessionStatus.CANCELLED, join_url=JOIN)
    make.session(series, slug="c", status=SessionStatus.DRAFT)
    db.session.commit()

    response = client.get("/series/s/calendar.ics")

    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert b"meet.example.org" not in response.data
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT6H" in response.data
    [feed] = read_calendars(response.data)
    assert feed.icaljs["method"] == "PUBLISH"
    assert {e["uid"]: e["status"] for e in feed.icaljs["events"]} == {
        f"{kept.calendar_uid}@eventhub": "CONFIRMED",
        f"{gone.calendar_uid}@eventhub": "CANCELLED",
    }
    assert feed.icaljs["timezones"] == ["Europe/London"]
    assert all(e["attendees"] == [] for e in feed.icaljs["events"])
