"""Templates call no function that queries the database: a page's data comes from its view.

Every template global, filter and context processor that eventhub registers is listed in
`EXAMPLES` with a call a template would make; each is called with loaded rows under a statement
counter and must run none. A helper that is not listed fails the test, so a new one is checked
the day it is added (list it with an example, or pass the data in from the view instead).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from flask import Flask
from sqlalchemy import event, func, select
from sqlalchemy.orm import joinedload

from eventhub.extensions import db
from eventhub.registration.models import Registration, RegistrationStatus
from eventhub.scheduling.models import Session
from tests.support.factories import Factories

Example = Callable[[Callable[..., Any], dict[str, Any]], object]

# name -> how a template calls it, given the helper and loaded rows (`session`, `speaker`).
EXAMPLES: dict[str, dict[str, Example]] = {
    "globals": {
        "avatar_colours": lambda f, rows: f("ada-lovelace"),
        "current_language": lambda f, rows: f(),
        "emphasis": lambda f, rows: f("now"),
        "lang_attr": lambda f, rows: f(rows["session"], "title"),
        "language_of": lambda f, rows: f(rows["session"], "title"),
        "link": lambda f, rows: f("https://example.org", "a link"),
        "localised": lambda f, rows: f(rows["session"], "title"),
        "public_session_url": lambda f, rows: f(rows["session"]),
        "quoted": lambda f, rows: f("a title"),
        "speaker_initials": lambda f, rows: f("Ada Lovelace"),
        "speaker_text_name": lambda f, rows: f(rows["speaker"]),
        "status_label": lambda f, rows: f(RegistrationStatus.WAITLISTED),
        "strong": lambda f, rows: f("bold"),
        "upload_url": lambda f, rows: f("speakers/photo.jpg"),
        "url_for": lambda f, rows: f("public.home"),
    },
    "filters": {
        "action_label": lambda f, rows: f("public.home"),
        "change_label": lambda f, rows: f("title"),
        "change_value": lambda f, rows: f(True),
        "duration": lambda f, rows: f(90),
        "isoformat": lambda f, rows: f(datetime(2026, 1, 1, tzinfo=UTC)),
        "markdown": lambda f, rows: f("**bold**"),
        "moment": lambda f, rows: f(datetime(2026, 1, 1, tzinfo=UTC), "Asia/Hong_Kong"),
    },
}


def _ours(value: object) -> bool:
    return callable(value) and (getattr(value, "__module__", None) or "").startswith("eventhub")


def helpers(app: Flask) -> dict[str, dict[str, Callable[..., Any]]]:
    """The callables eventhub put into the Jinja environment, by namespace."""
    return {
        kind: {name: value for name, value in getattr(app.jinja_env, kind).items() if _ours(value)}
        for kind in EXAMPLES
    }


@contextmanager
def counted_statements() -> Iterator[list[str]]:
    statements: list[str] = []

    def note(*args: Any) -> None:
        statements.append(args[2])

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", note)


def querying_helpers(
    app: Flask, rows: dict[str, Any], examples: dict[str, dict[str, Example]] = EXAMPLES
) -> list[str]:
    """`kind name: statement` for each listed helper that ran a statement when called."""
    found = []
    for kind, registered in helpers(app).items():
        for name, helper in sorted(registered.items()):
            with counted_statements() as statements:
                examples[kind][name](helper, rows)
            found += [f"{kind} {name}: {statement}" for statement in statements]
    return found


def _loaded_rows(make: Factories) -> dict[str, Any]:
    session = make.session(title="A webinar")
    speaker = make.speaker(full_name="Ada Lovelace")
    make.link(session, speaker)
    db.session.commit()
    # What a view hands its template: rows with what the page reads already loaded.
    loaded = db.session.get(
        Session, session.id, options=[joinedload(Session.series)], populate_existing=True
    )
    db.session.refresh(speaker)
    return {"session": loaded, "speaker": speaker}


def test_every_template_helper_is_listed_with_an_example(app: Flask) -> None:
    unlisted = [
        f"{kind} {name}"
        for kind, registered in helpers(app).items()
        for name in registered
        if name not in EXAMPLES[kind]
    ]
    assert unlisted == [], "list each in EXAMPLES, or have the view pass the data in"
    processors = [
        f"{processor.__module__}.{processor.__qualname__}"
        for functions in app.template_context_processors.values()
        for processor in functions
        if _ours(processor)
    ]
    assert processors == [], "a context processor runs for every page: pass data from views"


def test_no_template_helper_runs_a_statement(app: Flask, make: Factories) -> None:
    rows = _loaded_rows(make)
    with app.test_request_context("/"):
        assert querying_helpers(app, rows) == []


def test_a_helper_that_queries_is_caught(app: Flask, make: Factories) -> None:
    rows = _loaded_rows(make)

    # The shape this test exists to refuse: a global that counts a session's registrations.
    def seats_taken(session: Any) -> int | None:
        return db.session.scalar(
            select(func.count(Registration.id)).where(Registration.session_id == session.id)
        )

    seats_taken.__module__ = "eventhub.registration.example"
    app.jinja_env.globals["seats_taken"] = seats_taken
    examples = {kind: dict(listed) for kind, listed in EXAMPLES.items()}
    examples["globals"]["seats_taken"] = lambda f, rows: f(rows["session"])
    with app.test_request_context("/"):
        found = querying_helpers(app, rows, examples)
    assert [line.split(":")[0] for line in found] == ["globals seats_taken"]
