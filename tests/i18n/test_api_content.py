"""The read API carries the Traditional Chinese versions next to the English fields, and the
organiser API takes them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask.testing import FlaskClient

from eventhub.accounts.services import create_api_token
from eventhub.extensions import db
from eventhub.scheduling.models import Series, Session
from tests.support.factories import Factories


@pytest.fixture
def auth(make: Factories) -> dict[str, str]:
    token = create_api_token(make.organiser(email="api@example.org"), "test")
    db.session.commit()
    return {"Authorization": f"Bearer {token}"}


def test_read_api_has_the_chinese_versions(client: FlaskClient, make: Factories) -> None:
    series = make.series(
        slug="s", title="Re-industrialization", title_zh="再工業化", summary_zh="四場研討會。"
    )
    session = make.session(
        series,
        slug="w1",
        starts_at=datetime(2030, 3, 12, 6, 30, tzinfo=UTC),
        title="AI and industry",
        title_zh="人工智能與工業",
        abstract_zh="摘要",
    )
    make.link(session, make.speaker(full_name="Bobby Liu", name_zh="廖家寶", short_bio_zh="會長"))
    make.session(series, slug="w2", title="Only English")
    db.session.commit()
    # The same answer whatever language is asked for: clients choose the field.
    for headers in ({}, {"Accept-Language": "zh-HK"}):
        listed = client.get("/api/v1/series", headers=headers).get_json()["series"][0]
        assert (listed["title"], listed["title_zh"]) == ("Re-industrialization", "再工業化")
        assert listed["summary_zh"] == "四場研討會。" and listed["default_language"] == "en"
        first, second = client.get("/api/v1/series/s", headers=headers).get_json()["sessions"]
        assert (first["title"], first["title_zh"]) == ("AI and industry", "人工智能與工業")
        assert first["abstract_zh"] == "摘要"
        assert (second["title_zh"], second["abstract_zh"]) == ("", "")
        speaker = first["speakers"][0]
        assert (speaker["full_name"], speaker["name_zh"]) == ("Bobby Liu", "廖家寶")
        assert speaker["short_bio_zh"] == "會長"
        one = client.get(f"/api/v1/sessions/{session.id}", headers=headers).get_json()
        assert one["title_zh"] == "人工智能與工業"
    spec = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    assert {"title_zh", "abstract_zh"} <= set(spec["SessionOut"]["properties"])


def test_organiser_api_takes_the_chinese_versions(
    client: FlaskClient, auth: dict[str, str]
) -> None:
    created = client.post(
        "/api/v1/series",
        json={
            "title": "Smart cities",
            "title_zh": "智慧城市",
            "summary_zh": "系列簡介",
            "default_language": "zh-Hant",
        },
        headers=auth,
    )
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["title_zh"] == "智慧城市"
    series = db.session.get(Series, created.get_json()["id"])
    assert series is not None and series.summary_zh == "系列簡介"
    assert series.default_language == "zh-Hant"
    session = client.post(
        f"/api/v1/series/{series.slug}/sessions",
        json={
            "title": "Sensors",
            "title_zh": "感測器",
            "abstract_zh": "簡介",
            "starts_at": "2030-03-12T14:30:00+08:00",
        },
        headers=auth,
    )
    assert session.status_code == 201, session.get_json()
    assert (session.get_json()["title_zh"], session.get_json()["abstract_zh"]) == ("感測器", "簡介")
    session_id = session.get_json()["id"]
    patched = client.patch(
        f"/api/v1/sessions/{session_id}", json={"title_zh": "傳感器"}, headers=auth
    )
    assert patched.status_code == 200 and patched.get_json()["title_zh"] == "傳感器"
    stored = db.session.get(Session, session_id)
    assert stored is not None and stored.title == "Sensors" and stored.abstract_zh == "簡介"
    bad = client.post(
        "/api/v1/series",
        json={"title": "x", "title_zh": "長" * 201, "default_language": "fr"},
        headers=auth,
    )
    assert bad.status_code == 422
    assert set(bad.get_json()["errors"]) == {"title_zh", "default_language"}
