"""A team in a real browser: an owner invites an editor who accepts and edits; a reset by email."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import select

from eventhub.extensions import db
from eventhub.mail.models import MessageKind, OutboxMessage
from eventhub.scheduling.models import Series
from eventhub.teams.models import MemberRole
from tests.support.browser import chromium_page
from tests.support.factories import PASSWORD, Factories
from tests.support.live import LiveServer, live_server

pytestmark = pytest.mark.browser


@pytest.fixture
def server(app: Flask, make: Factories) -> Iterator[LiveServer]:
    series = make.series(slug="team-series", title="Team Series")
    make.member(series, MemberRole.OWNER, email="owner@example.org")
    db.session.commit()
    with live_server(app) as running:
        yield running


def _link(kind: MessageKind, path: str) -> str:
    db.session.rollback()  # see what the server's threads committed
    message = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id.desc())
    ).first()
    assert message is not None
    match = re.search(rf"http://eventhub\.test({path}\S+)", message.body_text)
    assert match
    return match.group(1)


def test_owner_invites_an_editor_who_accepts_and_edits(server: LiveServer) -> None:
    with chromium_page() as page:
        page.goto(server.url + "/login")
        page.get_by_label("Email").fill("owner@example.org")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.goto(server.url + "/organiser/series")
        page.get_by_role("link", name="Team Series").click()
        page.get_by_role("link", name="Team", exact=True).click()
        page.get_by_label("Email").fill("eddie@example.org")
        page.get_by_label("Role", exact=True).select_option("editor")
        page.get_by_role("button", name="Add or invite").click()
        page.wait_for_selector("text=Invitation sent to eddie@example.org")
        page.get_by_role("button", name="Log out", exact=True).click()

        page.goto(server.url + _link(MessageKind.TEAM_INVITATION, "/team/invitation/"))
        assert "Team Series" in page.locator("h1").inner_text()
        page.get_by_label("Your name").fill("Eddie Editor")
        page.get_by_label("Password", exact=True).fill("harbour lights at dusk")
        page.get_by_label("Password again").fill("harbour lights at dusk")
        page.get_by_role("button", name="Create my account and join").click()
        page.wait_for_selector("text=Welcome to the team of Team Series")

        page.get_by_role("link", name="Edit series").click()
        page.get_by_label("Title", exact=True).fill("Team Series, edited")
        page.get_by_role("button", name="Save").click()
        page.wait_for_selector("text=Series saved.")
        page.get_by_role("link", name="Activity").click()
        assert "eddie@example.org" in page.locator("main").inner_text()
        assert "Team Series, edited" in page.locator("main").inner_text()
    db.session.rollback()
    series = db.session.scalar(select(Series).where(Series.slug == "team-series"))
    assert series is not None and series.title == "Team Series, edited"


def test_reset_by_email(server: LiveServer) -> None:
    with chromium_page() as page:
        page.goto(server.url + "/login")
        page.get_by_role("link", name="Forgot your password?").click()
        page.get_by_label("Email").fill("owner@example.org")
        page.get_by_role("button", name="Send me a link").click()
        page.wait_for_selector("text=Check your inbox")
        page.goto(server.url + _link(MessageKind.PASSWORD_RESET, "/password/reset/"))
        page.get_by_label("New password", exact=True).fill("kowloon ferry at noon")
        page.get_by_label("New password again").fill("kowloon ferry at noon")
        page.get_by_role("button", name="Set the new password").click()
        page.wait_for_selector("text=Your password is changed")
        page.get_by_label("Email").fill("owner@example.org")
        page.get_by_label("Password").fill("kowloon ferry at noon")
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url("**/organiser/")
