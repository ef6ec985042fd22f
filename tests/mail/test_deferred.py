"""Registration mail rendered through the task's mail merge reads exactly as rendered alone."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from eventhub.extensions import db
from eventhub.mail import merge
from eventhub.mail.deferred import DeferredRenders
from eventhub.mail.models import OutboxMessage
from eventhub.mail.outbox import RenderedEmail, render_deferred
from eventhub.registration import notify
from eventhub.registration.models import Registration, RegistrationStatus
from eventhub.registration.series import register_series
from eventhub.registration.services import Applicant
from tests.support.factories import Factories

# Names a template could mangle: markup, quotes, ampersands, another script, long ones.
NAMES = [
    "Ada Lovelace",
    '<b>O\'Brien</b> & "Co"',
    "陳大文",
    "Zoë Ångström-Þórsdóttir " * 3,
]
# Every status that has an email of its own.
STATUSES = [
    RegistrationStatus.CONFIRMED,
    RegistrationStatus.WAITLISTED,
    RegistrationStatus.PENDING,
    RegistrationStatus.OFFERED,
    RegistrationStatus.DECLINED,
]


def _rows() -> list[Any]:
    return list(db.session.execute(select(OutboxMessage.__table__).order_by(OutboxMessage.id)))


def _every_kind(make: Factories, language: str) -> None:
    session = make.session(capacity=10, title="AI <and> industry")
    for name in NAMES:
        for status in STATUSES:
            registration = make.registration(session, status=status, name=name, language=language)
            notify.status_mail(registration)
            notify.resend(registration)
        confirmed = make.registration(session, name=name, language=language)
        notify.promoted(confirmed)
        notify.cancelled_by_attendee(confirmed, had_invite=True)
        confirmed.cancel_reason = "The <room> & the speaker are unavailable"
        notify.cancelled_by_organiser(confirmed, had_invite=True)
    db.session.flush()


def _same(merged: RenderedEmail | None, alone: RenderedEmail | None) -> None:
    assert merged is not None and alone is not None
    assert merged.subject == alone.subject
    assert merged.text == alone.text
    assert merged.html == alone.html


@pytest.mark.parametrize("language", ["en", "zh-Hant"])
def test_every_registration_email_reads_the_same_merged(
    app: Flask, make: Factories, language: str
) -> None:
    _every_kind(make, language)
    rows = _rows()
    assert len({r.render["template"] for r in rows}) == 8  # every registration template
    renders = DeferredRenders()
    for row in rows:
        _same(renders.render(row), render_deferred(row))


def test_one_render_per_template_and_shared_context(
    app: Flask, make: Factories, monkeypatch: pytest.MonkeyPatch
) -> None:
    session = make.session(capacity=100)
    for n in range(40):
        registration = make.registration(
            session, name=f"Person {n}", timezone=["UTC", "Asia/Hong_Kong"][n % 2]
        )
        notify.status_mail(registration)
    db.session.flush()
    renders = DeferredRenders()
    rendered: list[str] = []
    real = merge.render_email

    def counting(template: str, **context: Any) -> RenderedEmail:
        rendered.append(template)
        return real(template, **context)

    monkeypatch.setattr(merge, "render_email", counting)
    for row in _rows():
        _same(renders.render(row), render_deferred(row))
    assert rendered == ["confirmation", "confirmation"]  # one per zone


def test_a_series_registrant_keeps_their_own_series_link(app: Flask, make: Factories) -> None:
    series = make.series()
    make.session(series, capacity=5)
    make.session(series, capacity=5)
    for n in range(2):
        register_series(
            series, Applicant(name=f"Person {n}", email=f"p{n}@example.org", timezone="UTC")
        )
    db.session.flush()
    rows = _rows()
    assert rows and all(r.render["context"]["series_manage_url"] for r in rows)
    renders = DeferredRenders()
    for row in rows:
        merged = renders.render(row)
        _same(merged, render_deferred(row))
        assert merged is not None
        assert row.render["context"]["series_manage_url"] in merged.text
    registrations = db.session.scalars(select(Registration)).all()
    assert len(registrations) == 4
