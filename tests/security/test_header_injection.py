"""Finding 1: an encoded word holding CR/LF never becomes a header of a mail we send."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from eventhub.clock import utcnow
from eventhub.extensions import db
from eventhub.mail.compose import UnsendableMessage, build_message
from eventhub.mail.models import OutboxMessage
from eventhub.registration.models import Registration
from tests.support.factories import Factories, outbox_row

SENDER = "eventhub <no-reply@eventhub.example>"
ATTACK = "=?utf-8?q?Ann=0D=0ASubject:_Account_suspended=0D=0AX-Evil:_1=0D=0A?="
HOSTILE_NAMES = [
    ATTACK,
    "Ann =?utf-8?b?DQpCY2M6IHZpY3RpbUBleGFtcGxlLm9yZw==?=",
    "Ann\r\nBcc: victim@example.org",
    "Ann\x00",
    "Ann\u2028Bcc: victim@example.org",
]


def _body(name: str) -> dict[str, object]:
    return {"name": name, "email": "ann@example.org", "consent": True}


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_api_refuses_names_that_could_reach_a_header(
    client: FlaskClient, make: Factories, name: str
) -> None:
    session = make.session()
    db.session.commit()
    response = client.post(f"/api/v1/sessions/{session.id}/registrations", json=_body(name))
    if "\x00" in name:  # refused before the schema sees it (test_hostile_input)
        assert response.status_code == 400
    else:
        assert response.status_code == 422
        assert "name" in response.get_json()["errors"]
    assert db.session.scalars(select(Registration)).all() == []


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_form_refuses_names_that_could_reach_a_header(
    client: FlaskClient, make: Factories, name: str
) -> None:
    session = make.session()
    db.session.commit()
    url = f"/sessions/{session.id}/register"
    response = client.post(url, data={"name": name, "email": "ann@example.org", "consent": "y"})
    assert response.status_code in (200, 400, 422)
    assert db.session.scalars(select(Registration)).all() == []


def _row(**fields: object) -> OutboxMessage:
    ann = {"recipient_email": "ann@example.org", "recipient_name": "Ann"}
    return outbox_row(**{"id": 9, "dedupe_key": "confirmation:1:9", **ann, **fields})


def test_a_stored_hostile_name_is_refused_at_send_time_not_sent() -> None:
    # Rows written before the input check (or by any other path) are checked once more.
    with pytest.raises(UnsendableMessage):
        build_message(_row(recipient_name=ATTACK), SENDER, utcnow())


def test_ordinary_and_non_ascii_names_still_build() -> None:
    for name in ("Ann O'Neil", "Zoë Ångström", "陳大文", "Smith, John (Dr.)"):
        message = build_message(
            _row(recipient_name=name, subject=f"Hello {name}"), SENDER, utcnow()
        )
        assert message["To"].addresses[0].display_name == name
