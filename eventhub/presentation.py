"""Template filters and globals: how times, durations and Markdown read on every page."""

from __future__ import annotations

from datetime import datetime

from flask import Flask

from eventhub.markup import render_markdown
from eventhub.scheduling.links import public_session_path
from eventhub.timefmt import format_duration, format_moment


def install_template_helpers(app: Flask) -> None:
    app.jinja_env.filters["moment"] = _moment
    app.jinja_env.filters["duration"] = format_duration
    app.jinja_env.filters["markdown"] = render_markdown
    app.jinja_env.filters["isoformat"] = _isoformat
    app.jinja_env.globals["site_name"] = "eventhub"
    # A session's public page, for any page that links to it.
    app.jinja_env.globals["public_session_url"] = public_session_path


def _moment(value: datetime | None, zone: str, with_date: bool = True) -> str:
    if value is None:
        return ""
    return format_moment(value, zone, with_date=with_date)


def _isoformat(value: datetime | None) -> str:
    return value.isoformat() if value else ""
