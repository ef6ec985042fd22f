"""Series rules: create, edit, duplicate, delete (only while nothing depends on it)."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select

from eventhub import signals
from eventhub.accounts.models import User
from eventhub.extensions import db
from eventhub.i18n import ENGLISH, join_list, localised, normalise
from eventhub.scheduling.errors import Problems, SchedulingError
from eventhub.scheduling.models import DEFAULT_REMINDER_OFFSETS, Series, Session, SessionStatus
from eventhub.scheduling.slugs import is_valid_slug, slugify, unique_slug
from eventhub.timefmt import is_valid_zone

MAX_REMINDER_MINUTES = 60 * 24 * 30
# "(copy)" in Chinese, with full-width brackets as Chinese text writes them.
COPY_MARK_ZH = "\uff08副本\uff09"

# What a session copied with its series keeps of its source; the copy starts as a draft.
_KEPT_BY_A_COPY = (
    "number",
    "title",
    "title_zh",
    "slug",
    "abstract",
    "abstract_zh",
    "starts_at",
    "duration_minutes",
    "timezone",
    "join_url",
    "is_join_url_hidden_until_reminder",
    "capacity",
    "registration_opens_at",
    "registration_closes_at",
    "requires_approval",
    "seat_offer_hours",
    "reminder_offsets_minutes",
)


@dataclass
class SeriesData:
    title: str
    timezone: str
    summary: str = ""
    slug: str | None = None
    # Traditional Chinese versions (optional) and the language of readers with no preference.
    title_zh: str = ""
    summary_zh: str = ""
    default_language: str = "en"
    reminder_offsets_minutes: list[int] = field(
        default_factory=lambda: list(DEFAULT_REMINDER_OFFSETS)
    )
    follow_up_delay_minutes: int = 120
    is_published: bool = False
    privacy_statement: str = ""


def _slug_taken(slug: str, exclude_id: int | None = None) -> bool:
    query = select(Series.id).where(Series.slug == slug)
    if exclude_id is not None:
        query = query.where(Series.id != exclude_id)
    return db.session.scalar(query) is not None


def _check(data: SeriesData, existing: Series | None) -> None:
    problems = Problems()
    if not data.title.strip():
        problems.add("title", _("Give the series a title."))
    elif len(data.title) > 200:
        problems.add("title", _("Keep the title under 200 characters."))
    if len(data.title_zh) > 200:
        problems.add("title_zh", _("Keep the title under 200 characters."))
    if normalise(data.default_language) is None:
        problems.add("default_language", _("Choose English or Traditional Chinese."))
    if data.slug is not None:
        if not is_valid_slug(data.slug):
            problems.add("slug", _("Use lower-case letters, digits and single hyphens only."))
        elif _slug_taken(data.slug, existing.id if existing else None):
            problems.add("slug", _("Another series already uses “%(slug)s”.", slug=data.slug))
    if not is_valid_zone(data.timezone):
        problems.add(
            "timezone",
            _(
                "“%(zone)s” is not a time zone name (e.g. Asia/Hong_Kong).",
                zone=data.timezone,
            ),
        )
    offsets = data.reminder_offsets_minutes
    if any(o <= 0 or o > MAX_REMINDER_MINUTES for o in offsets):
        problems.add(
            "reminder_offsets_minutes", _("Each reminder must be 1 minute to 30 days before.")
        )
    elif len(set(offsets)) != len(offsets):
        problems.add("reminder_offsets_minutes", _("List each reminder time once."))
    if data.follow_up_delay_minutes < 0:
        problems.add("follow_up_delay_minutes", _("The follow-up delay cannot be negative."))
    problems.raise_if_any()


def _apply(series: Series, data: SeriesData) -> None:
    series.title = data.title.strip()
    series.summary = data.summary.strip()
    series.title_zh = data.title_zh.strip()
    series.summary_zh = data.summary_zh.strip()
    series.default_language = normalise(data.default_language) or ENGLISH
    series.timezone = data.timezone
    series.reminder_offsets_minutes = sorted(set(data.reminder_offsets_minutes), reverse=True)
    series.follow_up_delay_minutes = data.follow_up_delay_minutes
    series.is_published = data.is_published
    series.privacy_statement = data.privacy_statement.strip()


def create_series(data: SeriesData, organiser: User | None = None) -> Series:
    """Create a series; the slug is generated from the title unless given."""
    _check(data, None)
    series = Series(organiser=organiser)
    _apply(series, data)
    series.slug = data.slug or unique_slug(slugify(data.title), _slug_taken)
    db.session.add(series)
    db.session.flush()
    signals.series_created.send(series, creator=organiser)
    return series


def update_series(series: Series, data: SeriesData) -> Series:
    """Change a series' settings (an empty slug keeps the current one)."""
    _check(data, series)
    _apply(series, data)
    if data.slug:
        series.slug = data.slug
    db.session.flush()
    return series


def duplicate_series(series: Series, organiser: User | None = None) -> Series:
    """Copy a series and its sessions as unpublished drafts, speakers included."""
    copy = Series(
        title=f"{series.title} (copy)",
        # The Chinese title is marked as a copy in its own words too.
        title_zh=f"{series.title_zh}{COPY_MARK_ZH}" if series.title_zh else "",
        summary=series.summary,
        summary_zh=series.summary_zh,
        default_language=series.default_language,
        timezone=series.timezone,
        reminder_offsets_minutes=list(series.reminder_offsets_minutes),
        follow_up_delay_minutes=series.follow_up_delay_minutes,
        banner_path=series.banner_path,
        privacy_statement=series.privacy_statement,
        is_published=False,
        organiser=organiser or series.organiser,
    )
    copy.slug = unique_slug(slugify(f"{series.slug}-copy"), _slug_taken)
    db.session.add(copy)
    sources = list(series.sessions)
    with db.session.no_autoflush:
        for source in sources:
            kept = {name: getattr(source, name) for name in _KEPT_BY_A_COPY}
            session = Session(series=copy, **kept, status=SessionStatus.DRAFT)
            # The domains above copy what they attach to a session (speakers: the line-up).
            signals.session_copied.send(source, copy=session)
            db.session.add(session)
    db.session.flush()
    # The domains above copy what they attach to a series (registration: its questions).
    signals.series_copied.send(series, copy=copy)
    signals.series_created.send(copy, creator=organiser)
    return copy


def dependants(series: Series) -> list[str]:
    """What stops a series from being deleted, in words (empty when it can go).

    The domains above scheduling (registrations, recaps) answer for what they hold.
    """
    return [
        reason for _receiver, reasons in signals.deleting_series.send(series) for reason in reasons
    ]


def delete_series(series: Series) -> None:
    """Delete a series and its sessions, refused once anyone or anything depends on it."""
    reasons = dependants(series)
    if reasons:
        raise SchedulingError(
            _(
                "“%(title)s” cannot be deleted: it has %(reasons)s. Unpublish it instead.",
                title=localised(series, "title"),
                reasons=join_list(reasons),
            )
        )
    db.session.delete(series)
    db.session.flush()
