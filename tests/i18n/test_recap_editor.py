"""The recap editor takes the Traditional Chinese versions; the public page shows the reader's
language and falls back to the other, marked with its `lang`."""

from __future__ import annotations

from datetime import timedelta

from flask.testing import FlaskClient
from sqlalchemy import select

from eventhub.clock import utcnow
from eventhub.extensions import db
from eventhub.recaps.models import Recap, RecapQuote, RecapSection
from tests.support.factories import Factories, LoginHelper

ZH = {"Accept-Language": "zh-HK"}


def test_organiser_writes_both_languages_and_readers_get_theirs(
    client: FlaskClient, make: Factories, login: LoginHelper
) -> None:
    series = make.series(title="Re-industrialization", title_zh="再工業化", slug="ri")
    session = make.session(
        series, starts_at=utcnow() - timedelta(days=2), title="Opportunities", slug="w1"
    )
    man = make.speaker(honorific="Prof", full_name="Man Hau-chung", name_zh="文效忠")
    make.link(session, man)
    db.session.commit()
    login(make.organiser())
    base = f"/organiser/recaps/sessions/{session.id}"
    editor = client.get(base, headers=ZH).get_data(as_text=True)
    assert "主標題（繁體中文）" in editor and 'lang="zh-Hant"' in editor
    saved = client.post(
        base,
        data={
            "headline": "Innovation, not old lines",
            "headline_zh": "講求創新，而非舊式生產線",
            "lead": "",
            "lead_zh": "三方一致認為要攜手合作。",
            "body_markdown": "The closing words.",
            "body_markdown_zh": "",
        },
    )
    assert saved.status_code == 302
    client.post(
        f"{base}/sections",
        data={
            "speaker_id": str(man.id),
            "heading": "Universities are ready",
            "heading_zh": "大學是現成的夥伴",
            "body": "Technology is the core.",
            "body_zh": "科技是核心。",
        },
    )
    # A quote written only in Chinese: English readers get it too, marked as Chinese.
    client.post(f"{base}/quotes", data={"speaker_id": str(man.id), "text_zh": "「香港製造」"})
    recap = db.session.scalars(select(Recap)).one()
    assert (recap.headline_zh, recap.lead_zh) == (
        "講求創新，而非舊式生產線",
        "三方一致認為要攜手合作。",
    )
    section = db.session.scalars(select(RecapSection)).one()
    assert (section.heading_zh, section.body_markdown_zh) == ("大學是現成的夥伴", "科技是核心。")
    quote = db.session.scalars(select(RecapQuote)).one()
    assert (quote.text, quote.text_zh) == ("", "香港製造")
    published = client.post(f"{base}/publish", headers=ZH)
    assert published.status_code == 302
    assert "回顧已發佈" in client.get(base, headers=ZH).get_data(as_text=True)
    client.post("/logout")

    public = "/series/ri/w1/recap"
    chinese = client.get(public, headers=ZH).get_data(as_text=True)
    assert "<h1>講求創新，而非舊式生產線</h1>" in chinese
    assert "三方一致認為要攜手合作。" in chinese and "大學是現成的夥伴" in chinese
    assert "科技是核心。" in chinese
    # The closing article exists only in English: shown, marked English.
    assert '<div class="prose" lang="en"><p>The closing words.</p>' in chinese
    english = client.get(public, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "<h1>Innovation, not old lines</h1>" in english
    assert "Universities are ready" in english and "大學是現成的夥伴" not in english
    # No English lead: the Chinese one stands in, with its language.
    assert '<p class="recap__lead" lang="zh-Hant">三方一致認為要攜手合作。</p>' in english
    assert 'lang="zh-Hant"><p>“香港製造”</p>' in english


def test_a_section_or_quote_needs_words_in_one_language(
    client: FlaskClient, make: Factories, login: LoginHelper
) -> None:
    session = make.session(make.series(), starts_at=utcnow() - timedelta(days=1))
    db.session.commit()
    login(make.organiser())
    base = f"/organiser/recaps/sessions/{session.id}"
    refused = client.post(base, data={"headline": "", "headline_zh": ""}, headers=ZH)
    assert refused.status_code == 200
    assert "請為回顧加上標題（任何一種語言均可）。" in refused.get_data(as_text=True)
    assert client.post(base, data={"headline_zh": "只有中文標題"}).status_code == 302
    client.post(f"{base}/quotes", data={"text": "", "text_zh": "「」"}, headers=ZH)
    client.post(f"{base}/sections", data={"heading": " ", "body_zh": ""}, headers=ZH)
    page = client.get(base, headers=ZH).get_data(as_text=True)
    assert "段落需要標題或內文。" in page and "金句需要有內容。" in page
    assert db.session.scalars(select(RecapQuote)).all() == []
    assert db.session.scalars(select(RecapSection)).all() == []
