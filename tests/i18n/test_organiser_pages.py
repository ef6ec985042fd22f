"""Every organiser and speaker page reads in Traditional Chinese when the reader chose it.

The demo series (with its recap, attendees, a registration question, a failed email and open
invitations) is walked as its owner — every GET route under /organiser/ — and as a speaker,
with the `eventhub_lang=zh-Hant` cookie. What people typed (titles, names, emails, zones …)
stays as typed, so every string stored in the database counts as content; what is left of a
page's visible text (text nodes and the placeholder / aria-label / title / alt attributes)
must hold no English word. An English label that escaped `_()` fails here, naming the page.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from email.message import EmailMessage
from html.parser import HTMLParser
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from eventhub.demo.loader import DEMO_ORGANISER_EMAIL, load_demo
from eventhub.emails.unsubscribe import unsubscribe_token
from eventhub.extensions import db
from eventhub.mail.models import MessageKind, MessageStatus, OutboxMessage
from eventhub.mail.transport import DevMailboxTransport
from eventhub.recaps.models import RecapSection
from eventhub.registration.models import Registration
from eventhub.scheduling.models import Series, Session
from eventhub.speakers import invitations as speaker_invitations
from eventhub.speakers.models import SpeakerProfile
from eventhub.teams import invitations as team_invitations
from eventhub.teams.models import MemberRole
from eventhub.timefmt import zone_choices
from tests.support.factories import PASSWORD, Factories

PASSWORD_OF_DEMO = "a demo password for the walk"
# Words that are the same in both languages: names of things, units, codes.
SAME_IN_BOTH = {
    "eventhub",
    "English",
    "HKT",
    "UTC",
    "CSV",
    "ics",
    "https",
    "http",
    "iCalendar",
    "Markdown",
    "JPEG",
    "PNG",
    "WebP",
    "SMTP",
    "HTML",
    "Authorization",
    "Bearer",
    "Zoom",
    "Microsoft",
    "Teams",
    "Google",
    "Meet",
    "LinkedIn",
    "Scholar",
    "Prof",  # honorifics are written as they are in both languages
    "Dr",
    "Ir",
}
# Routes whose answer is not a page: files, raw email bodies (in the recipient's language).
NOT_PAGES = {
    "mail.message_html",
    "mailbox.html",
    "mailbox.attachment",
    "registration_admin.series_export",
    "registration_admin.session_export",
    "recap_editor.preview",
}
# Characters written only in Simplified Chinese (their Traditional forms differ).
SIMPLIFIED_ONLY = set("该这个为时间须请输务选择")
ADDRESS = re.compile(r"[\w.+-]+@[\w.-]+|https?://\S+")
WORD = re.compile(r"[A-Za-z][A-Za-z'’]+")


class _VisibleText(HTMLParser):
    """The text a reader sees or hears: text nodes and the human-readable attributes."""

    SKIP = {"script", "style", "template"}
    ATTRIBUTES = {"placeholder", "aria-label", "title", "alt"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.pieces: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIP:
            self._skipping += 1
        for name, value in attrs:
            if name in self.ATTRIBUTES and value:
                self.pieces.append(value)
            if tag == "input" and name == "value" and dict(attrs).get("type") == "submit" and value:
                self.pieces.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP and self._skipping:
            self._skipping -= 1

    def handle_data(self, data: str) -> None:
        if not self._skipping and data.strip():
            self.pieces.append(data)


def visible_text(html: str) -> list[str]:
    parser = _VisibleText()
    parser.feed(html)
    return [" ".join(piece.split()) for piece in parser.pieces]


def stored_strings() -> list[str]:
    """Every string in every row: the content people typed, which stays as typed."""
    found: set[str] = set()

    def add(value: Any) -> None:
        if isinstance(value, str):
            found.add(" ".join(value.split()))
        elif isinstance(value, list | tuple):
            for item in value:
                add(item)
        elif isinstance(value, dict):
            for item in value.values():
                add(item)

    for table in db.metadata.sorted_tables:
        for row in db.session.execute(select(table)):
            for value in row:
                add(value)
    # Time zones are named by their IANA ids in every language.
    found.update(zone.replace("_", " ") for zone in zone_choices())
    # Longest first, so a title is taken out before a word inside it.
    return sorted((s for s in found if len(s) >= 2), key=len, reverse=True)


def english_left(pieces: Iterable[str], content: list[str]) -> list[str]:
    """The pieces that still hold an English word once the stored content is taken out."""
    corpus = "\n".join(content)
    left = []
    for piece in pieces:
        if piece in corpus:
            continue  # a part of something typed (a Markdown paragraph, a title)
        rest = ADDRESS.sub(" ", piece)  # email addresses and links are the same in both
        for value in content:
            if value in rest:  # cheap test first; then only whole words of it
                rest = re.sub(rf"(?<!\w){re.escape(value)}(?!\w)", " ", rest)
        # Acronyms (API, GET, URL) read the same in both languages.
        words = [w for w in WORD.findall(rest) if w not in SAME_IN_BOTH and not w.isupper()]
        if words:
            left.append(piece)
    return left


@pytest.fixture
def demo(app: Flask, make: Factories) -> dict[str, Any]:
    load_demo(PASSWORD_OF_DEMO)
    series = db.session.scalar(select(Series))
    assert series is not None
    first = db.session.scalars(select(Session).order_by(Session.number)).first()
    assert first is not None
    registration = db.session.scalars(select(Registration)).first()
    assert registration is not None
    question = make.question(series)
    message = OutboxMessage(
        kind=MessageKind.CONFIRMATION,
        dedupe_key="walk-1",
        recipient_email=registration.email,
        series_id=series.id,
        session_id=first.id,
        registration_id=registration.id,
        subject="Registered",
        body_html="<p>Hi</p>",
        body_text="Hi",
        status=MessageStatus.FAILED,
        last_error="550 mailbox unavailable",
    )
    db.session.add(message)
    db.session.flush()
    delivered = EmailMessage()
    delivered["From"] = "eventhub <no-reply@eventhub.localhost>"
    delivered["To"] = message.recipient_email
    delivered["Subject"] = message.subject
    delivered.set_content(message.body_text)
    DevMailboxTransport().send(delivered, message.id)
    speaker = db.session.scalars(select(SpeakerProfile).order_by(SpeakerProfile.id)).first()
    assert speaker is not None
    team_invitations.invite(series, "newcomer@example.org", MemberRole.EDITOR, None)
    speaker_invitations.invite(speaker, "speaker.invitee@example.org", None)
    section = db.session.scalars(select(RecapSection)).first()
    assert section is not None
    speaker_user = make.speaker_user()
    speaker.user = speaker_user
    db.session.commit()
    return {
        "series_id": series.id,
        "session_id": first.id,
        "registration_id": registration.id,
        "question_id": question.id,
        "message_id": message.id,
        "speaker_id": speaker.id,
        "section_id": section.id,
        "speaker_email": speaker_user.email,
    }


def _url(rule: str, values: dict[str, Any]) -> str:
    for name, value in values.items():
        rule = rule.replace(f"<int:{name}>", str(value))
    assert "<" not in rule, rule
    return rule


def _chinese_client(app: Flask, email: str, password: str) -> FlaskClient:
    client = app.test_client()
    client.set_cookie("eventhub_lang", "zh-Hant")
    response = client.post("/login", data={"email": email, "password": password})
    assert response.status_code == 302
    return client


def _walk(client: FlaskClient, urls: dict[str, str]) -> str:
    """A report of the English left on each page, empty when there is none."""
    content = stored_strings()
    found = {}
    for endpoint, url in sorted(urls.items()):
        response = client.get(url)
        assert response.status_code == 200, (endpoint, url, response.status_code)
        html = response.get_data(as_text=True)
        assert '<html lang="zh-Hant">' in html, endpoint
        left = english_left(visible_text(html), content)
        if left:
            found[f"{endpoint} {url}"] = left
    return "\n".join(f"{page}: {left}" for page, left in found.items())


def test_every_organiser_page_reads_in_chinese(app: Flask, demo: dict[str, Any]) -> None:
    pages = {
        rule.endpoint: _url(rule.rule, demo)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/organiser/")
        and "GET" in (rule.methods or ())
        and rule.endpoint not in NOT_PAGES
    }
    assert len(pages) >= 25  # the walk really covers the organiser side
    client = _chinese_client(app, DEMO_ORGANISER_EMAIL, PASSWORD_OF_DEMO)
    report = _walk(client, pages)
    assert not report, report


def test_speaker_and_account_pages_read_in_chinese(app: Flask, demo: dict[str, Any]) -> None:
    anonymous = app.test_client()
    anonymous.set_cookie("eventhub_lang", "zh-Hant")
    public = {"accounts.login": "/login", "recovery.password_reset": "/password/reset"}
    report = _walk(anonymous, public)
    speaker = _chinese_client(app, demo["speaker_email"], PASSWORD)
    pages = {"speakers.my_profile": "/me/profile", "speakers.my_sessions": "/me/sessions"}
    report += _walk(speaker, pages)
    assert not report, report


def test_the_check_sees_english_chrome() -> None:
    # Guards the guard: English chrome is found, typed content and shared words are not.
    html = (
        "<h1>Re-industrialization</h1><p>系列 · HKT</p><button>Save</button>"
        '<input placeholder="made from the title"><script>var x = "Hidden";</script>'
    )
    assert english_left(visible_text(html), ["Re-industrialization"]) == [
        "Save",
        "made from the title",
    ]


def test_a_refused_form_explains_in_chinese(app: Flask, demo: dict[str, Any]) -> None:
    # The validators' own messages (WTForms' "This field is required.") and ours alike.
    client = _chinese_client(app, DEMO_ORGANISER_EMAIL, PASSWORD_OF_DEMO)
    url = f"/organiser/series/{demo['series_id']}/sessions/new"
    data = {"title": "", "timezone": "Asia/Hong_Kong"}
    data |= {"duration_minutes": "60", "join_url": "not a link", "capacity": "-1"}
    html = client.post(url, data=data).get_data(as_text=True)
    errors = re.findall(r'<p class="field__error"[^>]*>([^<]+)</p>', html)
    assert len(errors) >= 3, html
    assert english_left(errors, []) == [], errors
    # Traditional, not WTForms' Simplified catalog ("该字段是必填字段。").
    assert not set("".join(errors)) & SIMPLIFIED_ONLY, errors


def test_unsubscribe_pages_read_in_chinese(app: Flask, make: Factories) -> None:
    series = make.series(title="Re-industrialization", title_zh="香港再工業化")
    db.session.commit()
    token = unsubscribe_token(series.id, "ada@example.org")
    client = app.test_client()
    client.set_cookie("eventhub_lang", "zh-Hant")
    content = stored_strings()
    for html in (
        client.get(f"/unsubscribe/{token}").get_data(as_text=True),
        client.post(f"/unsubscribe/{token}").get_data(as_text=True),
    ):
        assert "香港再工業化" in html and "電郵設定" in html
        assert english_left(visible_text(html), content) == []
