"""Every calendar object read by two independent parsers: ical.js (node) and icalendar.

ical.js is Mozilla's parser (Thunderbird's); run.py installs it from tests/support/icaljs's
package-lock.json with `npm ci`. Without node or that install the calling test skips (fails
under CI=true).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from icalendar import Calendar

from tests.support.services import unavailable

ICALJS = Path(__file__).resolve().parent / "icaljs"


def icaljs_read(*documents: bytes) -> list[dict[str, Any]]:
    """What ical.js understood of each document (one node process for all of them)."""
    node = shutil.which("node")
    if node is None:
        unavailable("node is not installed: ical.js cannot check the calendar files")
    if not (ICALJS / "node_modules" / "ical.js").is_dir():
        unavailable("ical.js is not installed: run `npm ci` in tests/support/icaljs (run.py does)")
    texts = [document.decode("utf-8") for document in documents]
    result = subprocess.run(
        [str(node), str(ICALJS / "parse.mjs")],
        input=json.dumps(texts),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    parsed: list[dict[str, Any]] = json.loads(result.stdout)
    for item in parsed:
        assert "error" not in item, f"ical.js could not parse the calendar: {item['error']}"
    return parsed


@dataclass
class Read:
    """One calendar as both parsers read it."""

    icaljs: dict[str, Any]
    icalendar: Calendar

    @property
    def event(self) -> dict[str, Any]:
        [event] = self.icaljs["events"]
        return event


def read_calendars(*documents: bytes) -> list[Read]:
    """Parse each document with both parsers and check what both must agree on."""
    reads = []
    for document, seen in zip(documents, icaljs_read(*documents), strict=True):
        assert document.endswith(b"\r\n") and b"\n" not in document.replace(b"\r\n", b"")
        assert all(len(line) <= 75 for line in document.split(b"\r\n")), "unfolded long line"
        calendar = Calendar.from_ical(document)
        assert not calendar.errors
        methods = [str(c.get("method")) for c in [calendar] if c.get("method")]
        assert methods == ([seen["method"]] if seen["method"] else [])
        events = calendar.walk("VEVENT")
        assert [str(e["UID"]) for e in events] == [e["uid"] for e in seen["events"]]
        for event, other in zip(events, seen["events"], strict=True):
            assert not event.errors
            assert int(event.get("SEQUENCE", 0)) == (other["sequence"] or 0)
            start = event.decoded("DTSTART")
            assert int(start.timestamp()) == other["start_utc"], "the parsers disagree on DTSTART"
            if other["start_tzid"]:
                assert other["start_tzid"] in seen["timezones"], "TZID without its VTIMEZONE"
                assert other["start_zone_known"]
        reads.append(Read(seen, calendar))
    return reads


def read_calendar(document: bytes) -> Read:
    [read] = read_calendars(document)
    return read
