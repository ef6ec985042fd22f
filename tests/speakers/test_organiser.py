"""Organisers: the speaker list with filters, any profile, history, and session line-ups."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select

from eventhub.accounts.models import User
from eventhub.extensions import db
from eventhub.images import upload_folder
from eventhub.scheduling.models import SessionStatus
from eventhub.speakers import invitations, services
from eventhub.speakers.models import ProfileChange, SessionSpeaker, SpeakerProfile, SpeakerRole
from tests.speakers import images_support as img
from tests.support.factories import Factories, LoginHelper


def _profile_form(**overrides: Any) -> dict[str, Any]:
    data = {
        "honorific": "Dr",
        "full_name": "Sunny Chai",
        "position": "Chairman",
        "organisation": "Hong Kong Science and Technology Parks Corporation (HKSTP)",
        "email": "Sunny@Example.org",
        "short_bio": "Chairman of HKSTP.",
    }
    data.update(overrides)
    return data


def test_organiser_creates_a_profile_with_a_slug(
    client: FlaskClient, make: Factories, login: LoginHelper
) -> None:
    login(make.organiser())
    response = client.post("/organiser/speakers/new", data=_profile_form())
    assert response.status_code == 302
    profile = db.session.scalars(select(SpeakerProfile)).one()
    assert profile.slug == "sunny-chai"
    assert profile.email == "sunny@example.org"
    assert response.location.endswith(f"/organiser/speakers/{profile.id}")
    again = client.post("/organiser/speakers/new", data=_profile_form())
    assert again.status_code == 302
    slugs = set(db.session.scalars(select(SpeakerProfile.slug)))
    assert slugs == {"sunny-chai", "sunny-chai-2"}
    page = client.get(response.location).get_data(as_text=True)
    assert "Profile created" in page and "Send invitation" in page


def test_organiser_edits_any_profile_and_sees_the_history(
    client: FlaskClient, make: Factories, login: LoginHelper
) -> None:
    profile, speaker_user = make.speaker_account(full_name="Sunny Chai", position="Member")
    login(speaker_user)
    client.post(
        "/me/profile",
        data={"full_name": "Sunny Chai", "position": "Director", "honorific": "Dr"},
    )
    client.post("/logout")
    organiser = make.organiser(display_name="Olive Organiser")
    login(organiser)
    response = client.post(
        f"/organiser/speakers/{profile.id}/edit", data=_profile_form(position="Chairman")
    )
    assert response.status_code == 302
    db.session.refresh(profile)
    assert profile.position == "Chairman"
    entries = db.session.scalars(
        select(ProfileChange)
        .where(ProfileChange.speaker_id == profile.id)
        .order_by(ProfileChange.id)
    ).all()
    assert [e.changed_by_id for e in entries] == [speaker_user.id, organiser.id]
    assert entries[0].changes["position"] == {"old": "Member", "new": "Director"}
    assert entries[1].changes["position"] == {"old": "Director", "new": "Chairman"}
    page = client.get(f"/organiser/speakers/{profile.id}").get_data(as_text=True)
    assert "Olive Organiser" in page and "(the speaker)" in page
    assert "<del>Director</del> → <ins>Chairman</ins>" in page
    listing = client.get("/organiser/speakers").get_data(as_text=True)
    assert "Sunny Chai" in listing and "Account active" in listing


def test_unchanged_save_records_nothing(
    client: FlaskClient, make: Factories, login: LoginHelper
) -> None:
    profile = make.speaker(**{k: v for k, v in _profile_form().items() if k != "email"})
    profile.email = "sunny@example.org"
    login(make.organiser())
    client.post(f"/organiser/speakers/{profile.id}/edit", data=_profile_form())
    assert db.session.scalars(select(ProfileChange)).all() == []


def test_organiser_uploads_a_photo_for_a_speaker(
    client: FlaskClient, make: Factories, login: LoginHelper
) -> None:
    profile = make.speaker()
    login(make.organiser())
    response = client.post(
        f"/organiser/speakers/{profile.id}/photo",
        data={"photo": (io.BytesIO(img.webp_bytes()), "p.webp")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    db.session.refresh(profile)
    assert profile.thumbnail_path and profile.thumbnail_path.startswith("speakers/")
    refused = client.post(
        f"/organiser/speakers/{profile.id}/photo",
        data={"photo": (io.BytesIO(b"not an image at all"), "p.jpg")},
        content_type="multipart/form-data",
    )
    assert refused.status_code == 400
    assert "not a JPEG, PNG or WebP" in refused.get_data(as_text=True)


def test_list_filters_by_search_status_and_series(
    client: FlaskClient, make: Factories, login: LoginHelper
) -> None:
    make.speaker_account(full_name="Active Person", organisation="PolyU")
    invited = make.speaker(full_name="Invited Person", email="inv@example.org")
    expired = make.speaker(full_name="Expired Person", email="exp@example.org")
    make.speaker(full_name="Plain Person")
    invitations.invite(invited, None, None)
    invitations.invite(expired, None, None).expires_at = invitations.utcnow() - timedelta(1)
    series = make.series(title="Biotech")
    make.link(make.session(series), invited)
    login(make.organiser())

    def names(query: str) -> set[str]:
        page = client.get(f"/organiser/speakers?{query}").get_data(as_text=True)
        return {n for n in ("Active", "Invited", "Expired", "Plain") if f"{n} Person" in page}

    assert names("") == {"Active", "Invited", "Expired", "Plain"}
    assert names("q=polyu") == {"Active"}
    assert names("q=exp%40example") == {"Expired"}
    assert names("status=active") == {"Active"}
    assert names("status=invited") == {"Invited"}
    assert names("status=expired") == {"Expired"}
    assert names("status=not_invited") == {"Plain"}
    assert names(f"series={series.id}") == {"Invited"}
    assert "1 speaker match" in client.get("/organiser/speakers?q=polyu").get_data(as_text=True)


def test_session_lineup_add_reorder_and_remove(
    client: FlaskClient, make: Factories, login: LoginHelper
) -> None:
    session = make.session(title="Re-industrialisation")
    man = make.speaker(full_name="Man Hau-chung", honorific="Prof")
    yip = make.speaker(full_name="Daniel Yip")
    liu = make.speaker(full_name="Bobby Liu")
    login(make.organiser())
    url = f"/organiser/sessions/{session.id}/speakers"
    lineup = f"/organiser/sessions/{session.id}/lineup"
    for profile, role in ((man, "speaker"), (yip, "speaker"), (liu, "moderator")):
        added = client.post(f"{lineup}/add", data={"speaker_id": profile.id, "role": role})
        assert added.status_code == 302 and added.location.endswith(url)
    duplicate = client.post(f"{lineup}/add", data={"speaker_id": man.id, "role": "speaker"})
    assert duplicate.status_code == 400
    links = db.session.scalars(
        select(SessionSpeaker)
        .where(SessionSpeaker.session_id == session.id)
        .order_by(SessionSpeaker.position)
    ).all()
    assert [(li.speaker_id, li.role, li.position) for li in links] == [
        (man.id, SpeakerRole.SPEAKER, 0),
        (yip.id, SpeakerRole.SPEAKER, 1),
        (liu.id, SpeakerRole.MODERATOR, 2),
    ]
    page = client.get(url).get_data(as_text=True)
    assert "Prof Man Hau-chung" in page and "Save order and roles" in page
    # Moderator first, Yip becomes a panelist.
    order = {}
    wanted = {liu.id: ("moderator", 1), man.id: ("speaker", 2), yip.id: ("panelist", 3)}
    for index, link in enumerate(links):
        role, position = wanted[link.speaker_id]
        order[f"rows-{index}-link_id"] = str(link.id)
        order[f"rows-{index}-role"] = role
        order[f"rows-{index}-position"] = str(position)
    assert client.post(f"{lineup}/order", data=order).status_code == 302
    db.session.expire_all()
    ordered = db.session.scalars(
        select(SessionSpeaker)
        .where(SessionSpeaker.session_id == session.id)
        .order_by(SessionSpeaker.position)
    ).all()
    assert [(li.speaker_id, li.role.value) for li in ordered] == [
        (liu.id, "moderator"),
        (man.id, "speaker"),
        (yip.id, "panelist"),
    ]
    assert client.post(f"{lineup}/{ordered[1].id}/remove").status_code == 302
    db.session.expire_all()
    remaining = db.session.scalars(
        select(SessionSpeaker).where(SessionSpeaker.session_id == session.id)
    ).all()
    assert sorted((li.speaker_id, li.position) for li in remaining) == [(yip.id, 1), (liu.id, 0)]
    assert client.get("/organiser/sessions/999999/speakers").status_code == 404


def test_overlapping_booking_is_flagged(
    client: FlaskClient, make: Factories, login: LoginHelper
) -> None:
    first = make.session(title="Morning talk")
    second = make.session(make.series(), starts_at=first.starts_at + timedelta(minutes=30))
    later = make.session(make.series(), starts_at=first.starts_at + timedelta(days=1))
    speaker = make.speaker()
    make.link(first, speaker)
    make.link(later, speaker)
    login(make.organiser())
    response = client.post(
        f"/organiser/sessions/{second.id}/lineup/add",
        data={"speaker_id": speaker.id, "role": "speaker"},
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert page.count("overlaps this one") == 1
    assert "“Morning talk”, which overlaps" in page


def test_draft_session_lineup_is_editable(
    client: FlaskClient, make: Factories, login: LoginHelper
) -> None:
    session = make.session(status=SessionStatus.DRAFT)
    speaker = make.speaker()
    login(make.organiser())
    response = client.post(
        f"/organiser/sessions/{session.id}/lineup/add",
        data={"speaker_id": speaker.id, "role": "panelist"},
    )
    assert response.status_code == 302


def test_delete_profile_only_when_in_no_session(
    client: FlaskClient, make: Factories, login: LoginHelper
) -> None:
    busy = make.speaker(full_name="Busy Speaker")
    make.link(make.session(), busy)
    spare, spare_user = make.speaker_account(full_name="Spare Speaker")
    services.set_photo(spare, img.jpeg_with_exif(), None)
    db.session.commit()
    photo = upload_folder() / str(spare.photo_path)
    assert photo.exists()
    login(make.organiser())
    refused = client.post(f"/organiser/speakers/{busy.id}/delete", follow_redirects=True)
    assert "remove them from it first" in refused.get_data(as_text=True)
    assert db.session.get(SpeakerProfile, busy.id) is not None
    response = client.post(f"/organiser/speakers/{spare.id}/delete")
    assert response.status_code == 302 and response.location.endswith("/organiser/speakers")
    db.session.expire_all()
    assert db.session.get(SpeakerProfile, spare.id) is None
    assert not photo.exists()
    assert db.session.get_one(User, spare_user.id).is_enabled is False
