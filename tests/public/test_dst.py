"""A session in Europe/London on the weekend the clocks change: right everywhere."""

from __future__ import annotations

from datetime import UTC, datetime

from flask.testing import FlaskClient
from icalendar import Calendar

from eventhub.extensions import db
from tests.support.factories import Factories

# Clocks go forward at 01:00 GMT on Sunday 28 March 2027.
SATURDAY_10_GMT = datetime(2027, 3, 27, 10, 0, tzinfo=UTC)
SUNDAY_10_BST = datetime(2027, 3, 28, 9, 0, tzinfo=UTC)


def _series(make: Factories) -> None:
    series = make.series(slug="london", timezone="Europe/London")
    make.session(series, slug="saturday", starts_at=SATURDAY_10_GMT, number=1)
    make.session(series, slug="sunday", starts_at=SUNDAY_10_BST, number=2)
    db.session.commit()


def test_page_shows_local_time_and_utc_instant(client: FlaskClient, make: Factories) -> None:
    _series(make)
    html = client.get("/series/london").get_data(as_text=True)
    assert (
        '<time datetime="2027-03-27T10:00:00+00:00" data-localtime>Sat 27 Mar 2027, 10:00 GMT'
        in html
    )
    assert (
        '<time datetime="2027-03-28T09:00:00+00:00" data-localtime>Sun 28 Mar 2027, 10:00 BST'
        in html
    )
    session_html = client.get("/series/london/sunday").get_data(as_text=True)
    assert "Sun 28 Mar 2027, 10:00 BST" in session_html


def test_api_gives_offsets_of_each_day(client: FlaskClient, make: Factories) -> None:
    _series(make)
    sessions = client.get("/api/v1/series/london").get_json()["sessions"]
    by_slug = {s["slug"]: s for s in sessions}
    assert by_slug["saturday"]["starts_at"] == "2027-03-27T10:00:00+00:00"
    assert by_slug["sunday"]["starts_at"] == "2027-03-28T10:00:00+01:00"
    assert by_slug["sunday"]["starts_at_utc"] == "2027-03-28T09:00:00+00:00"
    assert by_slug["sunday"]["ends_at"] == "2027-03-28T11:00:00+01:00"
    one = client.get(f"/api/v1/sessions/{by_slug['sunday']['id']}").get_json()
    assert one["starts_at"] == "2027-03-28T10:00:00+01:00"


def test_ics_carries_the_zone_rules_across_the_change(client: FlaskClient, make: Factories) -> None:
    _series(make)
    calendar = Calendar.from_ical(client.get("/series/london/calendar.ics").data)
    starts = {str(e["URL"]).rsplit("/", 1)[1]: e for e in calendar.walk("VEVENT")}
    sunday = starts["sunday"]
    assert sunday["DTSTART"].params["TZID"] == "Europe/London"
    assert sunday["DTSTART"].to_ical() == b"20270328T100000"
    assert sunday.decoded("DTSTART").astimezone(UTC) == SUNDAY_10_BST
    assert starts["saturday"]["DTSTART"].to_ical() == b"20270327T100000"
    assert starts["saturday"].decoded("DTSTART").astimezone(UTC) == SATURDAY_10_GMT
    (zone,) = calendar.walk("VTIMEZONE")
    names = {str(part["TZNAME"]) for part in zone.subcomponents}
    assert {"GMT", "BST"} <= names
