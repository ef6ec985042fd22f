"""The attendee journey in a real browser: register from the session page, manage, cancel."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from eventhub.extensions import db
from eventhub.registration.models import Registration, RegistrationStatus
from tests.support.browser import chromium_page
from tests.support.factories import Factories
from tests.support.live import live_server

pytestmark = pytest.mark.browser


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    # The journey goes through the real forms, tokens included.
    return {**app_config, "WTF_CSRF_ENABLED": True}


def test_register_manage_and_cancel(app: Flask, make: Factories) -> None:
    series = make.series(slug="reindustrialization", title="Re-industrialization")
    make.session(series, slug="w1", title="How does AI reinvent industry?", capacity=20)
    make.question(series, "Your role?", is_required=True)
    db.session.commit()
    with live_server(app) as server, chromium_page(timezone_id="Europe/Berlin") as page:
        page.goto(server.url + "/series/reindustrialization/w1")
        # The browser's own zone is filled in for the attendee.
        assert page.get_by_label("Your time zone").input_value() == "Europe/Berlin"
        page.get_by_label("Name", exact=True).fill("Ada Chan")
        page.get_by_label("Email").fill("Ada@Example.org")
        page.get_by_role("button", name="Register").last.click()
        # A required question left empty: the error sits by the field, the input is kept.
        page.wait_for_selector("text=This question needs an answer.")
        assert page.get_by_label("Name", exact=True).input_value() == "Ada Chan"
        page.get_by_label("Your role?").fill("Engineer")
        page.get_by_label("I agree to the privacy statement of this series.").check()
        page.get_by_role("button", name="Register").last.click()
        page.wait_for_selector("text=You're registered.")
        body = page.locator("main").inner_text()
        # In the attendee's zone, with the series' zone beside it.
        assert "Confirmed" in body and "HKT" in body
        assert "CET" in body or "CEST" in body
        page.get_by_role("link", name="Cancel my registration").click()
        page.get_by_role("button", name="Yes, cancel").click()
        page.wait_for_selector("text=Your registration is cancelled.")
    db.session.rollback()
    registration = db.session.scalar(select(Registration))
    assert registration is not None
    assert registration.email == "ada@example.org"
    assert registration.timezone == "Europe/Berlin"
    assert list(registration.answers.values()) == ["Engineer"]
    assert registration.status is RegistrationStatus.CANCELLED
