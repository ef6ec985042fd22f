"""Invitations: an outbox email with a signed, single-use, expiring link to set a password."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from eventhub import clock
from eventhub.accounts.models import Role, User
from eventhub.extensions import db
from eventhub.mail.compose import build_message
from eventhub.mail.guards import series_senders
from eventhub.speakers import invitations
from eventhub.speakers.models import ProfileChange, SpeakerInvitation, SpeakerRole
from eventhub.timefmt import format_moment
from eventhub.tokens import make_token
from tests.speakers.helpers import invitation_messages, link_in
from tests.support.factories import Factories, LoginHelper

GOOD_PASSWORD = "lantern harbour quietly"


def _invite(client: FlaskClient, make: Factories, login: LoginHelper, email: str = "") -> int:
    organiser = make.organiser(display_name="Olive Organiser")
    series = make.series(title="Re-industrialisation")
    session = make.session(series, title="The road ahead")
    speaker = make.speaker(full_name="Daniel Yip", honorific="Dr", email=email or None)
    make.link(session, speaker)
    login(organiser)
    response = client.post(
        f"/organiser/speakers/{speaker.id}/invite", data={"email": "Daniel@Example.org"}
    )
    assert response.status_code == 302
    return speaker.id


def test_invitation_is_an_outbox_message_with_a_link(
    client: FlaskClient, make: Factories, login: LoginHelper
) -> None:
    speaker_id = _invite(client, make, login)
    [message] = invitation_messages()
    assert message.recipient_email == "daniel@example.org"
    assert message.recipient_name == "Dr Daniel Yip"
    assert message.dedupe_key.startswith("speaker-invitation:")
    assert "Olive Organiser" in message.subject
    assert "The road ahead" in message.body_text and "The road ahead" in message.body_html
    assert "/speakers/invitation/" in message.body_html
    # Replies reach the organiser who invited them; the series names the sender.
    assert message.reply_to is not None and "Olive Organiser" in message.reply_to
    assert message.series_id is not None
    sender = series_senders({message.series_id})[message.series_id]
    built = build_message(
        message, "eventhub <no-reply@eventhub.example>", clock.utcnow(), sender_name=sender.name
    )
    assert built["Reply-To"].addresses[0].display_name == "Olive Organiser"
    assert built["From"].addresses[0].display_name == "Re-industrialisation"
    invitation = db.session.scalars(select(SpeakerInvitation)).one()
    assert invitation.speaker_id == speaker_id
    assert invitation.expires_at - invitation.created_at >= timedelta(days=6, hours=23)
    notes = db.session.scalars(select(ProfileChange.note)).all()
    assert "Invitation sent to daniel@example.org" in notes


def test_speaker_sets_password_and_lands_on_profile(
    client: FlaskClient, make: Factories, login: LoginHelper
) -> None:
    speaker_id = _invite(client, make, login)
    path = link_in(invitation_messages()[0])
    client.post("/logout")
    page = client.get(path)
    assert page.status_code == 200
    assert "daniel@example.org" in page.get_data(as_text=True)
    response = client.post(path, data={"password": GOOD_PASSWORD, "confirm": GOOD_PASSWORD})
    assert response.status_code == 302
    assert response.location.endswith("/me/profile")
    user = db.session.scalar(select(User).where(User.email == "daniel@example.org"))
    assert user is not None and user.role is Role.SPEAKER
    assert user.check_password(GOOD_PASSWORD)
    profile_page = client.get("/me/profile")
    assert profile_page.status_code == 200
    assert "Dr Daniel Yip" in profile_page.get_data(as_text=True)
    invitation = db.session.scalars(select(SpeakerInvitation)).one()
    assert invitation.used_at is not None
    assert invitation.speaker.user_id == user.id
    assert invitation.speaker_id == speaker_id
    # Once used, the same link explains itself (and the owner is simply sent to their profile).
    assert client.get(path).status_code == 302
    client.post("/logout")
    used = client.get(path)
    assert used.status_code == 410
    assert "already been used" in used.get_data(as_text=True)


def test_weak_or_mismatched_password_is_refused_inline(
    client: FlaskClient, make: Factories, login: LoginHelper
) -> None:
    _invite(client, make, login)
    path = link_in(invitation_messages()[0])
    client.post("/logout")
    weak = client.post(path, data={"password": "short", "confirm": "short"})
    assert weak.status_code == 200 and "at least 10 characters" in weak.get_data(as_text=True)
    own_email = client.post(
        path, data={"password": "daniel-2026-rocks", "confirm": "daniel-2026-rocks"}
    )
    assert "email address" in own_email.get_data(as_text=True)
    differ = client.post(path, data={"password": GOOD_PASSWORD, "confirm": GOOD_PASSWORD + "x"})
    assert "differ" in differ.get_data(as_text=True)
    assert db.session.scalar(select(User).where(User.role == Role.SPEAKER)) is None


def test_expired_link_gets_a_clear_page(
    client: FlaskClient, make: Factories, login: LoginHelper
) -> None:
    _invite(client, make, login)
    path = link_in(invitation_messages()[0])
    clock.move(timedelta(days=7, minutes=1))
    response = client.get(path)
    assert response.status_code == 410
    assert "has expired" in response.get_data(as_text=True)
    posted = client.post(path, data={"password": GOOD_PASSWORD, "confirm": GOOD_PASSWORD})
    assert posted.status_code == 410
    assert db.session.scalar(select(User).where(User.role == Role.SPEAKER)) is None


def test_tampered_and_wrong_purpose_links_get_a_clear_page(
    app: Flask, client: FlaskClient, make: Factories, login: LoginHelper
) -> None:
    _invite(client, make, login)
    path = link_in(invitation_messages()[0])
    tampered = path[:-3] + ("aaa" if not path.endswith("aaa") else "bbb")
    response = client.get(tampered)
    assert response.status_code == 404
    assert "not valid" in response.get_data(as_text=True)
    invitation = db.session.scalars(select(SpeakerInvitation)).one()
    forged = make_token("manage-registration", {"id": invitation.id, "nonce": invitation.nonce})
    assert client.get(f"/speakers/invitation/{forged}").status_code == 404
    wrong_nonce = make_token(invitations.PURPOSE, {"id": invitation.id, "nonce": "guess"})
    assert client.get(f"/speakers/invitation/{wrong_nonce}").status_code == 404
    assert client.get("/speakers/invitation/garbage").status_code == 404


def test_resend_replaces_the_link_and_revoke_kills_it(
    client: FlaskClient, make: Factories, login: LoginHelper
) -> None:
    speaker_id = _invite(client, make, login)
    first = link_in(invitation_messages()[0])
    assert client.post(f"/organiser/speakers/{speaker_id}/resend").status_code == 302
    messages = invitation_messages()
    assert len(messages) == 2
    second = link_in(messages[1])
    assert first != second
    replaced = client.get(first)
    assert replaced.status_code == 410 and "newer invitation" in replaced.get_data(as_text=True)
    assert client.get(second).status_code == 200
    assert client.post(f"/organiser/speakers/{speaker_id}/revoke").status_code == 302
    revoked = client.get(second)
    assert revoked.status_code == 410 and "withdrawn" in revoked.get_data(as_text=True)
    page = client.get(f"/organiser/speakers/{speaker_id}").get_data(as_text=True)
    assert "Invitation revoked" in page and "Not invited" in page


def test_cannot_invite_someone_who_has_an_account(
    client: FlaskClient, make: Factories, login: LoginHelper
) -> None:
    organiser = make.organiser(email="boss@example.org")
    speaker = make.speaker()
    login(organiser)
    response = client.post(
        f"/organiser/speakers/{speaker.id}/invite",
        data={"email": "boss@example.org"},
        follow_redirects=True,
    )
    assert "already belongs to another account" in response.get_data(as_text=True)
    assert invitation_messages() == []
    missing = client.post(
        f"/organiser/speakers/{speaker.id}/invite", data={"email": ""}, follow_redirects=True
    )
    assert "Enter the speaker&#39;s email address" in missing.get_data(as_text=True)


def test_invitation_days_are_configurable(app: Flask, make: Factories) -> None:
    app.config["EVENTHUB_SPEAKER_INVITATION_DAYS"] = 2
    speaker = make.speaker(email="s@example.org")
    invitation = invitations.invite(speaker, None, None)
    assert invitation.expires_at - invitation.created_at < timedelta(days=2, minutes=1)
    clock.move(timedelta(days=2, seconds=1))
    try:
        invitations.check(invitations.invitation_url(invitation).rsplit("/", 1)[1])
    except invitations.InvitationError as error:
        assert error.problem is invitations.Problem.EXPIRED
    else:
        raise AssertionError("an expired invitation was accepted")


def test_invitation_email_reads_well_in_text(app: Flask, make: Factories) -> None:
    organiser = make.organiser(display_name="Olive Organiser")
    series = make.series(title="Re-industrialization in Hong Kong")
    session = make.session(series, title="How does AI reinvent industrialization?")
    speaker = make.speaker(full_name="Sunny Chai", honorific="Dr", email="sunny@example.org")
    make.link(session, speaker, SpeakerRole.PANELIST)
    invitation = invitations.invite(speaker, None, organiser)
    [message] = invitation_messages()
    text = message.body_text
    assert text.startswith("Re-industrialization in Hong Kong\n=================================")
    assert "Dear Dr Sunny Chai," in text
    assert "Olive Organiser has created a speaker profile for you" in text
    assert "Set your password: http://eventhub.test/speakers/invitation/" in text
    assert "- Webinar 1: How does AI reinvent industrialization?" in text
    assert "HKT · Panelist" in text
    assert format_moment(invitation.expires_at, "Asia/Hong_Kong") in text
    assert message.subject == (
        "Olive Organiser invites you to keep your speaker profile for "
        "How does AI reinvent industrialization?"
    )
    assert 'href="http://eventhub.test/speakers/invitation/' in message.body_html
