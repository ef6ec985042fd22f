"""A long series: its page shows the next webinars and folds the past; the rest is paged."""

from __future__ import annotations

import re
from datetime import timedelta

from flask.testing import FlaskClient

from eventhub.clock import utcnow
from eventhub.extensions import db
from eventhub.public.queries import LIST_PAGE_SIZE, PAST_SHOWN, UPCOMING_SHOWN
from eventhub.scheduling.models import Series
from tests.support.factories import Factories


def _long_series(make: Factories, past: int, upcoming: int) -> Series:
    series = make.series(slug="long")
    now = utcnow().replace(microsecond=0)
    number = 0
    for n in range(past):
        number += 1
        make.session(
            series, starts_at=now - timedelta(days=n + 1), title=f"Past-{n + 1:03d}", number=number
        )
    for n in range(upcoming):
        number += 1
        make.session(
            series, starts_at=now + timedelta(days=n + 1), title=f"Next-{n + 1:03d}", number=number
        )
    db.session.commit()
    return series


def _titles(html: str) -> list[str]:
    # Each title appears more than once in a card (heading, hidden label): keep the order seen.
    seen: list[str] = []
    for title in re.findall(r"(?:Past|Next)-\d{3}", html):
        if title not in seen:
            seen.append(title)
    return seen


def test_series_page_shows_the_next_webinars_and_the_latest_past(
    client: FlaskClient, make: Factories
) -> None:
    _long_series(make, past=20, upcoming=30)
    page = client.get("/series/long").get_data(as_text=True)
    expected_next = [f"Next-{n:03d}" for n in range(1, UPCOMING_SHOWN + 1)]
    expected_past = [f"Past-{n:03d}" for n in range(1, PAST_SHOWN + 1)]
    assert _titles(page) == expected_next + expected_past
    assert 'href="/series/long/webinars/upcoming"' in page
    assert 'href="/series/long/webinars/past"' in page


def test_the_lists_page_through_every_webinar(client: FlaskClient, make: Factories) -> None:
    _long_series(make, past=20, upcoming=30)
    first = client.get("/series/long/webinars/upcoming").get_data(as_text=True)
    assert _titles(first) == [f"Next-{n:03d}" for n in range(1, LIST_PAGE_SIZE + 1)]
    assert "page=2" in first and "page=0" not in first
    second = client.get("/series/long/webinars/upcoming?page=2").get_data(as_text=True)
    assert _titles(second) == [f"Next-{n:03d}" for n in range(LIST_PAGE_SIZE + 1, 31)]
    assert "page=1" in second and "page=3" not in second
    past = client.get("/series/long/webinars/past").get_data(as_text=True)
    assert _titles(past) == [f"Past-{n:03d}" for n in range(1, 21)]
    assert client.get("/series/long/webinars/upcoming?page=3").status_code == 404
    assert client.get("/series/long/webinars/upcoming?page=-1").status_code == 404
    assert client.get("/series/long/webinars/elsewhere").status_code == 404


def test_a_short_series_is_shown_whole_without_links(client: FlaskClient, make: Factories) -> None:
    _long_series(make, past=3, upcoming=5)
    page = client.get("/series/long").get_data(as_text=True)
    assert _titles(page) == [f"Next-{n:03d}" for n in range(1, 6)] + [
        f"Past-{n:03d}" for n in range(1, 4)
    ]
    assert "/webinars/" not in page


def test_a_webinar_in_progress_is_listed_as_upcoming(client: FlaskClient, make: Factories) -> None:
    series = _long_series(make, past=PAST_SHOWN + 2, upcoming=1)
    make.session(
        series, starts_at=utcnow() - timedelta(minutes=10), title="Past-999", number=99
    )  # started ten minutes ago, runs for an hour: still ahead of the audience
    db.session.commit()
    titles = _titles(client.get("/series/long").get_data(as_text=True))
    assert titles[:2] == ["Past-999", "Next-001"]
    assert titles[2:] == [f"Past-{n:03d}" for n in range(1, PAST_SHOWN + 1)]
    past_list = _titles(client.get("/series/long/webinars/past").get_data(as_text=True))
    assert "Past-999" not in past_list and len(past_list) == PAST_SHOWN + 2
