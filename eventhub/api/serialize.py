"""Models to plain JSON-ready dicts; times in the session's zone with their offset."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import url_for

from eventhub.public.queries import Programme
from eventhub.scheduling.checks import Warning
from eventhub.scheduling.links import public_session_url
from eventhub.scheduling.models import Series, Session
from eventhub.speakers.models import lineup_of
from eventhub.speakers.serialise import speaker_public_dict


def iso(moment: datetime | None, zone: str) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(ZoneInfo(zone)).isoformat()


def series_summary(series: Series) -> dict[str, Any]:
    return {
        "slug": series.slug,
        "title": series.title,
        "summary": series.summary,
        # Traditional Chinese versions ("" when not written) and the series' own language.
        "title_zh": series.title_zh,
        "summary_zh": series.summary_zh,
        "default_language": series.default_language,
        "timezone": series.timezone,
        "url": url_for("public.series", slug=series.slug, _external=True),
        "calendar_url": url_for("public.series_calendar", slug=series.slug, _external=True),
    }


def session_dict(session: Session, programme: Programme) -> dict[str, Any]:
    zone = session.timezone
    availability = programme.availability.get(session.id)
    series_slug = session.series.slug
    return {
        "id": session.id,
        "series_slug": series_slug,
        "number": session.number,
        "title": session.title,
        "slug": session.slug,
        "abstract": session.abstract,
        "title_zh": session.title_zh,
        "abstract_zh": session.abstract_zh,
        "status": session.status.value,
        "status_reason": session.status_reason,
        "timezone": zone,
        "starts_at": iso(session.starts_at, zone),
        "ends_at": iso(session.ends_at, zone),
        "starts_at_utc": session.starts_at.astimezone(UTC).isoformat(),
        "duration_minutes": session.duration_minutes,
        "sequence": session.sequence,
        "capacity": session.capacity,
        "seats_left": availability.seats_left if availability else None,
        "waitlisted": availability.waitlisted if availability else 0,
        "action": availability.action.value if availability else None,
        "registration_opens_at": iso(session.registration_opens_at, zone),
        "registration_closes_at": iso(session.registration_closes_at, zone),
        "requires_approval": session.requires_approval,
        "has_recap": session.id in programme.recap_ids,
        "url": public_session_url(session),
        "ics_url": url_for(
            "public.session_calendar",
            series_slug=series_slug,
            session_slug=session.slug,
            _external=True,
        ),
        "speakers": [speaker_public_dict(link) for link in lineup_of(session)],
    }


def series_dict(series: Series, programme: Programme) -> dict[str, Any]:
    return {
        **series_summary(series),
        "sessions": [session_dict(s, programme) for s in programme.sessions],
    }


def organiser_session_dict(
    session: Session, warnings: list[Warning] | None = None
) -> dict[str, Any]:
    return {
        **session_dict(session, Programme.of([session])),
        "join_url": session.join_url,
        "join_url_only_in_reminders": session.is_join_url_hidden_until_reminder,
        "warnings": [{"code": w.code, "message": w.message} for w in warnings or []],
    }
