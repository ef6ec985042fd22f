"""Refusals raised deep in the services reach a Chinese reader in Chinese: the DST questions on
the session form, the attendance file's problems, and a cancelled session moved through the API."""

from __future__ import annotations

import io

from flask.testing import FlaskClient

from eventhub.accounts.services import create_api_token
from eventhub.extensions import db
from eventhub.scheduling.models import SessionStatus
from tests.scheduling.test_session_pages import _form
from tests.support.factories import Factories, LoginHelper


def test_the_clock_change_questions_are_asked_in_chinese(
    client: FlaskClient, make: Factories, login: LoginHelper
) -> None:
    series = make.series(timezone="Europe/London")
    login(make.organiser())
    client.set_cookie("eventhub_lang", "zh-Hant")
    url = f"/organiser/series/{series.id}/sessions/new"

    gap = client.post(url, data=_form(starts_at="2027-03-28T01:30", timezone="Europe/London"))
    twice = client.post(url, data=_form(starts_at="2027-10-31T01:30", timezone="Europe/London"))

    assert "Europe/London 沒有 2027年3月28日 01:30 這個時間" in gap.get_data(as_text=True)
    html = twice.get_data(as_text=True)
    assert "Europe/London 的 2027年10月31日 01:30 會出現兩次" in html
    assert "第一個 01:30（BST, UTC+01:00）" in html
    assert "第二個 01:30（GMT, UTC+00:00）" in html


def test_an_unreadable_attendance_file_is_explained_in_chinese(
    client: FlaskClient, make: Factories, login: LoginHelper
) -> None:
    session = make.session()
    login(make.organiser())
    client.set_cookie("eventhub_lang", "zh-Hant")

    response = client.post(
        f"/organiser/registrations/sessions/{session.id}/attendance-import",
        data={"file": (io.BytesIO(b"a,b\n1\x00,2\n"), "x.csv")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )

    assert "檔案含有 NUL 字元，不是文字匯出檔。" in response.get_data(as_text=True)


def test_a_cancelled_session_moved_through_the_api_is_refused_in_chinese(
    client: FlaskClient, make: Factories
) -> None:
    organiser = make.organiser()
    session = make.session(make.series(organiser_id=organiser.id))
    session.status = SessionStatus.CANCELLED
    token = create_api_token(organiser)
    db.session.commit()

    response = client.patch(
        f"/api/v1/sessions/{session.id}",
        json={"starts_at": "2027-05-01T10:00:00+08:00"},
        headers={"Authorization": f"Bearer {token}", "Accept-Language": "zh-Hant"},
    )

    assert response.status_code == 422
    assert "不能改期" in str(response.get_json()["errors"])
