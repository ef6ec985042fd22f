"""Two-factor sign-in in a real browser: an organiser enrols an authenticator, logs out, and
logs in again with a code this test computes from the key the page showed."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pyotp
import pytest
from flask import Flask
from sqlalchemy import select

from eventhub import clock
from eventhub.accounts.models import User
from eventhub.extensions import db
from tests.support.browser import chromium_page
from tests.support.factories import PASSWORD, Factories
from tests.support.live import LiveServer, live_server

pytestmark = pytest.mark.browser


@pytest.fixture
def server(app: Flask, make: Factories) -> Iterator[LiveServer]:
    make.organiser(email="careful@example.org", is_admin=False)
    db.session.commit()
    # One second into a 30-second step: no step boundary between computing and typing a code.
    clock.move(timedelta(seconds=31 - clock.utcnow().timestamp() % 30))
    try:
        with live_server(app) as running:
            yield running
    finally:
        clock.reset()


def _log_in(page: object, url: str) -> None:
    page.goto(url + "/login")  # type: ignore[attr-defined]
    page.get_by_label("Email").fill("careful@example.org")  # type: ignore[attr-defined]
    page.get_by_label("Password").fill(PASSWORD)  # type: ignore[attr-defined]
    page.get_by_role("button", name="Log in").click()  # type: ignore[attr-defined]


def test_organiser_enrols_then_logs_in_with_a_code(server: LiveServer) -> None:
    with chromium_page() as page:
        _log_in(page, server.url)
        page.wait_for_url("**/organiser/")
        page.get_by_role("link", name="Account security").click()
        page.get_by_role("link", name="Set up two-factor sign-in").click()
        page.get_by_role("button", name="Begin").click()
        secret = page.locator("#totp-secret").inner_text().strip()
        assert page.locator(".qr svg").count() == 1
        assert page.locator("#totp-uri").inner_text().startswith("otpauth://totp/")
        page.get_by_label("Code from the app").fill(pyotp.TOTP(secret).at(clock.utcnow()))
        page.get_by_role("button", name="Turn on two-factor sign-in").click()
        page.wait_for_selector("text=Two-factor sign-in is on.")
        assert page.locator("#recovery-codes li").count() == 10
        page.get_by_role("link", name="I have saved them").click()
        assert "10 recovery codes left" in page.locator("main").inner_text()
        assert secret not in page.content()
        page.get_by_role("button", name="Log out", exact=True).click()

        # The code used to enrol is spent; the next step's code logs in.
        clock.move(timedelta(seconds=30))
        _log_in(page, server.url)
        page.wait_for_url("**/login/code")
        page.goto(server.url + "/organiser/")
        page.wait_for_url("**/login?**")  # the password alone did not log in
        _log_in(page, server.url)
        page.wait_for_url("**/login/code")
        page.get_by_label("Code", exact=True).fill(pyotp.TOTP(secret).at(clock.utcnow()))
        page.get_by_role("button", name="Verify").click()
        page.wait_for_url("**/organiser/")
        page.wait_for_selector("text=You are logged in.")
    db.session.rollback()
    user = db.session.scalar(select(User).where(User.email == "careful@example.org"))
    assert user is not None and user.has_second_factor and user.totp_last_step is not None
