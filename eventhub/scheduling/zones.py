"""Wall-clock times in a named zone, refusing the ones that DST makes missing or ambiguous."""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask_babel import get_locale
from flask_babel import gettext as _


class WallClock(enum.StrEnum):
    """Which of two identical wall-clock readings an organiser meant (clocks going back)."""

    EARLIER = "earlier"
    LATER = "later"


class LocalTimeProblem(ValueError):
    """A wall-clock time that does not exist, or exists twice, in the zone."""

    def __init__(self, message: str, *, ambiguous: bool = False) -> None:
        super().__init__(message)
        self.ambiguous = ambiguous


def _offset_label(moment: datetime) -> str:
    offset = moment.utcoffset()
    assert offset is not None
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    minutes = abs(minutes)
    return f"{moment.tzname()}, UTC{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def _reading(naive: datetime) -> str:
    """A wall-clock reading as the organiser's language writes it (no zone: it is in the text)."""
    locale = get_locale()
    if locale is not None and locale.language == "zh":
        return f"{naive.year}年{naive.month}月{naive.day}日 {naive:%H:%M}"
    return f"{naive:%d %b %Y %H:%M}"


def is_gap(naive: datetime, zone: ZoneInfo) -> bool:
    """The clocks jump over this reading (spring forward): no such moment exists."""
    local = naive.replace(tzinfo=zone)
    round_trip = local.astimezone(UTC).astimezone(zone).replace(tzinfo=None)
    return round_trip != naive


def is_ambiguous(naive: datetime, zone: ZoneInfo) -> bool:
    """The clocks pass this reading twice (fall back)."""
    first = naive.replace(tzinfo=zone, fold=0)
    second = naive.replace(tzinfo=zone, fold=1)
    return first.utcoffset() != second.utcoffset() and not is_gap(naive, zone)


def ambiguity_choices(naive: datetime, zone_name: str) -> list[tuple[str, str]]:
    """The two readings of an ambiguous time, labelled with their offsets, for a form."""
    zone = ZoneInfo(zone_name)
    first = naive.replace(tzinfo=zone, fold=0)
    second = naive.replace(tzinfo=zone, fold=1)
    stamp = naive.strftime("%H:%M")
    return [
        (
            WallClock.EARLIER.value,
            _("The first %(time)s (%(offset)s)", time=stamp, offset=_offset_label(first)),
        ),
        (
            WallClock.LATER.value,
            _("The second %(time)s (%(offset)s)", time=stamp, offset=_offset_label(second)),
        ),
    ]


def to_utc(naive: datetime, zone_name: str, choice: WallClock | None = None) -> datetime:
    """Interpret a wall-clock reading in `zone_name`; refuse gaps, and ambiguity unless chosen."""
    if naive.tzinfo is not None:
        raise ValueError("to_utc expects a wall-clock (naive) reading")
    zone = ZoneInfo(zone_name)
    if is_gap(naive, zone):
        raise LocalTimeProblem(
            _(
                "%(reading)s does not exist in %(zone)s: the clocks go forward then. Choose a "
                "time before or after the change.",
                reading=_reading(naive),
                zone=zone_name,
            )
        )
    if is_ambiguous(naive, zone):
        if choice is None:
            raise LocalTimeProblem(
                _(
                    "%(reading)s happens twice in %(zone)s because the clocks go back. Say "
                    "which one you mean.",
                    reading=_reading(naive),
                    zone=zone_name,
                ),
                ambiguous=True,
            )
        naive = naive.replace(fold=1 if choice is WallClock.LATER else 0)
    return naive.replace(tzinfo=zone).astimezone(UTC)


def to_wall_clock(moment: datetime, zone_name: str) -> tuple[datetime, WallClock | None]:
    """A stored UTC moment as the reading a form shows, plus which fold when it is ambiguous."""
    local = moment.astimezone(ZoneInfo(zone_name))
    naive = local.replace(tzinfo=None, fold=0)
    if is_ambiguous(naive, ZoneInfo(zone_name)):
        return naive, WallClock.LATER if local.fold else WallClock.EARLIER
    return naive, None
