"""Unsubscribe: a confirmation page, RFC 8058 one-click, and resubscribe."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from eventhub.emails.unsubscribe import (
    is_unsubscribed,
    list_unsubscribe_headers,
    unsubscribe_token,
)
from eventhub.extensions import db
from tests.support.factories import Factories


def test_get_asks_and_post_unsubscribes(client: FlaskClient, make: Factories) -> None:
    series = make.series(title="Re-industrialization")
    db.session.commit()
    token = unsubscribe_token(series.id, "Ada@Example.org")
    page = client.get(f"/unsubscribe/{token}")
    assert page.status_code == 200 and "ada@example.org" in page.get_data(as_text=True)
    assert not is_unsubscribed(series.id, "ada@example.org")  # a link scanner changes nothing
    done = client.post(f"/unsubscribe/{token}")
    assert done.status_code == 200 and "You are unsubscribed" in done.get_data(as_text=True)
    assert is_unsubscribed(series.id, "ADA@example.org")
    client.post(f"/unsubscribe/{token}/resubscribe")
    assert not is_unsubscribed(series.id, "ada@example.org")


def test_bad_tokens_are_not_found(client: FlaskClient, make: Factories) -> None:
    series = make.series()
    db.session.commit()
    token = unsubscribe_token(series.id, "ada@example.org")
    assert client.get(f"/unsubscribe/{token}x").status_code == 404
    assert client.post(f"/unsubscribe/{token[:-3]}/one-click").status_code == 404


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    return app_config


def test_one_click_post_works_without_a_csrf_token(
    app_config: dict[str, Any], make: Factories
) -> None:
    from eventhub import create_app

    app_config["WTF_CSRF_ENABLED"] = True
    protected: Flask = create_app(app_config)
    with protected.app_context():
        series = make.series()
        db.session.commit()
        headers = list_unsubscribe_headers(series.id, "ada@example.org")
        url = headers["List-Unsubscribe"].strip("<>").replace("http://eventhub.test", "")
        client = protected.test_client()
        # Our own confirmation form is CSRF-protected…
        token = url.split("/")[2]
        assert client.post(f"/unsubscribe/{token}").status_code == 400
        # …while a mail client's one-click POST is not (RFC 8058 sends no cookies or tokens).
        response = client.post(url, data={"List-Unsubscribe": "One-Click"})
        assert response.status_code == 200
        assert is_unsubscribed(series.id, "ada@example.org")
        db.session.remove()


@pytest.mark.parametrize("way", ["manage page", "email link", "one-click"])
def test_every_way_to_unsubscribe_has_the_same_effect(
    client: FlaskClient, make: Factories, way: str
) -> None:
    """Before, the manage page kept the address's case and left queued mail to go out."""
    from sqlalchemy import select

    from eventhub.clock import utcnow
    from eventhub.emails.announcements import Audience, send_announcement
    from eventhub.mail.models import MessageKind, MessageStatus, OutboxMessage, Unsubscribe
    from eventhub.registration.manage_links import manage_token

    series = make.series()
    session = make.session(series)
    mine = make.registration(session, "Ada.Lovelace@Example.org", is_marketing_consent=True)
    other = make.registration(
        make.session(series), "ada.lovelace@example.org", is_marketing_consent=True
    )
    send_announcement(
        series,
        subject="News",
        body_markdown="x",
        audience=Audience.ALL,
        session_id=None,
        batch_id="b",
        now=utcnow(),
    )
    db.session.commit()
    token = unsubscribe_token(series.id, mine.email)
    if way == "manage page":
        client.post(f"/manage/{manage_token(mine)}/unsubscribe")
    elif way == "email link":
        client.post(f"/unsubscribe/{token}")
    else:
        client.post(f"/unsubscribe/{token}/one-click", data={"List-Unsubscribe": "One-Click"})
    db.session.expire_all()
    assert [(u.series_id, u.email) for u in db.session.scalars(select(Unsubscribe))] == [
        (series.id, "ada.lovelace@example.org")
    ]
    assert (mine.is_marketing_consent, other.is_marketing_consent) == (False, False)
    queued = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == MessageKind.ANNOUNCEMENT)
    ).all()
    assert queued and {m.status for m in queued} == {MessageStatus.SUPPRESSED}
