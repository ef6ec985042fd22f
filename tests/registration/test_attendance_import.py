"""Importing the attendance reports meeting tools really export (fixtures: meeting_reports/).

Followed: Zoom's attendee/participant report layouts (Zoom Support, "Generating webinar
reports" and "Using the Usage report"), Microsoft's "View and download meeting attendance
reports in Teams" (UTF-16, tab-separated, three numbered sections) and Google Meet's "Track
attendance in Google Meet" (one row per person with duration and first join / last exit).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select

from eventhub.extensions import db
from eventhub.registration import attendance
from eventhub.registration.meeting_reports import minutes_of, parse
from eventhub.registration.models import Registration
from eventhub.scheduling.models import Session
from tests.support.factories import Factories, LoginHelper

REPORTS = Path(__file__).parent / "meeting_reports"
PEOPLE = (
    "ada.chan@example.org",
    "Ben.Lee@example.org",
    "carol.wong@example.org",
    "dan@example.org",
)


def _session(make: Factories) -> Session:
    session = make.session(title="How does AI reinvent industrialization in Hong Kong?")
    for email in PEOPLE:
        make.registration(session, email)
    db.session.commit()
    return session


def _attended(session: Session) -> set[str]:
    db.session.expire_all()
    return {
        r.email.lower()
        for r in db.session.scalars(
            select(Registration).where(
                Registration.session_id == session.id, Registration.is_attended.is_(True)
            )
        )
    }


# (file, format, attended without a minimum, not counted, unmatched, attended at 10 minutes)
CASES = [
    ("zoom_webinar_attendee_report.csv", "zoom-webinar", {"ada", "carol"}, 1, 2, {"ada"}),
    ("zoom_meeting_participants.csv", "zoom-meeting", {"ada", "carol"}, 0, 3, {"ada"}),
    ("teams_attendance_report.csv", "teams", {"ada", "carol"}, 0, 3, {"ada"}),
    ("google_meet_attendance.csv", "google-meet", {"ada", "carol"}, 0, 2, {"ada"}),
    ("emails.csv", "csv", {"ada", "carol"}, 0, 2, {"ada", "carol"}),
]


def _emails(names: set[str]) -> set[str]:
    return {e.lower() for e in PEOPLE if e.split(".")[0].split("@")[0].lower() in names}


@pytest.mark.parametrize(("name", "fmt", "present", "not_counted", "unmatched", "long"), CASES)
def test_each_vendor_report_marks_only_who_was_there(
    make: Factories,
    name: str,
    fmt: str,
    present: set[str],
    not_counted: int,
    unmatched: int,
    long: set[str],
) -> None:
    session = _session(make)
    data = (REPORTS / name).read_bytes()
    result = attendance.import_attendance(session, data)
    db.session.commit()
    assert result.format == fmt
    assert _attended(session) == _emails(present)
    assert (result.attended, len(result.no_shows), len(result.unmatched)) == (
        len(present),
        not_counted,
        unmatched,
    )
    assert "stranger@example.net" in {row.email for row in result.unmatched}
    # Ben registered and never came: "Attended: No" (Zoom) or absent; never marked.
    assert "ben.lee@example.org" not in _attended(session)

    other = make.session(session.series, title="Same report, a 10-minute minimum")
    for email in PEOPLE:
        make.registration(other, email)
    db.session.commit()
    strict = attendance.import_attendance(other, data, min_minutes=10)
    db.session.commit()
    assert _attended(other) == _emails(long)
    if fmt == "csv":
        assert strict.notes  # a list of emails has no durations to hold against the minimum


def test_rejoins_add_up_and_teams_joins_are_not_counted_twice() -> None:
    zoom = {
        p.email.lower(): p
        for p in parse((REPORTS / "zoom_meeting_participants.csv").read_bytes()).people
    }
    assert zoom["ada.chan@example.org"].minutes == 42 + 51
    teams = parse((REPORTS / "teams_attendance_report.csv").read_bytes())
    [ada] = [p for p in teams.people if p.email.lower() == "ada.chan@example.org"]
    assert round(ada.minutes or 0) == 92  # "2. Participants" only, not plus its two joins
    assert ada.name == "Ada Chan (陳)"
    webinar = parse((REPORTS / "zoom_webinar_attendee_report.csv").read_bytes())
    emails = {p.email.lower() for p in webinar.people}
    assert "team@polyu.example" not in emails and "daniel.yip@example.org" not in emails


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("42", 42),
        ("1h 31m 55s", 91 + 55 / 60),
        ("1 hr 32 min", 92),
        ("8m", 8),
        ("52s", 52 / 60),
        ("01:02:03", 62.05),
        ("--", None),
        ("", None),
    ],
)
def test_durations_in_each_vendors_notation(text: str, minutes: float | None) -> None:
    found = minutes_of(text)
    assert found == minutes if minutes is None else abs((found or 0) - minutes) < 0.01


@pytest.mark.parametrize(
    "data",
    [b"", b"\x00\x01\x02garbage", b"name\nAda\n", "名前\n陳\n".encode("utf-16")],
)
def test_files_without_addresses_are_refused_with_a_message(make: Factories, data: bytes) -> None:
    session = _session(make)
    with pytest.raises(attendance.ImportProblem):
        attendance.import_attendance(session, data)


def test_the_cli_prints_matched_attended_and_unmatched(
    make: Factories, runner: FlaskCliRunner
) -> None:
    session = _session(make)
    path = REPORTS / "zoom_webinar_attendee_report.csv"
    result = runner.invoke(
        args=["eventhub", "import-attendance", str(session.id), str(path), "--min-minutes", "10"]
    )
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "matched: 3" in lines
    assert "attended: 1 (1 newly marked)" in lines
    assert "unmatched: 2" in lines
    assert any("Ben.Lee@Example.org" in line and "Attended: No" in line for line in lines)
    assert _attended(session) == {"ada.chan@example.org"}
    missing = runner.invoke(args=["eventhub", "import-attendance", "999999", str(path)])
    assert missing.exit_code != 0 and "No session with id 999999" in missing.output


def test_the_organiser_upload_uses_the_same_parser(
    client: FlaskClient, make: Factories, login: LoginHelper
) -> None:
    organiser = make.organiser()
    session = _session(make)
    session.series.organiser_id = organiser.id
    db.session.commit()
    login(organiser)
    data = (REPORTS / "teams_attendance_report.csv").read_bytes()
    import io

    page = client.post(
        f"/organiser/registrations/sessions/{session.id}/attendance-import",
        data={"file": (io.BytesIO(data), "attendance.csv"), "min_minutes": "10"},
        content_type="multipart/form-data",
    )
    text = page.get_data(as_text=True)
    assert page.status_code == 200, text
    assert "<strong>2</strong> matched" in text and "<strong>1</strong> attended" in text
    assert "stranger@example.net" in text and "under the 10 min minimum" in text
    assert _attended(session) == {"ada.chan@example.org"}
