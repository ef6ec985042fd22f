"""The CSV export streams: 50,000 rows in bounded memory, never all loaded at once."""

from __future__ import annotations

import tracemalloc

import pytest
from flask.testing import FlaskClient
from sqlalchemy import insert

from eventhub.clock import utcnow
from eventhub.extensions import db
from eventhub.registration.models import Registration, RegistrationStatus
from tests.support.factories import Factories, LoginHelper

ROWS = 50_000


@pytest.mark.slow
def test_fifty_thousand_rows_stream_in_bounded_memory(
    client: FlaskClient, make: Factories, login: LoginHelper
) -> None:
    session = make.session()
    now = utcnow()
    db.session.execute(
        insert(Registration),
        [
            {
                "session_id": session.id,
                "email": f"person{n}@example.org",
                "name": f"Person {n}",
                "organisation": "Example",
                "timezone": "Europe/London",
                "answers": {},
                "status": RegistrationStatus.CONFIRMED,
                "is_marketing_consent": False,
                "consented_at": now,
                "confirmed_at": now,
                "cancel_reason": "",
                "is_attended": False,
                "token_version": 0,
                "created_at": now,
                "updated_at": now,
            }
            for n in range(ROWS)
        ],
    )
    login(make.organiser())
    response = client.get(
        f"/organiser/registrations/sessions/{session.id}/export.csv", buffered=False
    )
    assert response.is_streamed
    lines = 0
    chunks = 0
    tracemalloc.start()
    try:
        for chunk in response.response:
            text = chunk.decode() if isinstance(chunk, bytes) else chunk
            lines += text.count("\n")
            chunks += 1
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        response.close()
    assert lines == ROWS + 1
    assert chunks > 100  # sent as it is read, not as one body
    # All rows as ORM objects would take hundreds of MB; the stream stays small.
    assert peak < 30 * 1024 * 1024, peak
