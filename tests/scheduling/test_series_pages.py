"""Organisers create, edit, duplicate and delete series from the browser."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy import select

from eventhub.extensions import db
from eventhub.registration.models import RegistrationQuestion
from eventhub.scheduling.models import Series, SessionStatus
from tests.support.factories import Factories, LoginHelper

FORM = {
    "title": "Re-industrialization in Hong Kong",
    "summary": "Four webinars.",
    "timezone": "Asia/Hong_Kong",
    "reminder_offsets": "24h, 1h",
    "follow_up_delay_minutes": "120",
    "is_published": "y",
}


def _png(width: int = 1200, height: int = 400) -> BytesIO:
    buffer = BytesIO()
    Image.new("RGB", (width, height), (10, 90, 170)).save(buffer, format="PNG")
    buffer.seek(0)
    return buffer


def test_create_series_generates_a_unique_slug(
    client: FlaskClient, make: Factories, login: LoginHelper
) -> None:
    make.series(slug="re-industrialization-in-hong-kong")
    login(make.organiser())
    response = client.post("/organiser/series/new", data=FORM)
    assert response.status_code == 302
    series = db.session.scalar(select(Series).where(Series.title == FORM["title"]))
    assert series is not None
    assert series.slug == "re-industrialization-in-hong-kong-2"
    assert series.reminder_offsets_minutes == [1440, 60]
    assert series.is_published


def test_series_form_errors_are_inline(
    client: FlaskClient, make: Factories, login: LoginHelper
) -> None:
    make.series(slug="taken")
    login(make.organiser())
    response = client.post(
        "/organiser/series/new",
        data={**FORM, "slug": "taken", "reminder_offsets": "soon", "timezone": "Mars/Base"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "is not a duration like 24h" in html
    assert "Not a valid choice" in html
    response = client.post("/organiser/series/new", data={**FORM, "slug": "taken"})
    assert "Another series already uses" in response.get_data(as_text=True)


def test_edit_series_and_banner_upload(
    app: Flask, client: FlaskClient, make: Factories, login: LoginHelper
) -> None:
    series = make.series(slug="s")
    login(make.organiser())
    response = client.post(
        f"/organiser/series/{series.id}/edit",
        data={**FORM, "title": "New title", "slug": "s", "banner": (_png(), "banner.png")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    db.session.refresh(series)
    assert series.title == "New title"
    assert series.banner_path and series.banner_path.endswith(".jpg")
    stored = Path(app.config["EVENTHUB_UPLOAD_FOLDER"]) / series.banner_path
    with Image.open(stored) as image:
        assert image.format == "JPEG"
    page = client.get("/series/s").get_data(as_text=True)
    assert f'src="/uploads/{series.banner_path}"' in page
    assert client.get(f"/uploads/{series.banner_path}").status_code == 200

    client.post(
        f"/organiser/series/{series.id}/edit",
        data={**FORM, "slug": "s", "remove_banner": "y"},
        content_type="multipart/form-data",
    )
    db.session.refresh(series)
    assert series.banner_path is None and not stored.exists()


def test_banner_too_narrow_is_refused_and_its_file_removed(
    app: Flask, client: FlaskClient, make: Factories, login: LoginHelper
) -> None:
    series = make.series(slug="s")
    login(make.organiser())
    response = client.post(
        f"/organiser/series/{series.id}/edit",
        data={**FORM, "slug": "s", "banner": (_png(300, 100), "small.png")},
        content_type="multipart/form-data",
    )
    assert "at least 600 px wide" in response.get_data(as_text=True)
    folder = Path(app.config["EVENTHUB_UPLOAD_FOLDER"]) / "banners"
    assert not folder.exists() or list(folder.iterdir()) == []


def test_banner_that_is_not_an_image_is_refused(
    client: FlaskClient, make: Factories, login: LoginHelper
) -> None:
    series = make.series(slug="s")
    login(make.organiser())
    response = client.post(
        f"/organiser/series/{series.id}/edit",
        data={**FORM, "slug": "s", "banner": (BytesIO(b"<?php echo 1;"), "banner.png")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    assert response.get_data(as_text=True).count('class="field__error"') == 1
    db.session.refresh(series)
    assert series.banner_path is None


def test_duplicate_copies_sessions_as_drafts(
    client: FlaskClient, make: Factories, login: LoginHelper
) -> None:
    series = make.series(slug="s", title="Spring")
    session = make.session(series)
    make.link(session, make.speaker())
    login(make.organiser())
    response = client.post(f"/organiser/series/{series.id}/duplicate")
    assert response.status_code == 302
    copy = db.session.scalar(select(Series).where(Series.slug == "s-copy"))
    assert copy is not None and not copy.is_published
    assert [s.status for s in copy.sessions] == [SessionStatus.DRAFT]
    assert len(copy.sessions[0].speaker_links) == 1


def test_duplicate_keeps_the_chinese_version_and_the_registration_questions(
    client: FlaskClient, make: Factories, login: LoginHelper
) -> None:
    series = make.series(
        slug="bilingual",
        title="Spring",
        title_zh="春季",
        summary_zh="四場研討會。",
        default_language="zh_Hant",
    )
    make.session(series, title_zh="第一場", abstract_zh="我們會談甚麼。")
    make.question(series, label="Your organisation", position=0)
    make.question(series, label="Your role", position=1)
    login(make.organiser())
    assert client.post(f"/organiser/series/{series.id}/duplicate").status_code == 302
    copy = db.session.scalar(select(Series).where(Series.slug == "bilingual-copy"))
    assert copy is not None
    assert (copy.title, copy.title_zh) == ("Spring (copy)", "春季\uff08副本\uff09")
    assert (copy.summary_zh, copy.default_language) == ("四場研討會。", "zh_Hant")
    assert [(s.title_zh, s.abstract_zh) for s in copy.sessions] == [("第一場", "我們會談甚麼。")]
    questions = db.session.scalars(
        select(RegistrationQuestion)
        .where(RegistrationQuestion.series_id == copy.id)
        .order_by(RegistrationQuestion.position)
    )
    assert [q.label for q in questions] == ["Your organisation", "Your role"]
    # The source keeps its own questions.
    assert (
        len(
            db.session.scalars(
                select(RegistrationQuestion).where(RegistrationQuestion.series_id == series.id)
            ).all()
        )
        == 2
    )


def test_delete_only_while_nothing_depends_on_it(
    client: FlaskClient, make: Factories, login: LoginHelper
) -> None:
    busy = make.series(slug="busy")
    make.registration(make.session(busy))
    empty = make.series(slug="empty")
    make.session(empty)
    login(make.organiser())
    page = client.get(f"/organiser/series/{busy.id}/delete").get_data(as_text=True)
    assert "cannot be deleted" in page and "1 registration" in page
    assert client.post(f"/organiser/series/{busy.id}/delete").status_code == 302
    assert db.session.get(Series, busy.id) is not None
    assert client.post(f"/organiser/series/{empty.id}/delete").status_code == 302
    db.session.expire_all()
    assert db.session.get(Series, empty.id) is None


def test_dashboard_lists_sessions_with_counts_and_next_step(
    client: FlaskClient, make: Factories, login: LoginHelper
) -> None:
    series = make.series()
    session = make.session(series, capacity=30, title="Busy one")
    make.session(series, status=SessionStatus.DRAFT, title="Draft one")
    make.registration(session)
    make.registration(session)
    login(make.organiser())
    html = client.get(f"/organiser/series/{series.id}").get_data(as_text=True)
    assert "Busy one" in html and "Draft one" in html
    assert "<td>2</td>" in html and "<td>30</td>" in html
    assert "Taking registrations" in html and "Add speakers, then publish" in html
