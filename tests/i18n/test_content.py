"""Bilingual content: the reader's language when entered, else the other, marked with its lang."""

from __future__ import annotations

from flask.testing import FlaskClient

from eventhub.extensions import db
from tests.support.factories import Factories, LoginHelper

ZH = {"Accept-Language": "zh-HK"}
EN = {"Accept-Language": "en"}


def test_titles_and_abstracts_fall_back_to_the_other_language(
    client: FlaskClient, make: Factories
) -> None:
    series = make.series(slug="s", title="Re-industrialization", title_zh="再工業化")
    both = make.session(
        series,
        slug="both",
        title="AI in industry",
        title_zh="工業中的人工智能",
        abstract="In English.",
        abstract_zh="中文簡介。",
    )
    english_only = make.session(series, slug="en-only", title="Textiles", abstract="Looms.")
    chinese_only = make.session(series, slug="zh-only", title="", title_zh="生物科技")
    db.session.commit()
    assert both and english_only and chinese_only

    page = client.get("/series/s/both", headers=ZH).get_data(as_text=True)
    assert (
        "<h1>工業中的人工智能</h1>" in page and "中文簡介。" in page and "In English." not in page
    )
    page = client.get("/series/s/both", headers=EN).get_data(as_text=True)
    assert "<h1>AI in industry</h1>" in page and "中文簡介" not in page

    # Only English: the Chinese page shows it, marked as English.
    page = client.get("/series/s/en-only", headers=ZH).get_data(as_text=True)
    assert '<h1 lang="en">Textiles</h1>' in page and 'lang="en">' in page
    # Only Chinese: the English page shows it, marked as Chinese.
    page = client.get("/series/s/zh-only", headers=EN).get_data(as_text=True)
    assert '<h1 lang="zh-Hant">生物科技</h1>' in page

    listing = client.get("/series/s", headers=ZH).get_data(as_text=True)
    assert "<h1>再工業化</h1>" in listing and "Textiles" in listing and "生物科技" in listing


def test_speaker_names_in_both_scripts(client: FlaskClient, make: Factories) -> None:
    session = make.session(make.series(slug="s"), slug="w")
    make.link(
        session,
        make.speaker(
            full_name="Man Hau-chung", name_zh="文效忠", short_bio="Dean.", short_bio_zh="院長。"
        ),
    )
    db.session.commit()
    chinese = client.get("/series/s/w", headers=ZH).get_data(as_text=True)
    assert '<span lang="zh-Hant">文效忠</span>' in chinese
    assert '<span class="speaker__other-name" lang="en">Dr Man Hau-chung</span>' in chinese
    assert "院長。" in chinese
    english = client.get("/series/s/w", headers=EN).get_data(as_text=True)
    assert '<span class="speaker__other-name" lang="zh-Hant">文效忠</span>' in english
    assert "Dean." in english and "院長" not in english


def test_organisers_enter_the_chinese_versions_and_the_default_language(
    client: FlaskClient, make: Factories, login: LoginHelper
) -> None:
    organiser = make.organiser()
    db.session.commit()
    login(organiser)
    form = {
        "title": "Re-industrialization",
        "title_zh": "再工業化",
        "summary": "Four webinars.",
        "summary_zh": "四場網上研討會。",
        "default_language": "zh-Hant",
        "timezone": "Asia/Hong_Kong",
        "reminder_offsets": "24h",
        "follow_up_delay_minutes": "120",
        "is_published": "y",
    }
    response = client.post("/organiser/series/new", data=form)
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:2000]
    from sqlalchemy import select

    from eventhub.scheduling.models import Series

    series = db.session.scalar(select(Series).where(Series.title == "Re-industrialization"))
    assert series is not None
    assert (series.title_zh, series.summary_zh, series.default_language) == (
        "再工業化",
        "四場網上研討會。",
        "zh-Hant",
    )
    refused = client.post("/organiser/series/new", data={**form, "default_language": "fr"})
    assert refused.status_code == 200 and series.default_language == "zh-Hant"
