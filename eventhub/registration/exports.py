"""Registrant lists for organisers: filtered queries and a streamed CSV export."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, func, or_, select

from eventhub.extensions import db
from eventhub.registration.models import Registration, RegistrationQuestion, RegistrationStatus
from eventhub.scheduling.models import Session

PAGE_SIZE = 100
STREAM_BATCH = 1000


@dataclass(frozen=True)
class Filters:
    status: str = ""
    attended: str = ""
    q: str = ""

    @classmethod
    def from_args(cls, args: Any) -> Filters:
        status = args.get("status", "")
        if status not in {s.value for s in RegistrationStatus}:
            status = ""
        attended = args.get("attended", "")
        if attended not in {"yes", "no"}:
            attended = ""
        return cls(status=status, attended=attended, q=(args.get("q") or "").strip()[:200])

    def as_args(self) -> dict[str, str]:
        return {
            k: v
            for k, v in {"status": self.status, "attended": self.attended, "q": self.q}.items()
            if v
        }


def _filtered(query: Select[Any], filters: Filters) -> Select[Any]:
    if filters.status:
        query = query.where(Registration.status == RegistrationStatus(filters.status))
    if filters.attended:
        query = query.where(Registration.is_attended.is_(filters.attended == "yes"))
    if filters.q:
        like = f"%{filters.q.lower()}%"
        query = query.where(
            or_(
                func.lower(Registration.name).like(like),
                Registration.email.like(like),
                func.lower(Registration.organisation).like(like),
            )
        )
    return query


def registrants_query(session_ids: list[int], filters: Filters) -> Select[Any]:
    query = (
        select(Registration)
        .join(Session)
        .where(Registration.session_id.in_(session_ids))
        .order_by(Session.number, Registration.created_at, Registration.id)
    )
    return _filtered(query, filters)


def page_of(session_ids: list[int], filters: Filters, page: int) -> tuple[list[Registration], int]:
    query = registrants_query(session_ids, filters)
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    rows = db.session.scalars(query.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE))
    return list(rows), int(total or 0)


def status_counts(session_ids: list[int]) -> dict[str, int]:
    rows = db.session.execute(
        select(Registration.status, func.count())
        .where(Registration.session_id.in_(session_ids))
        .group_by(Registration.status)
    )
    counts = {status.value: int(count) for status, count in rows}
    counts["attended"] = int(
        db.session.scalar(
            select(func.count()).where(
                Registration.session_id.in_(session_ids), Registration.is_attended.is_(True)
            )
        )
        or 0
    )
    return counts


_COLUMNS = (
    "session_number",
    "session_title",
    "name",
    "email",
    "organisation",
    "timezone",
    "status",
)
_TIMES = ("registered_at", "confirmed_at", "waitlisted_at", "cancelled_at")
_AFTER = ("cancel_reason", "attended", "marketing_consent")
# Excel opens a CSV as UTF-8 only when it starts with a byte order mark (else 陳 becomes é™³).
BOM = "\ufeff"
# Excel reads "2027-03-12 14:30:00" as a date and time; ISO 8601 with an offset it does not.
_EXCEL_TIME = "%Y-%m-%d %H:%M:%S"


def header(questions: list[RegistrationQuestion], zone: str) -> list[str]:
    times = [f"{name} ({label})" for name in _TIMES for label in (zone, "UTC")]
    return [*_COLUMNS, *times, *_AFTER, *(q.label for q in questions)]


def _times(moment: datetime | None, zone: ZoneInfo) -> list[str]:
    if moment is None:
        return ["", ""]
    return [
        moment.astimezone(zone).strftime(_EXCEL_TIME),
        moment.astimezone(UTC).strftime(_EXCEL_TIME),
    ]


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    # Spreadsheet apps run cells starting with these as formulas (CSV injection).
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def stream_csv(
    session_ids: list[int],
    filters: Filters,
    questions: list[RegistrationQuestion],
    zone_name: str = "UTC",
) -> Iterator[str]:
    """CSV lines, fetched in batches with a server-side cursor: constant memory at any size.

    Starts with a BOM for Excel; every time twice, in `zone_name` (the series' zone) and UTC.
    """
    zone = ZoneInfo(zone_name)
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    # Question labels are organiser text: a header cell is as dangerous as any other.
    writer.writerow(_cell(h) for h in header(questions, zone_name))
    yield BOM + flush()
    query: Select[Any] = (
        select(  # type: ignore[assignment]
            Session.number,
            Session.title,
            Registration.name,
            Registration.email,
            Registration.organisation,
            Registration.timezone,
            Registration.status,
            Registration.created_at,
            Registration.confirmed_at,
            Registration.waitlisted_at,
            Registration.cancelled_at,
            Registration.cancel_reason,
            Registration.is_attended,
            Registration.is_marketing_consent,
            Registration.answers,
        )
        .join(Session)
        .where(Registration.session_id.in_(session_ids))
        .order_by(Session.number, Registration.id)
    )
    query = _filtered(query, filters).execution_options(yield_per=STREAM_BATCH)
    for count, row in enumerate(db.session.execute(query), start=1):
        (number, title, name, email, organisation, reader_zone, status, *times) = tuple(row)[:11]
        reason, attended, marketing, answers = tuple(row)[11:]
        fields: list[Any] = [number, title, name, email, organisation, reader_zone, status.value]
        for moment in times:
            fields.extend(_times(moment, zone))
        fields.extend([reason, "yes" if attended else "no", "yes" if marketing else "no"])
        for question in questions:
            value: Any = (answers or {}).get(str(question.id), "")
            fields.append("; ".join(value) if isinstance(value, list) else value)
        writer.writerow([_cell(v) for v in fields])
        if count % 200 == 0:
            yield flush()
    yield flush()
