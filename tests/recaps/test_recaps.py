"""Recaps: the organiser writes, previews and publishes; the public reads the "Read more" page."""

from __future__ import annotations

from datetime import timedelta

from flask.testing import FlaskClient
from sqlalchemy import select

from eventhub import signals
from eventhub.clock import utcnow
from eventhub.extensions import db
from eventhub.recaps.models import Recap, RecapSection
from eventhub.recaps.queries import published_recap_session_ids
from eventhub.speakers.models import SpeakerRole
from tests.support.factories import Factories, LoginHelper


def _programme(make: Factories):  # type: ignore[no-untyped-def]
    series = make.series(title="Re-industrialization", slug="reindustrialization")
    first = make.session(
        series=series,
        starts_at=(utcnow() - timedelta(days=2)).replace(microsecond=0),
        title="Opportunities and challenges",
        slug="opportunities",
    )
    second = make.session(series=series, title="How does AI reinvent industrialization?", slug="ai")
    man = make.speaker(honorific="Prof", full_name="Man Hau-chung", organisation="PolyU")
    lui = make.speaker(honorific="Dr", full_name="Bobby Lui", position="President")
    make.link(first, man)
    make.link(first, lui, role=SpeakerRole.MODERATOR)
    db.session.commit()
    return series, first, second, man, lui


def test_write_preview_publish_and_read(
    client: FlaskClient, make: Factories, login: LoginHelper
) -> None:
    series, first, second, man, lui = _programme(make)
    published: list[Recap] = []

    def on_published(recap: Recap) -> None:
        published.append(recap)

    signals.recap_published.connect(on_published)
    login(make.organiser())
    base = f"/organiser/recaps/sessions/{first.id}"
    public = f"/series/{series.slug}/{first.slug}/recap"

    assert client.get(base).status_code == 200
    response = client.post(
        base,
        data={
            "headline": "Re-industrialization means innovating every process",
            "lead": "Government, industry and academia shared their insights.",
            "body_markdown": "All agreed: *innovation and technology*.<script>alert(1)</script>",
            "recording_url": "https://video.example.org/w1",
            "slides_url": "",
        },
    )
    assert response.status_code == 302
    client.post(
        f"{base}/sections",
        data={"speaker_id": str(man.id), "heading": "", "body": "University is **key**."},
    )
    client.post(f"{base}/sections", data={"speaker_id": str(lui.id), "body": "Made-in-HK."})
    client.post(
        f"{base}/quotes",
        data={"speaker_id": str(man.id), "text": "“University is a key stakeholder.”"},
    )
    assert client.get(public).status_code == 404  # a draft is not public
    preview = client.get(f"{base}/preview").get_data(as_text=True)
    assert "Preview." in preview and "Prof Man Hau-chung" in preview

    assert client.post(f"{base}/publish").status_code == 302
    assert [r.session_id for r in published] == [first.id]
    assert published_recap_session_ids([first.id, second.id]) == {first.id}
    signals.recap_published.disconnect(on_published)

    client.get("/logout")
    page = client.get(public).get_data(as_text=True)
    assert "Re-industrialization means innovating every process" in page
    assert "Government, industry and academia" in page
    assert "<strong>key</strong>" in page and "<script>alert(1)" not in page
    assert "University is a key stakeholder." in page and "“University" in page
    assert "Moderator" in page and "Dr Bobby Lui" in page
    assert "Watch the recording" in page
    assert "More in this series" in page and "How does AI reinvent" in page
    assert "Read more" in page and "Register" in page
    # Sections in the order written: the dean first, then the moderator.
    assert page.index("Prof Man Hau-chung") < page.index("Dr Bobby Lui")


def test_sections_reorder_and_refuse_a_speaker_from_elsewhere(
    client: FlaskClient, make: Factories, login: LoginHelper
) -> None:
    _series, first, _second, man, lui = _programme(make)
    stranger = make.speaker(full_name="Not On This Panel")
    login(make.organiser())
    base = f"/organiser/recaps/sessions/{first.id}"
    client.post(base, data={"headline": "Recap"})
    client.post(f"{base}/sections", data={"speaker_id": str(man.id), "body": "One"})
    client.post(f"{base}/sections", data={"speaker_id": str(lui.id), "body": "Two"})
    refused = client.post(
        f"{base}/sections",
        data={"speaker_id": str(stranger.id), "body": "Three"},
        follow_redirects=True,
    )
    assert refused.status_code == 200  # the choice is not offered: the form refuses it
    sections = list(db.session.scalars(select(RecapSection).order_by(RecapSection.position)))
    assert [s.body_markdown for s in sections] == ["One", "Two"]
    client.post(f"{base}/sections/{sections[1].id}/move", data={"direction": "up"})
    db.session.expire_all()
    ordered = list(db.session.scalars(select(RecapSection).order_by(RecapSection.position)))
    assert [s.body_markdown for s in ordered] == ["Two", "One"]
    client.post(f"{base}/sections/{ordered[0].id}/delete")
    assert db.session.scalar(select(RecapSection.body_markdown)) == "One"


def test_cannot_publish_before_the_session_or_without_content(
    client: FlaskClient, make: Factories, login: LoginHelper
) -> None:
    _series, first, second, _man, _lui = _programme(make)
    login(make.organiser())
    client.post(f"/organiser/recaps/sessions/{second.id}", data={"headline": "Too early"})
    client.post(
        f"/organiser/recaps/sessions/{second.id}", data={"headline": "Too early", "lead": "x"}
    )
    early = client.post(f"/organiser/recaps/sessions/{second.id}/publish", follow_redirects=True)
    assert "once the session has taken place" in early.get_data(as_text=True)
    client.post(f"/organiser/recaps/sessions/{first.id}", data={"headline": "Empty"})
    empty = client.post(f"/organiser/recaps/sessions/{first.id}/publish", follow_redirects=True)
    assert "before publishing" in empty.get_data(as_text=True)
    assert published_recap_session_ids([first.id, second.id]) == set()
