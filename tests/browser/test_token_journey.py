"""API tokens in a real browser: create a read token (shown once), use it, revoke it."""

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
    make.organiser(email="scripter@example.org")
    make.series(slug="scripted", title="Scripted")
    db.session.commit()
    with live_server(app) as running:
        yield running


def test_organiser_creates_uses_and_revokes_a_read_token(app: Flask, server: LiveServer) -> None:
    api = app.test_client()
    with chromium_page() as page:
        page.goto(server.url + "/login")
        page.get_by_label("Email").fill("scripter@example.org")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url("**/organiser/")
        page.get_by_role("link", name="Account security").click()
        page.get_by_role("link", name="Manage API tokens").click()
        page.get_by_label("Token name").fill("weekly export")
        page.get_by_label("Scope").select_option("read")
        page.get_by_label("Expires", exact=True).select_option("30")
        page.get_by_role("button", name="Create token").click()
        token = page.locator("#new-token").inner_text().strip()
        assert token.startswith("ehp_")
        row = page.get_by_role("row", name="weekly export")
        assert "read" in row.inner_text() and "Active" in row.inner_text()

        bearer = {"Authorization": f"Bearer {token}"}
        assert api.get("/api/v1/series/scripted/activity", headers=bearer).status_code == 200
        assert api.post("/api/v1/series", json={}, headers=bearer).status_code == 403

        page.goto(server.url + "/organiser/account/tokens")
        assert token not in page.content()  # shown once only
        page.once("dialog", lambda dialog: dialog.accept())
        page.get_by_role("row", name="weekly export").get_by_role("button", name="Revoke").click()
        page.wait_for_selector("text=revoked; it no longer works")
        assert "Revoked" in page.get_by_role("row", name="weekly export").inner_text()
    assert api.get("/api/v1/series/scripted/activity", headers=bearer).status_code == 401
