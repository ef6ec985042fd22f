"""What the services refuse, and the warnings they give, in the reader's language."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask.testing import FlaskClient

from eventhub.accounts.services import MIN_PASSWORD_LENGTH, create_api_token, password_problem
from eventhub.clock import utcnow
from eventhub.extensions import db
from eventhub.i18n import language
from eventhub.images import ImageError, store_image
from eventhub.scheduling import checks
from eventhub.scheduling.errors import SchedulingError
from eventhub.scheduling.models import Session
from tests.support.factories import Factories

ZH = {"Accept-Language": "zh-HK"}
SESSION = {"title": "AI", "starts_at": "2030-03-12T14:30:00+08:00", "duration_minutes": 90}


@pytest.fixture
def auth(make: Factories) -> dict[str, str]:
    token = create_api_token(make.organiser(email="api@example.org"), "test")
    db.session.commit()
    return {"Authorization": f"Bearer {token}"}


def test_scheduling_refusals_through_the_api(
    client: FlaskClient, make: Factories, auth: dict[str, str]
) -> None:
    series = make.series(slug="s")
    make.session(series, number=1)
    db.session.commit()
    refused = client.post(
        "/api/v1/series/s/sessions",
        json={**SESSION, "number": 1, "duration_minutes": 0, "timezone": "Mars/Base"},
        headers={**auth, **ZH},
    )
    assert refused.status_code == 422
    errors = refused.get_json()["errors"]
    assert errors["number"] == ["此系列已有第 1 場網上研討會。"]
    assert errors["duration_minutes"] == ["場次須在開始後結束（1 至 1440 分鐘）。"]
    assert errors["timezone"] == ["「Mars/Base」不是時區名稱。"]
    english = client.post(
        "/api/v1/series/s/sessions", json={**SESSION, "number": 1}, headers=auth
    ).get_json()
    assert english["errors"]["number"] == ["Webinar 1 already exists in this series."]

    created = client.post("/api/v1/series/s/sessions", json=SESSION, headers=auth).get_json()
    client.post(f"/api/v1/sessions/{created['id']}/publish", headers=auth)
    again = client.post(f"/api/v1/sessions/{created['id']}/publish", headers={**auth, **ZH})
    assert again.status_code == 409
    assert again.get_json()["message"] == "只有草稿可以發佈；此場次的狀態為「已發佈」。"


def test_publishing_warnings_and_summary_in_chinese(make: Factories) -> None:
    series = make.series(title="Cities", title_zh="城市", is_published=False)
    session = make.session(
        series, title="Sensors", title_zh="感測器", starts_at=utcnow() + timedelta(minutes=30)
    )
    overlapping = make.session(series, title="Other", starts_at=session.starts_at)
    session.join_url = ""
    db.session.commit()
    stored = db.session.get(Session, session.id)
    assert stored is not None and overlapping.id
    with language("zh-Hant"):
        messages = {w.code: w.message for w in checks.publish_warnings(stored)}
        summary = SchedulingError({"a": ["報名已經截止。"], "b": ["場次已經結束。"]}).summary()
    assert messages["no_join_url"] == "尚未有參加連結；請在發出提醒前加上。"
    assert messages["series_unpublished"] == "系列尚未發佈，因此場次在系列發佈前不會公開。"
    # Both reminders (24 h and 1 h before) fall in the past; the codes repeat, the last wins.
    assert messages["reminder_in_past"].startswith("1 小時前的提醒應於 ")
    assert messages["reminder_in_past"].endswith(" HKT 發出，但該時間已過，因此不會寄出。")
    assert messages["series_overlap"].startswith("與同一系列的「Other」（城市 第 2 場網上研討會，")
    assert summary == "報名已經截止。場次已經結束。"
    with language("en"):
        english = {w.code: w.message for w in checks.publish_warnings(stored)}
    assert english["series_overlap"].startswith("It overlaps “Other” (Webinar 2 of Cities, ")


def test_team_refusal_through_the_api(
    client: FlaskClient, make: Factories, auth: dict[str, str]
) -> None:
    make.series(slug="team")
    make.speaker_user(email="speaker@example.org")
    db.session.commit()
    refused = client.post(
        "/api/v1/series/team/members",
        json={"email": "speaker@example.org", "role": "editor"},
        headers={**auth, **ZH},
    )
    assert refused.status_code == 422
    assert refused.get_json()["errors"]["email"] == ["speaker@example.org 屬於講者帳戶。"]


def test_account_and_image_refusals_in_chinese(app: object) -> None:
    with language("zh-Hant"):
        assert password_problem("short") == f"請使用最少 {MIN_PASSWORD_LENGTH} 個字元。"
        weak = password_problem("passwordpassword")
        with pytest.raises(ImageError) as empty:
            store_image(b"", subfolder="test", max_output_side=100)
    assert weak == "這個密碼很容易被猜到。請嘗試把幾個不常見的字詞組合起來。"
    assert str(empty.value) == "檔案是空的。請選擇 JPEG、PNG 或 WebP 圖片。"
    with language("en"):
        english = password_problem("passwordpassword")
    assert english is not None and english.endswith(" Try a few uncommon words together.")
