"""Every email to a registrant is in the registrant's language, dates formatted for it."""

from __future__ import annotations

import base64
from datetime import UTC, datetime

from flask.testing import FlaskClient

from eventhub.emails.reminders import build_reminder, reminder_merge
from eventhub.extensions import db
from eventhub.mail.models import MessageKind
from eventhub.registration import services
from eventhub.scheduling.models import Session
from eventhub.speakers.mail_context import per_reader
from eventhub.speakers.models import SpeakerRole
from tests.registration.conftest import applicant, outbox
from tests.support.factories import Factories

# Wednesday 9 December 2026, 14:30 in Hong Kong.
STARTS = datetime(2026, 12, 9, 6, 30, tzinfo=UTC)
CHINESE_DATE = "2026年12月9日 星期三 下午2:30 HKT"


def _bilingual_session(make: Factories) -> Session:
    series = make.series(title="Re-industrialization in Hong Kong", title_zh="香港再工業化")
    session = make.session(
        series,
        starts_at=STARTS,
        title="How does AI reinvent industry?",
        title_zh="人工智能如何重塑工業？",
        capacity=10,
    )
    make.link(session, make.speaker(full_name="Man Hau-chung", name_zh="文效忠"))
    make.link(session, make.speaker(full_name="Daniel Yip"), SpeakerRole.MODERATOR)
    db.session.commit()
    return session


def test_confirmation_in_chinese_with_chinese_dates(make: Factories) -> None:
    session = _bilingual_session(make)
    services.register(
        session.id, applicant("chan@example.org", timezone="Asia/Hong_Kong", language="zh-Hant")
    )
    services.register(session.id, applicant("ada@example.org", timezone="Asia/Hong_Kong"))
    db.session.commit()
    chinese, english = outbox(MessageKind.CONFIRMATION)
    assert chinese.subject == "報名成功：人工智能如何重塑工業？"
    for body in (chinese.body_text, chinese.body_html):
        assert CHINESE_DATE in body
        assert "香港再工業化 第 1 場網上研討會" in body
        assert "文效忠 Dr Man Hau-chung" in body and "（主持）" in body
        assert "管理你的報名" in body and "Manage your registration" not in body
    assert "「人工智能如何重塑工業？」" in chinese.body_text
    assert '<html lang="zh-Hant">' in chinese.body_html
    ics = base64.b64decode(chinese.attachments[0]["data_base64"]).decode()
    assert "人工智能如何重塑工業" in ics.replace("\r\n ", "")
    # The English reader of the same session, in the same transaction, reads English.
    assert english.subject == "You're registered: How does AI reinvent industry?"
    assert "Wed 9 Dec 2026, 14:30 HKT" in english.body_text and "人工" not in english.body_text
    assert "Dr Man Hau-chung 文效忠" in english.body_text
    # The invite is cached per session version; the cache must keep the languages apart.
    english_ics = base64.b64decode(english.attachments[0]["data_base64"]).decode()
    assert "How does AI reinvent industry?" in english_ics.replace("\r\n ", "")
    assert "人工智能" not in english_ics


def test_every_registration_email_follows_the_stored_language(make: Factories) -> None:
    session = _bilingual_session(make)
    registration = services.register(
        session.id, applicant(language="zh-Hant", timezone="Asia/Hong_Kong")
    ).registration
    db.session.commit()
    services.cancel(registration)
    db.session.commit()
    [cancelled] = outbox(MessageKind.CANCELLED_BY_ATTENDEE)
    assert cancelled.subject == "已取消：人工智能如何重塑工業？"
    assert "香港再工業化" in cancelled.body_text


def test_reminders_render_per_language_in_one_fan_out(make: Factories) -> None:
    session = _bilingual_session(make)
    zh = make.registration(session, language="zh-Hant", timezone="Asia/Hong_Kong")
    en = make.registration(session, timezone="Asia/Hong_Kong")
    db.session.commit()
    merge, contexts = reminder_merge(), per_reader(session)
    _, chinese = build_reminder(session, 1440, zh, contexts=contexts, merge=merge)
    _, english = build_reminder(session, 1440, en, contexts=contexts, merge=merge)
    assert chinese.subject == f"提示：人工智能如何重塑工業？ 將於明天開始（{CHINESE_DATE}）"
    assert english.subject.startswith("Reminder: How does AI reinvent industry? starts tomorrow")
    _, chinese_hour = build_reminder(session, 120, zh, contexts=contexts, merge=merge)
    assert "將於 2 小時後開始" in chinese_hour.subject


def test_the_form_stores_the_language_and_defaults_to_the_page(
    client: FlaskClient, make: Factories
) -> None:
    session = make.session(make.series(slug="s"), slug="w")
    db.session.commit()
    form = {"name": "陳大文", "email": "chan@example.org", "consent": "y"}
    response = client.post(
        f"/sessions/{session.id}/register", data=form, headers={"Accept-Language": "zh-HK"}
    )
    assert response.status_code in (302, 303)
    client.post(f"/sessions/{session.id}/register", data={**form, "email": "b@example.org"})
    client.post(
        f"/sessions/{session.id}/register",
        data={**form, "email": "c@example.org", "language": "zh-Hant"},
    )
    rows = {r.recipient_email: r for r in outbox(MessageKind.CONFIRMATION)}
    assert rows["chan@example.org"].subject.startswith("報名成功")
    assert rows["b@example.org"].subject.startswith("You're registered")
    assert rows["c@example.org"].subject.startswith("報名成功")


def test_api_language_field(client: FlaskClient, make: Factories) -> None:
    session = make.session()
    db.session.commit()
    body = {"name": "Chan", "email": "chan@example.org", "consent": True, "language": "zh-Hant"}
    response = client.post(f"/api/v1/sessions/{session.id}/registrations", json=body)
    assert response.status_code == 201 and response.get_json()["language"] == "zh-Hant"
    [row] = outbox(MessageKind.CONFIRMATION)
    assert row.subject.startswith("報名成功")
    bad = client.post(
        f"/api/v1/sessions/{session.id}/registrations",
        json={**body, "email": "x@example.org", "language": "zh-Hans"},
    )
    assert bad.status_code == 422 and "language" in bad.get_json()["errors"]
    # Without the field: the request's Accept-Language.
    default = client.post(
        f"/api/v1/sessions/{session.id}/registrations",
        json={k: v for k, v in body.items() if k != "language"} | {"email": "y@example.org"},
        headers={"Accept-Language": "en"},
    )
    assert default.get_json()["language"] == "en"
    # Error messages follow Accept-Language too.
    refused = client.post(
        f"/api/v1/sessions/{session.id}/registrations",
        json={**body, "email": "z@example.org", "consent": False},
        headers={"Accept-Language": "zh-HK"},
    )
    assert refused.get_json()["errors"]["consent"] == ["必須同意私隱聲明。"]
    schema = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    fields = schema["RegistrationIn"]["properties"]["language"]
    assert [value for value in fields["enum"] if value] == ["en", "zh-Hant"]
