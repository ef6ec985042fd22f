"""Pages and the series API cost a fixed number of statements, however long the programme."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from eventhub.clock import utcnow
from eventhub.extensions import db
from eventhub.speakers.models import SpeakerRole
from tests.support.factories import Factories
from tests.support.programme import install_recap_page
from tests.support.statements import count_statements


def _programme(make: Factories, sessions: int) -> str:
    series = make.series(slug=f"series-{sessions}")
    speakers = [make.speaker() for _ in range(4)]
    for n in range(sessions):
        # Half past, half upcoming; every session with three speakers, one a moderator.
        starts = utcnow() + timedelta(days=n - sessions // 2, hours=2)
        session = make.session(series, starts_at=starts, capacity=50, slug=f"w{n + 1}")
        for i, speaker in enumerate(speakers[n % 2 : n % 2 + 3]):
            make.link(session, speaker, SpeakerRole.MODERATOR if i == 2 else SpeakerRole.SPEAKER)
        make.registration(session)
        if starts < utcnow():
            make.recap(session)
    db.session.commit()
    return series.slug


def _count(client: FlaskClient, url: str) -> int:
    db.session.remove()
    with count_statements(db.engine) as log:
        response = client.get(url)
    assert response.status_code == 200, url
    return log.count


@pytest.mark.parametrize(
    "path",
    [
        "/series/{slug}",
        "/series/{slug}/{last}",
        "/api/v1/series/{slug}",
        "/series/{slug}/calendar.ics",
    ],
)
def test_statement_count_does_not_grow_with_sessions(
    app: Flask, client: FlaskClient, make: Factories, path: str
) -> None:
    install_recap_page(app)
    small = _programme(make, 2)
    large = _programme(make, 40)
    # The session page is measured on each series' last webinar: upcoming, registration open.
    small_count = _count(client, path.format(slug=small, last="w2"))
    large_count = _count(client, path.format(slug=large, last="w40"))
    assert small_count == large_count
    # A handful: page data plus the registration form's own lookups, never one per session.
    assert small_count <= 16


def test_home_statement_count_is_fixed(app: Flask, client: FlaskClient, make: Factories) -> None:
    install_recap_page(app)
    _programme(make, 2)
    first = _count(client, "/")
    _programme(make, 40)
    assert _count(client, "/") == first
