"""A speaker in a real browser: invited by an organiser, sets a password, keeps a profile."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from eventhub.extensions import db
from eventhub.mail.models import MessageKind, OutboxMessage
from tests.speakers import images_support as img
from tests.support.browser import chromium_page
from tests.support.factories import PASSWORD, Factories
from tests.support.live import LiveServer, live_server

pytestmark = pytest.mark.browser


@pytest.fixture
def server(app: Flask, make: Factories) -> Iterator[LiveServer]:
    make.organiser(email="olive@example.org", display_name="Olive Organiser")
    db.session.commit()
    with live_server(app) as running:
        yield running


def _invitation_path() -> str:
    db.session.rollback()  # see what the server's threads committed
    message = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == MessageKind.SPEAKER_INVITATION)
    ).one()
    match = re.search(r"http://eventhub\.test(/speakers/invitation/\S+)", message.body_text)
    assert match
    return match.group(1)


def test_invited_speaker_sets_password_and_keeps_profile(
    server: LiveServer, tmp_path: Path
) -> None:
    photo = tmp_path / "portrait.jpg"
    photo.write_bytes(img.jpeg_with_exif((900, 1200)))
    with chromium_page() as page:
        page.goto(server.url + "/login")
        page.get_by_label("Email").fill("olive@example.org")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.get_by_role("link", name="Speakers").click()
        page.get_by_role("link", name="New speaker profile").click()
        page.get_by_label("Honorific").fill("Dr")
        page.get_by_label("Full name", exact=True).fill("Sunny Chai")
        page.get_by_label("Position").fill("Chairman")
        page.get_by_label("Organisation").fill("HKSTP")
        page.get_by_label("Email").fill("sunny@example.org")
        page.get_by_role("button", name="Create profile").click()
        page.wait_for_selector("text=Profile for Dr Sunny Chai created.")
        page.get_by_role("button", name="Send invitation").click()
        page.wait_for_selector("text=Invitation sent to sunny@example.org")
        page.get_by_role("button", name="Log out", exact=True).click()

        page.goto(server.url + _invitation_path())
        assert "Welcome, Dr Sunny Chai" in page.locator("h1").inner_text()
        page.get_by_label("Choose a password").fill("science park sunrise")
        page.get_by_label("Repeat the password").fill("science park sunrise")
        page.get_by_role("button", name="Set password and continue").click()
        page.wait_for_url("**/me/profile")
        page.wait_for_selector("text=Your account is ready")

        page.get_by_label("Upload a new photo").set_input_files(str(photo))
        page.get_by_role("button", name="Upload photo").click()
        page.wait_for_selector("text=Photo updated.")
        bio = "Chairman of HKSTP, home to 900 tech firms."
        page.get_by_label("Short bio", exact=True).fill(bio)
        page.get_by_role("button", name="Save profile").click()
        page.wait_for_selector("text=Profile saved.")

        page.get_by_role("link", name="your public speaker page").click()
        assert page.locator("h1").inner_text() == "Dr Sunny Chai"
        assert "900 tech firms" in page.locator("main").inner_text()
        photo_img = page.locator("img.speaker-page__photo")
        assert photo_img.evaluate("img => img.complete && img.naturalWidth > 0")

        # A used link sends its owner to their profile, and explains itself to anyone else.
        page.goto(server.url + _invitation_path())
        assert page.url.endswith("/me/profile")
        page.get_by_role("button", name="Log out", exact=True).click()
        page.goto(server.url + _invitation_path())
        assert "already been used" in page.locator("h1").inner_text()
