"""How times read everywhere: "Thu 12 Mar 2027, 14:30 HKT"."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo, available_timezones

from babel.dates import format_datetime, get_timezone_name

_LOCALE = "en_GB"


def zone_abbreviation(moment: datetime, zone: str) -> str:
    local = moment.astimezone(ZoneInfo(zone))
    abbreviation = local.tzname() or ""
    # tzdata spells some zones only as an offset ("+08"); Babel knows a friendlier short name.
    if abbreviation.startswith(("+", "-")):
        abbreviation = get_timezone_name(local, width="short", locale=_LOCALE, zone_variant=None)
    return abbreviation


def format_moment(moment: datetime, zone: str, *, with_date: bool = True) -> str:
    local = moment.astimezone(ZoneInfo(zone))
    pattern = "EEE d MMM y, HH:mm" if with_date else "HH:mm"
    return f"{format_datetime(local, pattern, locale=_LOCALE)} {zone_abbreviation(moment, zone)}"


def format_duration(minutes: int) -> str:
    return f"{minutes} min"


def is_valid_zone(name: str) -> bool:
    return name in _zones()


_ZONES: frozenset[str] | None = None


def _zones() -> frozenset[str]:
    global _ZONES
    if _ZONES is None:
        _ZONES = frozenset(available_timezones())
    return _ZONES


def zone_choices() -> list[str]:
    return sorted(_zones())
