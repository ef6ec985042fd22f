"""API error bodies in the request's language: marshmallow's field messages and the API's own."""

from __future__ import annotations

import inspect
import re

import marshmallow as ma
import pytest
from babel.messages.pofile import read_po
from flask.testing import FlaskClient
from marshmallow import fields, validate

from eventhub.accounts.services import create_api_token
from eventhub.error_phrases import VALIDATION, translate
from eventhub.extensions import db
from eventhub.i18n import language
from tests.i18n.test_catalog import CATALOG
from tests.support.factories import Factories

ZH = {"Accept-Language": "zh-HK,zh;q=0.9,en;q=0.5"}
EN = {"Accept-Language": "en-GB"}


@pytest.fixture
def auth(make: Factories) -> dict[str, str]:
    token = create_api_token(make.organiser(email="api@example.org"), "test")
    db.session.commit()
    return {"Authorization": f"Bearer {token}"}


def _marshmallows_messages() -> set[str]:
    """Every message marshmallow 4 can give on load, its two-step Range ones spelled out."""
    found: set[str] = set(ma.Schema._default_error_messages.values())
    for _name, cls in inspect.getmembers(fields, inspect.isclass):
        found.update(vars(cls).get("default_error_messages", {}).values())
    for _name, cls in inspect.getmembers(validate, inspect.isclass):
        for key, value in vars(cls).items():
            if isinstance(value, str) and key.startswith(("message", "default_message")):
                found.add(value)
    # Dumping, not loading: a client never sends what these complain about.
    found = {m for m in found if "cannot be formatted" not in m}
    # Range builds "Must be {min_op} {{min}}." then fills the operators in.
    ranges = {m for m in found if "_op}" in m}
    operators = {m for m in found if m.endswith(("than", "to")) and m[0].islower()}
    found -= ranges | operators
    for template in ranges:
        for low in (validate.Range.message_gt, validate.Range.message_gte):
            for high in (validate.Range.message_lt, validate.Range.message_lte):
                found.add(template.format(min_op=low, max_op=high))
    # The temporal fields fill in what they are and whether a zone is expected.
    temporal = {m for m in found if "{obj_type}" in m}
    found -= temporal
    for template in temporal:
        for obj_type in ("datetime", "date", "time"):
            for awareness in ("naive", "aware"):
                if obj_type == "date" and "{awareness}" in template:
                    continue
                found.add(template.format(obj_type=obj_type, awareness=awareness))
    return found


def test_every_marshmallow_message_is_in_the_catalog() -> None:
    # A marshmallow upgrade that adds or rewords a message would leave it in English.
    missing = _marshmallows_messages() - set(VALIDATION)
    assert not missing, missing


def test_brace_placeholders_survive_translation() -> None:
    # The catalog check compares %(name)s placeholders only; marshmallow's are {name}.
    with (CATALOG / "messages.po").open("rb") as handle:
        catalog = read_po(handle)
    for template in VALIDATION:
        message = catalog[template]
        assert message is not None and message.string, template
        assert set(re.findall(r"\{(\w+)\}", str(message.string))) == set(
            re.findall(r"\{(\w+)\}", template)
        ), template


def test_missing_wrong_and_unknown_fields_in_chinese(
    client: FlaskClient, auth: dict[str, str]
) -> None:
    body = {"summary": 3, "timezone": "Asia/Hong_Kong", "colour": "red"}
    chinese = client.post("/api/v1/series", json=body, headers={**auth, **ZH})
    assert chinese.status_code == 422
    errors = chinese.get_json()["errors"]
    assert errors["title"] == ["必填欄位缺少資料。"]
    assert errors["summary"] == ["不是有效的字串。"]
    assert errors["colour"] == ["未知的欄位。"]
    english = client.post("/api/v1/series", json=body, headers={**auth, **EN}).get_json()
    assert english["errors"]["title"] == ["Missing data for required field."]
    assert english["errors"]["summary"] == ["Not a valid string."]


def test_filled_in_messages_keep_their_values(client: FlaskClient, auth: dict[str, str]) -> None:
    response = client.post(
        "/api/v1/series",
        json={"title": "x" * 400, "summary": "s", "timezone": "Asia/Hong_Kong"},
        headers={**auth, **ZH},
    )
    assert response.status_code == 422
    [message] = response.get_json()["errors"]["title"]
    assert re.fullmatch(r"長度必須介乎 \d+ 至 \d+。", message), message
    with language("zh-Hant"):
        assert translate("Must be greater than or equal to 5.") == "必須大於或等於 5。"
        assert translate("Must be greater than 1 and less than 9.") == "必須大於 1，並小於 9。"
        assert translate("Must be one of: owner, editor.") == "必須是以下其中之一：owner, editor。"
        assert translate("Nothing we know.") == "Nothing we know."


def test_the_apis_own_refusals_in_chinese(client: FlaskClient, auth: dict[str, str]) -> None:
    no_token = client.post("/api/v1/series", json={}, headers=ZH)
    assert no_token.status_code == 401
    assert (
        no_token.get_json()["message"] == "請以「Authorization: Bearer <token>」傳送個人存取權杖。"
    )
    bad_token = client.post("/api/v1/series", json={}, headers={"Authorization": "Bearer x", **ZH})
    assert bad_token.get_json()["message"] == "此權杖不存在、已撤銷或已過期。"
    session = {"title": "AI", "starts_at": "2027-03-12T14:30:00+08:00", "duration_minutes": 90}
    unknown = client.post("/api/v1/series/nope/sessions", json=session, headers={**auth, **ZH})
    assert unknown.status_code == 404
    assert unknown.get_json()["message"] == "沒有系列「nope」。"
    not_json = client.post(
        "/api/v1/series",
        data="{not json",
        content_type="application/json",
        headers={**auth, **ZH},
    )
    assert not_json.status_code in (400, 422)
    assert "JSON 內容無效。" in str(not_json.get_json())
