"""Reading the attendance reports meeting tools export, as they really come.

Formats (written from the vendors' documentation; no real file can be downloaded here):

- Zoom webinar attendee report (Reports > Webinars > Attendee report): a preamble (report
  title, a webinar summary table), then "Host Details", "Panelist Details", "Attendee Details"
  and "Other Attended" sections, each with its own header; an `Attended` Yes/No column, one row
  per join (a rejoin is another row), `Time in Session (minutes)`, "--" for no-shows, emails
  as typed (often upper-case).
- Zoom meeting participants report (Reports > Usage > Participants): a meeting summary table
  (Meeting ID, Topic, …, the host's User Email), a blank line, then one row per join with
  `Name (Original Name)`, `User Email`, `Duration (Minutes)`.
- Microsoft Teams attendance report (.csv from the meeting's Attendance tab): UTF-16 with a BOM,
  tab-separated, sections "1. Summary", "2. Participants" (one row per person: First Join, Last
  Leave, In-Meeting Duration such as `1h 2m 3s`, Email, Role) and "3. In-Meeting Activities"
  (one row per join). Older exports have only the per-join rows.
- Google Meet attendance report (attendance tracking, a Sheet downloaded as CSV): First name,
  Last name, Email, Duration (`1 hr 2 min`), Time joined, Time exited.
- A plain CSV of emails, with or without an "email" heading.

The parser only reads; `attendance.import_attendance` decides who is marked.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from flask_babel import gettext as _

from eventhub.refusal import Refusal

MAX_REPORT_BYTES = 10 * 1024 * 1024
# Sections of a Zoom webinar report whose people are not registrants.
_STAFF_SECTIONS = ("host details", "panelist details")
# Teams' per-join section: used only when the per-person section is missing.
_ACTIVITY_SECTION = "in-meeting activities"
# "Email" (Zoom webinars, Teams, Meet), "User Email" (Zoom meetings), "E-mail address", …
_EMAIL_HEADING = re.compile(r"((user|attendee|participant|registrant)\s+)?e-?mail(\s+address)?")
_EMAIL = re.compile(r"^[^@\s<>\"',;]+@[^@\s<>\"',;]+\.[^@\s<>\"',;]+$")
_DURATION_PART = re.compile(
    r"(\d+(?:\.\d+)?)\s*(h|hr|hrs|hour|hours|m|min|mins|minute|minutes|s|sec|secs|second|seconds)\b"
)


class ReportProblem(Refusal):
    """The file cannot be read as an attendance report; the message says why."""


@dataclass
class Attendance:
    """One person in a report, their rows (rejoins) folded together."""

    email: str  # as written in the file
    name: str
    line: int  # first line they appear on
    minutes: float | None = None  # None: the report gives no duration
    attended: bool | None = None  # None: the report has no Attended column

    def add(self, minutes: float | None, attended: bool | None) -> None:
        if minutes is not None:
            self.minutes = (self.minutes or 0) + minutes
        if attended is not None:
            self.attended = bool(self.attended) or attended


@dataclass
class BadRow:
    line: int
    text: str
    reason: str


@dataclass
class Report:
    format: str
    people: list[Attendance] = field(default_factory=list)
    bad_rows: list[BadRow] = field(default_factory=list)


def decode(data: bytes) -> str:
    """UTF-16 with a BOM (Teams), UTF-8 with or without one (Zoom, Meet), else cp1252 (Excel)."""
    if len(data) > MAX_REPORT_BYTES:
        raise ReportProblem(_("The file is larger than 10 MB."))
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        # UTF-16 without a BOM: guess the byte order from where the zero bytes are. A file
        # that is not UTF-16 either (a stray NUL in a text file, a binary) is refused, not a 500.
        try:
            return data.decode("utf-16-le" if data[1:2] == b"\x00" else "utf-16-be")
        except UnicodeDecodeError as exc:
            raise ReportProblem(
                _("The file holds NUL characters; it is not a text export.")
            ) from exc
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise ReportProblem(
                _("The file is not text in a known encoding (save it as UTF-8 CSV).")
            ) from exc
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ReportProblem(_("The file is not text in a known encoding (save it as UTF-8 CSV)."))


def _rows(text: str) -> list[list[str]]:
    if "\x00" in text:
        raise ReportProblem(_("The file holds NUL characters; it is not a text export."))
    first_lines = text.splitlines()[:40]
    tabs = sum(line.count("\t") for line in first_lines)
    commas = sum(line.count(",") for line in first_lines)
    delimiter = "\t" if tabs > commas else ","
    return [
        [cell.strip() for cell in row] for row in csv.reader(io.StringIO(text), delimiter=delimiter)
    ]


def minutes_of(value: str) -> float | None:
    """`42`, `41.5`, `1h 2m 3s`, `1 hr 2 min`, `45 min`, `01:02:03`, `--` → minutes or None."""
    value = value.strip().lower()
    if not value or value in {"--", "-", "n/a"}:
        return None
    if re.fullmatch(r"\d+(\.\d+)?", value):
        return float(value)
    if re.fullmatch(r"\d{1,3}:\d{2}(:\d{2})?", value):
        parts = [int(p) for p in value.split(":")]
        if len(parts) == 2:
            parts = [0, *parts]  # mm:ss is rarer than hh:mm:ss, but Meet writes h:mm:ss
        hours, mins, secs = parts
        return hours * 60 + mins + secs / 60
    total, found = 0.0, False
    for amount, unit in _DURATION_PART.findall(value):
        found = True
        number = float(amount)
        if unit.startswith("h"):
            total += number * 60
        elif unit.startswith("s"):
            total += number / 60
        else:
            total += number
    return total if found else None


def _yes_no(value: str) -> bool | None:
    lowered = value.strip().lower()
    if lowered in {"yes", "y", "true", "1"}:
        return True
    if lowered in {"no", "n", "false", "0"}:
        return False
    return None


@dataclass
class _Columns:
    email: int
    name: list[int]
    duration: int | None
    attended: int | None

    @classmethod
    def find(cls, header: list[str]) -> _Columns | None:
        lowered = [h.lower() for h in header]
        emails = [i for i, h in enumerate(lowered) if _EMAIL_HEADING.fullmatch(h)]
        if not emails:
            return None
        # Teams: "Email" and "Participant ID (UPN)"; Zoom meetings: "User Email".
        email = emails[0]
        if "first name" in lowered and "last name" in lowered:
            name = [lowered.index("first name"), lowered.index("last name")]
        else:
            name = [
                i
                for i, h in enumerate(lowered)
                if ("name" in h and "email" not in h and "title" not in h)
            ][:1]
        duration = next(
            (
                i
                for i, h in enumerate(lowered)
                if "duration" in h or "time in session" in h or h.startswith("minutes")
            ),
            None,
        )
        attended = lowered.index("attended") if "attended" in lowered else None
        return cls(email, name, duration, attended)


def _is_summary(header: list[str]) -> bool:
    # Zoom's meeting and webinar summary tables name the host, not a participant.
    lowered = {h.lower() for h in header}
    return bool(lowered & {"meeting id", "webinar id", "topic"})


def _section_title(row: list[str]) -> str | None:
    cells = [c for c in row if c]
    if len(cells) == 1 and "@" not in cells[0] and len(cells[0]) <= 60:
        return cells[0].lower()
    return None


def _tables(rows: list[list[str]]) -> Iterator[tuple[str, _Columns, list[tuple[int, list[str]]]]]:
    """(section title, columns, [(line, row)]) for each table that has an email column."""
    section = ""
    columns: _Columns | None = None
    width = 0
    body: list[tuple[int, list[str]]] = []
    for line, row in enumerate(rows, start=1):
        if not any(row):
            continue
        found = _Columns.find(row) if not any(_EMAIL.match(c) for c in row) else None
        if found is not None:
            if columns is not None:
                yield section, columns, body
            columns, body = (None, []) if _is_summary(row) else (found, [])
            width = sum(1 for cell in row if cell)
            continue
        title = _section_title(row)
        # In a one-column list every row is one cell: those are entries, not section titles.
        if title is not None and (columns is None or width > 1):
            if columns is not None:
                yield section, columns, body
                columns, body = None, []
            section = re.sub(r"^\d+\.\s*", "", title)
            continue
        if columns is not None:
            body.append((line, row))
    if columns is not None:
        yield section, columns, body


def _cell(row: list[str], index: int | None) -> str:
    return row[index] if index is not None and index < len(row) else ""


def _detect(rows: list[list[str]], sections: list[str]) -> str:
    flat = " ".join(" ".join(r) for r in rows[:15]).lower()
    if "attendee report" in flat or "attendee details" in sections:
        return "zoom-webinar"
    if "meeting id" in flat:
        return "zoom-meeting"
    if "participants" in sections or _ACTIVITY_SECTION in sections:
        return "teams"
    if "time joined" in flat or "time exited" in flat:
        return "google-meet"
    return "csv"


def parse(data: bytes) -> Report:
    """Every person the report lists, rejoins folded, with minutes and Attended when given."""
    rows = _rows(decode(data))
    tables = list(_tables(rows))
    sections = [section for section, _, _ in tables]
    report = Report(format=_detect(rows, sections))
    if not tables:
        return _plain_list(rows, report)
    use_activity = "participants" not in sections
    people: dict[str, Attendance] = {}
    for section, columns, body in tables:
        if section in _STAFF_SECTIONS:
            continue
        if section == _ACTIVITY_SECTION and not use_activity:
            continue  # the same joins, already summed per person in "2. Participants"
        for line, row in body:
            raw = _cell(row, columns.email)
            name = " ".join(_cell(row, i) for i in columns.name).strip()
            if not _EMAIL.match(raw):
                reason = _("no email address") if not raw else _("not an email address")
                report.bad_rows.append(BadRow(line, name or " ".join(row)[:80], reason))
                continue
            minutes = minutes_of(_cell(row, columns.duration))
            attended = (
                _yes_no(_cell(row, columns.attended)) if columns.attended is not None else None
            )
            key = raw.lower()
            person = people.get(key)
            if person is None:
                person = people[key] = Attendance(email=raw, name=name, line=line)
            person.add(minutes, attended)
    report.people = list(people.values())
    return report


def _plain_list(rows: list[list[str]], report: Report) -> Report:
    """No heading names an email column: every cell that is an address is one attendee."""
    seen: dict[str, Attendance] = {}
    for line, row in enumerate(rows, start=1):
        addresses = [c for c in row if _EMAIL.match(c)]
        if not addresses and any(row):
            report.bad_rows.append(BadRow(line, " ".join(row)[:80], _("no email address")))
        for address in addresses:
            seen.setdefault(address.lower(), Attendance(email=address, name="", line=line))
    if not seen:
        raise ReportProblem(_("No email addresses were found in the file."))
    report.format = "csv"
    report.people = list(seen.values())
    return report
