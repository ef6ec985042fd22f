"""An organiser plans a webinar in a real browser; a visitor elsewhere sees it in their time."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from eventhub.extensions import db
from tests.support.browser import chromium_page
from tests.support.factories import PASSWORD, Factories
from tests.support.live import LiveServer, live_server

pytestmark = pytest.mark.browser


@pytest.fixture
def server(app: Flask, make: Factories) -> Iterator[LiveServer]:
    make.organiser(email="planner@example.org")
    db.session.commit()
    with live_server(app) as running:
        yield running


def test_organiser_creates_and_publishes_a_session(server: LiveServer) -> None:
    with chromium_page(timezone_id="Europe/Berlin") as page:
        page.goto(server.url + "/login")
        page.get_by_label("Email").fill("planner@example.org")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_selector("text=You are logged in.")

        page.goto(server.url + "/organiser/series/new")
        page.get_by_label("Title", exact=True).fill("Re-industrialization in Hong Kong")
        page.get_by_label("Time zone").select_option("Asia/Hong_Kong")
        page.get_by_label("Published (the series page is public)").check()
        page.get_by_role("button", name="Save series").click()
        page.wait_for_selector("text=Add its first session.")

        page.get_by_role("link", name="Add a session").click()
        page.get_by_label("Title", exact=True).fill("How does AI reinvent industrialization?")
        page.get_by_label("Starts").fill("2030-03-12T14:30")
        page.get_by_label("Duration (minutes)").fill("90")
        page.get_by_label("Online join link").fill("https://meet.example.org/j/1")
        page.get_by_label("Capacity").fill("80")
        page.get_by_role("button", name="Save session").click()
        page.wait_for_selector("text=saved as a draft")

        page.get_by_role("link", name="Publish…").click()
        page.get_by_role("button", name="Publish").click()
        page.wait_for_selector("text=is published")

        page.goto(server.url + "/series/re-industrialization-in-hong-kong")
        card = page.locator(".session-card").first
        assert "Tue 12 Mar 2030, 14:30 HKT" in card.inner_text()
        assert "07:30" in card.locator(".local-time").inner_text()
        assert "80 seats left" in card.inner_text()
        assert card.get_by_role("link", name="Register").is_visible()
