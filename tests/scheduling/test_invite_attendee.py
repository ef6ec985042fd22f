"""An invite's ATTENDEE line is what icalendar writes for it inside a VEVENT, byte for byte.

calendar._attendee_lines writes the line from icalendar's content line and folds plain ASCII
lines itself (icalendar's fold walks the line a character at a time); the reference here is
the VEVENT icalendar writes around the same vCalAddress, as the invite was built before.
"""

from __future__ import annotations

import pytest
from icalendar import Event, vCalAddress, vText

from eventhub.scheduling.calendar import Attendee, _attendee_lines

NAMES = [
    "Person 0",
    "",
    "Ada Lovelace",
    "Smith, John (Dr.)",
    'O\'Neil; Ann: the "second"',
    "Back\\slash and caret^ and more caret^^",
    "Zoë Ångström",
    "陳大文",
    "A" * 40,
    "A" * 47,  # the fold falls on the quote, then on the colon, then inside "mailto"
    "A" * 48,
    "A very long name " * 12,
    "Nearly 74 characters exactly so the mailto lands on the line boundary x",
    "^" * 80,
    "\\" * 80,
]
EMAILS = ["person0@example.org", "a" * 60 + "@example.org", "x@" + "sub." * 30 + "example.org"]


def _reference(attendee: Attendee, cancelled: bool) -> bytes:
    address = vCalAddress(f"mailto:{attendee.email}")
    if attendee.name:
        address.params["CN"] = vText(attendee.name)
    address.params["ROLE"] = "REQ-PARTICIPANT"
    address.params["PARTSTAT"] = "DECLINED" if cancelled else "ACCEPTED"
    address.params["RSVP"] = "FALSE"
    holder = Event()
    holder.add("attendee", address)
    return bytes(holder.to_ical()).split(b"\r\n", 1)[1][: -len(b"END:VEVENT\r\n")]


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("email", EMAILS)
@pytest.mark.parametrize("cancelled", [False, True])
def test_the_attendee_line_is_icalendars(name: str, email: str, cancelled: bool) -> None:
    attendee = Attendee(name=name, email=email)
    assert _attendee_lines(attendee, cancelled) == _reference(attendee, cancelled)
