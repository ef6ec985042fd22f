"""A newcomer's first minutes, in a real browser: the demo programme and the organiser login."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from eventhub.demo.loader import DEMO_ORGANISER_EMAIL, load_demo
from eventhub.extensions import db
from tests.support.browser import chromium_page
from tests.support.live import LiveServer, live_server

pytestmark = pytest.mark.browser

PASSWORD = "demo password for the browser"


@pytest.fixture
def server(app: Flask) -> Iterator[LiveServer]:
    load_demo(PASSWORD)
    db.session.commit()
    with live_server(app) as running:
        yield running


def test_visitor_sees_the_demo_series_with_local_times(server: LiveServer) -> None:
    with chromium_page(timezone_id="Europe/Berlin") as page:
        page.goto(server.url + "/")
        assert page.title().startswith("Webinars")
        page.get_by_role("link", name="Re-industrialization in Hong Kong").first.click()
        page.wait_for_url("**/series/reindustrialization-hong-kong")
        heading = page.get_by_role("heading", level=1)
        assert heading.inner_text() == "Re-industrialization in Hong Kong"
        body = page.locator("main").inner_text()
        assert "How does AI reinvent industrialization in Hong Kong?" in body
        assert "Prof Man Hau-chung" in body
        assert "Moderator" in body
        # The server renders HKT; the script adds the visitor's own zone beside it.
        assert "HKT" in body
        assert page.locator(".local-time").count() >= 3
        assert "your time" in page.locator(".local-time").first.inner_text()


def test_organiser_logs_in_and_out(server: LiveServer) -> None:
    with chromium_page() as page:
        page.goto(server.url + "/login")
        page.get_by_label("Email").fill(DEMO_ORGANISER_EMAIL)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_selector("text=You are logged in.")
        page.get_by_role("button", name="Log out", exact=True).click()
        page.wait_for_selector("text=You are logged out.")
