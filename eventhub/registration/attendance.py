"""Who attended: marking by hand, and importing a meeting tool's participant CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from email_validator import EmailNotValidError
from sqlalchemy import select

from eventhub.clock import utcnow
from eventhub.extensions import db
from eventhub.registration.forms import normalise_email
from eventhub.registration.models import Registration
from eventhub.scheduling.models import Session

MAX_IMPORT_BYTES = 10 * 1024 * 1024


class ImportProblem(Exception):
    """The file cannot be read as an attendance export; the message says why."""


@dataclass
class UnmatchedRow:
    line: int
    email: str
    name: str
    reason: str


@dataclass
class ImportResult:
    matched: int = 0
    already: int = 0
    rows: int = 0
    unmatched: list[UnmatchedRow] = field(default_factory=list)


def mark(registration: Registration, attended: bool, now: datetime | None = None) -> None:
    """Set or clear attendance on one registration."""
    registration.is_attended = attended
    registration.attended_at = (now or utcnow()) if attended else None
    db.session.flush()


def mark_many(registrations: Iterable[Registration], attended: bool) -> int:
    count = 0
    for registration in registrations:
        if registration.is_attended != attended:
            mark(registration, attended)
            count += 1
    return count


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportProblem("The file is not text in a known encoding (save it as UTF-8 CSV).")


def _header(rows: list[list[str]]) -> tuple[int, int, int | None]:
    """Header row index, its email column and a name column (tools add a preamble above)."""
    for index, row in enumerate(rows[:30]):
        lowered = [cell.strip().lower() for cell in row]
        email_columns = [i for i, c in enumerate(lowered) if "email" in c or "e-mail" in c]
        if email_columns:
            names = [i for i, c in enumerate(lowered) if "name" in c and "email" not in c]
            return index, email_columns[0], (names[0] if names else None)
    raise ImportProblem("No column with “email” in its heading was found.")


def import_attendance(session: Session, data: bytes, now: datetime | None = None) -> ImportResult:
    """Mark every registrant whose email appears in the export; report the rows that match none."""
    if len(data) > MAX_IMPORT_BYTES:
        raise ImportProblem("The file is larger than 10 MB.")
    now = now or utcnow()
    rows = list(csv.reader(io.StringIO(_decode(data))))
    start, email_col, name_col = _header(rows)
    by_email = {
        r.email: r
        for r in db.session.scalars(
            select(Registration).where(Registration.session_id == session.id)
        )
    }
    result = ImportResult()
    seen: set[str] = set()
    for offset, row in enumerate(rows[start + 1 :], start=start + 2):
        if not any(cell.strip() for cell in row):
            continue
        result.rows += 1
        raw = row[email_col].strip() if email_col < len(row) else ""
        name = row[name_col].strip() if name_col is not None and name_col < len(row) else ""
        try:
            email = normalise_email(raw)
        except EmailNotValidError:
            result.unmatched.append(UnmatchedRow(offset, raw, name, "no valid email"))
            continue
        if email in seen:
            continue  # the meeting tool lists each rejoin as a row
        seen.add(email)
        registration = by_email.get(email)
        if registration is None:
            result.unmatched.append(UnmatchedRow(offset, raw, name, "not registered"))
        elif registration.is_attended:
            result.already += 1
        else:
            mark(registration, True, now)
            result.matched += 1
    return result
