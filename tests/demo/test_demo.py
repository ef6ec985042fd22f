"""The demo series carries the seed's facts and loads idempotently."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import func, select

from eventhub.clock import utcnow
from eventhub.demo.loader import load_demo
from eventhub.extensions import db
from eventhub.recaps.models import Recap
from eventhub.registration.models import Registration
from eventhub.scheduling.models import Series, Session, SessionStatus
from eventhub.speakers.models import SessionSpeaker, SpeakerProfile, SpeakerRole, lineup_of


def _counts() -> dict[str, int]:
    return {
        model.__tablename__: db.session.scalar(select(func.count()).select_from(model)) or 0
        for model in (Series, Session, SpeakerProfile, SessionSpeaker, Recap, Registration)
    }


def test_demo_has_the_seed_series(app: Flask) -> None:
    load_demo("a demo password 123")
    db.session.commit()
    series = db.session.scalars(select(Series)).one()
    assert series.timezone == "Asia/Hong_Kong"
    assert series.is_published
    sessions = sorted(series.sessions, key=lambda s: s.number)
    assert [s.number for s in sessions] == [1, 2, 3, 4]
    assert sessions[1].title == "How does AI reinvent industrialization in Hong Kong?"
    assert (
        sessions[2].title == "A re-industrialization roadmap for the textile industry in Hong Kong"
    )
    assert sessions[3].title == "The future of biotech industry in Hong Kong"

    now = utcnow()
    assert sessions[0].starts_at < now - timedelta(days=1)
    assert sessions[0].status is SessionStatus.ENDED
    for upcoming in sessions[1:]:
        assert upcoming.starts_at > now
        assert upcoming.status is SessionStatus.PUBLISHED
        assert upcoming.registration_closes_at is None or upcoming.registration_closes_at > now

    lineup = [(link.speaker.name_line, link.role) for link in lineup_of(sessions[0])]
    assert lineup == [
        ("Prof Man Hau-chung", SpeakerRole.SPEAKER),
        ("Dr Daniel Yip", SpeakerRole.SPEAKER),
        ("Dr Sunny Chai", SpeakerRole.SPEAKER),
        ("Dr Bobby Liu", SpeakerRole.MODERATOR),
    ]
    organisations = {link.speaker.organisation for link in lineup_of(sessions[0])}
    assert "Federation of Hong Kong Industries" in organisations
    recap = db.session.scalars(select(Recap)).one()
    assert recap.session_id == sessions[0].id and recap.is_published
    assert len(recap.sections) == 4


def test_demo_is_idempotent(app: Flask, runner: FlaskCliRunner) -> None:
    first = runner.invoke(args=["eventhub", "demo"])
    assert first.exit_code == 0, first.output
    assert "Demo organiser: organiser@example.org /" in first.output
    counts = _counts()
    second = runner.invoke(args=["eventhub", "demo"])
    assert second.exit_code == 0, second.output
    assert "nothing to do" in second.output
    assert _counts() == counts
    # The same password both times: it was generated once into instance/.
    assert first.output.splitlines()[-1] == second.output.splitlines()[-1]


def test_demo_series_page_shows_sessions_and_speakers(app: Flask) -> None:
    load_demo("a demo password 123")
    db.session.commit()
    page = app.test_client().get("/series/reindustrialization-hong-kong").get_data(as_text=True)
    for number in (1, 2, 3, 4):
        assert f"Webinar {number}" in page
    assert "HKT" in page
    assert "Dr Sunny Chai" in page
    assert "Moderator" in page
    home = app.test_client().get("/").get_data(as_text=True)
    assert "How does AI reinvent industrialization in Hong Kong?" in home


def test_demo_recap_and_speakers_read_in_chinese(app: Flask) -> None:
    load_demo("a demo password 123")
    db.session.commit()
    session = db.session.scalars(select(Session).where(Session.number == 1)).one()
    page = (
        app.test_client()
        .get(
            f"/series/{session.series.slug}/{session.slug}/recap",
            headers={"Accept-Language": "zh-HK"},
        )
        .get_data(as_text=True)
    )
    assert "大學是現成的合作夥伴" in page and "「香港製造」是寶貴的品牌。" in page
    assert "再工業化並不是把勞工密集的生產線搬回香港" in page
    # Every demo speaker has a Chinese name (Bobby Liu's is written for the demo).
    names = db.session.scalars(select(SpeakerProfile.name_zh)).all()
    assert all(names) and "廖家寶" in names


def test_an_older_demo_recap_gets_its_chinese_texts(app: Flask) -> None:
    load_demo("a demo password 123")
    db.session.commit()
    recap = db.session.scalars(select(Recap)).one()
    recap.body_markdown_zh = ""
    for section in recap.sections:
        section.heading_zh = section.body_markdown_zh = ""
    recap.quotes[0].text_zh = "已改寫的引言"
    db.session.commit()
    load_demo("a demo password 123")
    db.session.commit()
    assert recap.body_markdown_zh.startswith("討論中有一點")
    assert recap.sections[0].heading_zh == "大學是現成的合作夥伴"
    # What someone typed stays.
    assert recap.quotes[0].text_zh == "已改寫的引言"
