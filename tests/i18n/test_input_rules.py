"""The input rules every form and API field share explain themselves in the reader's language."""

from __future__ import annotations

from flask.testing import FlaskClient

from eventhub.accounts.services import create_api_token
from eventhub.extensions import db
from tests.security.test_hostile_input import _session_form
from tests.support.factories import Factories, LoginHelper


def test_a_line_break_in_a_title_is_refused_in_chinese_on_the_form_and_in_the_api(
    client: FlaskClient, make: Factories, login: LoginHelper
) -> None:
    organiser = make.organiser()
    series = make.series(organiser_id=organiser.id)
    token = create_api_token(organiser)
    db.session.commit()
    login(organiser)
    client.set_cookie("eventhub_lang", "zh-Hant")

    page = client.post(
        f"/organiser/series/{series.id}/sessions/new", data=_session_form(title="A\r\nBcc: x")
    ).get_data(as_text=True)
    api = client.post(
        f"/api/v1/series/{series.slug}/sessions",
        json={"title": "A =?utf-8?b?QQ==?=", "starts_at": "2027-03-12T14:30:00+08:00"},
        headers={"Authorization": f"Bearer {token}", "Accept-Language": "zh-Hant"},
    )

    assert "必須是單行文字，不可包含換行或控制字元。" in page
    assert "single line" not in page
    assert api.status_code == 422
    assert "不可包含「=?」（會被當作編碼的電郵標頭）。" in api.get_json()["errors"]["title"]


def test_the_english_reader_keeps_the_english_rule(
    client: FlaskClient, make: Factories, login: LoginHelper
) -> None:
    organiser = make.organiser()
    series = make.series(organiser_id=organiser.id)
    db.session.commit()
    login(organiser)

    page = client.post(
        f"/organiser/series/{series.id}/sessions/new", data=_session_form(title="A\x07B")
    ).get_data(as_text=True)

    assert "Must be a single line without line breaks or control characters." in page
