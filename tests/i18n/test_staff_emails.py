"""Emails to people who are not registrants (invitations, password resets) are in the
recipient's language: their account's, else the series' default, else the sender's."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from email.message import EmailMessage

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from eventhub.extensions import db
from eventhub.mail import delivery
from eventhub.speakers.models import SpeakerInvitation, SpeakerRole
from eventhub.teams.models import MemberInvitation, MemberRole, Membership
from eventhub.timefmt import format_moment
from tests.support.factories import Factories, LoginHelper
from tests.support.smtp import SmtpServer

pytestmark = pytest.mark.smtp

# Wednesday 11 December 2030, 14:30 in Hong Kong.
STARTS = datetime(2030, 12, 11, 6, 30, tzinfo=UTC)


@pytest.fixture
def mailbox(app: Flask, smtp: SmtpServer) -> Iterator[SmtpServer]:
    smtp.clear()
    app.config.update(smtp.config())
    yield smtp
    smtp.clear()


def _delivered(smtp: SmtpServer, count: int = 1) -> list[EmailMessage]:
    """Send what the outbox holds over real SMTP and read it back as the recipient would."""
    result, _ = delivery.deliver_due(batch_size=10, max_batches=1)
    db.session.commit()
    assert result.sent == count
    return [mail.message for mail in smtp.wait_for(count)]


def _expiry(model: type[SpeakerInvitation | MemberInvitation], locale: str) -> str:
    """When the latest invitation sent expires, as its email must write it."""
    expires = db.session.scalars(select(model.expires_at).order_by(model.id.desc())).first()
    assert expires is not None
    return format_moment(expires, "Asia/Hong_Kong", locale=locale)


def _parts(message: EmailMessage) -> tuple[str, str]:
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert text is not None and html is not None
    return text.get_content(), html.get_content()


def test_speaker_invitation_follows_the_series_language(
    client: FlaskClient, make: Factories, login: LoginHelper, mailbox: SmtpServer
) -> None:
    organiser = make.organiser(display_name="Olive Organiser")
    series = make.series(
        title="Re-industrialization", title_zh="再工業化", default_language="zh-Hant"
    )
    session = make.session(series, starts_at=STARTS, title="The road ahead", title_zh="前路")
    speaker = make.speaker(full_name="Daniel Yip", honorific="Dr")
    make.link(session, speaker, SpeakerRole.MODERATOR)
    db.session.commit()
    login(organiser)
    # The organiser reads English; the speaker of a Chinese series gets Chinese.
    response = client.post(
        f"/organiser/speakers/{speaker.id}/invite",
        data={"email": "daniel@example.org"},
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 302
    [message] = _delivered(mailbox)
    assert message["Subject"] == "Olive Organiser 邀請你管理你在「前路」的講者簡介"
    text, html = _parts(message)
    for body in (text, html):
        assert "Dr Daniel Yip，你好：" in body
        assert "Olive Organiser 已在 再工業化 為你建立講者簡介" in body
        assert "第 1 場網上研討會: " in body and "前路" in body
        assert "2030年12月11日 星期三 下午2:30 HKT · 主持" in body
        assert f"於 {_expiry(SpeakerInvitation, 'zh_Hant_HK')} 失效" in body
        assert "設定你的密碼" in body
        assert "Set your password" not in body and "Webinar" not in body
    assert '<html lang="zh-Hant">' in html


def test_speaker_invitation_without_sessions_uses_the_organisers_language(
    client: FlaskClient, make: Factories, login: LoginHelper, mailbox: SmtpServer
) -> None:
    organiser = make.organiser(display_name="Olive Organiser")
    speaker = make.speaker(full_name="Daniel Yip", honorific="Dr")
    db.session.commit()
    login(organiser)
    client.post(
        f"/organiser/speakers/{speaker.id}/invite",
        data={"email": "daniel@example.org"},
        headers={"Accept-Language": "zh-HK,zh;q=0.9"},
    )
    [message] = _delivered(mailbox)
    assert message["Subject"] == "Olive Organiser 邀請你管理你的講者簡介"
    text, _html = _parts(message)
    assert "在 eventhub 為你建立講者簡介" in text


def test_team_invitation_reads_the_series_language_not_the_owners(
    client: FlaskClient, make: Factories, login: LoginHelper, mailbox: SmtpServer
) -> None:
    english_series = make.series(title="Re-industrialization", title_zh="再工業化")
    chinese_series = make.series(
        title="Smart cities", title_zh="智慧城市", default_language="zh-Hant"
    )
    owner = make.member(english_series, MemberRole.OWNER, display_name="Olive Owner")
    db.session.add(Membership(series_id=chinese_series.id, user_id=owner.id, role=MemberRole.OWNER))
    db.session.commit()
    login(owner)
    # Nobody has an account at these addresses (an account would be added, not invited): the
    # series decides, whatever the owner reads.
    client.post(
        f"/organiser/series/{english_series.id}/members",
        data={"email": "new@example.org", "role": "editor"},
        headers={"Accept-Language": "zh-HK"},
    )
    [english] = _delivered(mailbox)
    assert english["Subject"] == "Olive Owner invites you to organise Re-industrialization"
    text, _html = _parts(english)
    assert "as an editor." in text
    assert f"expires on {_expiry(MemberInvitation, 'en_GB')}." in text
    mailbox.clear()
    client.post(
        f"/organiser/series/{chinese_series.id}/members",
        data={"email": "chan@example.org", "role": "viewer"},
        headers={"Accept-Language": "en"},
    )
    [chinese] = _delivered(mailbox)
    assert chinese["Subject"] == "Olive Owner 邀請你一同籌辦 智慧城市"
    text, html = _parts(chinese)
    for body in (text, html):
        assert "Olive Owner 邀請你以檢視者身分加入 智慧城市 的團隊。" in body
        assert f"於 {_expiry(MemberInvitation, 'zh_Hant_HK')} 失效" in body
        assert "接受邀請" in body


def test_password_reset_in_the_accounts_language_else_the_requests(
    client: FlaskClient, make: Factories, mailbox: SmtpServer
) -> None:
    make.organiser(email="chinese@example.org", display_name="陳大文", language="zh-Hant")
    make.organiser(email="nobody-chose@example.org")
    db.session.commit()
    client.post(
        "/password/reset", data={"email": "chinese@example.org"}, headers={"Accept-Language": "en"}
    )
    [chinese] = _delivered(mailbox)
    assert chinese["Subject"] == "設定新的 eventhub 密碼"
    text, html = _parts(chinese)
    for body in (text, html):
        assert "陳大文，你好：" in body and "有人要求重設 eventhub 帳戶 chinese@example.org" in body
    mailbox.clear()
    client.post(
        "/password/reset",
        data={"email": "nobody-chose@example.org"},
        headers={"Accept-Language": "zh-TW"},
    )
    [from_request] = _delivered(mailbox)
    assert from_request["Subject"] == "設定新的 eventhub 密碼"
    assert "你好：" in _parts(from_request)[0]
