"""How times read everywhere: "Thu 12 Mar 2027, 14:30 HKT", "2027年3月12日 星期五 下午2:30 HKT"."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, available_timezones

from babel.dates import format_datetime, get_timezone_name
from flask_babel import ngettext

from eventhub.i18n import format_locale

_LOCALE = "en_GB"
# Per format locale: with the date, and the time alone. Hong Kong writes the date in full
# characters with the weekday and a 12-hour clock (上午/下午).
_PATTERNS = {
    "en_GB": ("EEE d MMM y, HH:mm", "HH:mm"),
    "zh_Hant_HK": ("y年M月d日 EEEE ah:mm", "ah:mm"),
}


def zone_abbreviation(moment: datetime, zone: str) -> str:
    local = moment.astimezone(ZoneInfo(zone))
    abbreviation = local.tzname() or ""
    # tzdata spells some zones only as an offset ("+08"); Babel knows a friendlier short name.
    if abbreviation.startswith(("+", "-")):
        abbreviation = get_timezone_name(local, width="short", locale=_LOCALE, zone_variant=None)
    return abbreviation


def format_moment(
    moment: datetime, zone: str, *, with_date: bool = True, locale: str | None = None
) -> str:
    """In `locale` (a Babel id), else the language being rendered now."""
    locale = locale or format_locale()
    local = moment.astimezone(ZoneInfo(zone))
    with_date_pattern, time_pattern = _PATTERNS.get(locale, _PATTERNS[_LOCALE])
    pattern = with_date_pattern if with_date else time_pattern
    return f"{format_datetime(local, pattern, locale=locale)} {zone_abbreviation(moment, zone)}"


@dataclass(frozen=True)
class TwoZones:
    """A moment as one reader reads it: in their zone, and in the series' zone ("" when that
    reads the same)."""

    local: str
    series: str

    def inline(self) -> str:
        """ "Thu 12 Mar 2027, 14:30 GMT (Thu 12 Mar 2027, 22:30 HKT)"."""
        return f"{self.local} ({self.series})" if self.series else self.local


def in_two_zones(moment: datetime, reader_zone: str | None, series_zone: str) -> TwoZones:
    """The one way an email writes a time: the reader's (else the series') zone, and the
    series' zone beside it when it reads otherwise."""
    zone = reader_zone if reader_zone and is_valid_zone(reader_zone) else series_zone
    local = format_moment_often(moment, zone)
    theirs = format_moment_often(moment, series_zone)
    return TwoZones(local, theirs if theirs != local else "")


def format_moment_often(moment: datetime, zone: str) -> str:
    """`format_moment` in the language being rendered, remembered: a fan-out formats the same
    start time for thousands of readers in a handful of zones."""
    return _format_moment_in(moment, zone, format_locale())


@lru_cache(maxsize=4096)
def _format_moment_in(moment: datetime, zone: str, locale: str) -> str:
    return format_moment(moment, zone, locale=locale)


def format_duration(minutes: int) -> str:
    return ngettext("%(num)d min", "%(num)d min", minutes)


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
