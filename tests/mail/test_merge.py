"""Mail merge: one render per shared context, recipients' values escaped where it matters."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask

from eventhub.clock import utcnow
from eventhub.emails import reminders
from eventhub.extensions import db
from eventhub.mail import merge as merge_module
from eventhub.mail import outbox as outbox_module
from eventhub.mail.merge import MailMerge, marker
from tests.mail.support import outbox
from tests.support.factories import Factories


def test_names_are_escaped_in_html_and_plain_in_text(make: Factories) -> None:
    session = make.session(starts_at=utcnow() + timedelta(days=3))
    make.registration(session, name='Ann <b>"O\'Hara"</b> & Co', at=utcnow() - timedelta(days=1))
    db.session.commit()
    reminders.create_due_reminders(session.starts_at - timedelta(hours=24))
    [row] = outbox()
    assert "Dear Ann &lt;b&gt;&#34;O&#39;Hara&#34;&lt;/b&gt; &amp; Co," in row.body_html
    assert "<b>" not in row.body_html.split("Dear", 1)[1].split(",", 1)[0]
    assert 'Dear Ann <b>"O\'Hara"</b> & Co,' in row.body_text
    assert "\x00" not in row.body_html + row.body_text + row.subject


def test_one_render_per_zone_not_per_recipient(
    make: Factories, monkeypatch: pytest.MonkeyPatch
) -> None:
    session = make.session(starts_at=utcnow() + timedelta(days=3))
    for n in range(30):
        zone = ("Europe/London", "Asia/Hong_Kong", "America/New_York")[n % 3]
        make.registration(session, timezone=zone, at=utcnow() - timedelta(days=1))
    db.session.commit()
    renders: list[str] = []
    real = outbox_module.render_email

    def counting(template: str, **context: object) -> outbox_module.RenderedEmail:
        renders.append(template)
        return real(template, **context)

    monkeypatch.setattr(merge_module, "render_email", counting)
    assert reminders.create_due_reminders(session.starts_at - timedelta(hours=24)) == 30
    assert renders == ["reminder"] * 3
    names = {row.body_text.split("Dear ", 1)[1].split(",", 1)[0] for row in outbox()}
    assert len(names) == 30  # and yet every message is personal


def test_a_value_cannot_smuggle_a_marker_into_another_field(app: Flask) -> None:
    merge = MailMerge("announcement", fields=("name", "unsubscribe_url"))
    context = {
        "series_title": "S",
        "subject": "News",
        "body_html": "",
        "body_text": "b",
        "primary_url": None,
        "primary_label": "",
        "manage_url": None,
    }
    email = merge.render(
        "k", context, name=marker("unsubscribe_url"), unsubscribe_url="https://u.example/x"
    )
    # The name was filled in after the link: its text is not replaced by the link again.
    assert email.text.count("https://u.example/x") == 1
