"""Emails to account holders (a reset, a speaker or team invitation) go through one helper; their
dedupe keys render exactly the strings written by hand before it, and the envelope, language and
reply address are what each caller had."""

from __future__ import annotations

import re
from datetime import timedelta

from flask import Flask
from flask_babel import get_locale

from eventhub.clock import utcnow
from eventhub.extensions import db
from eventhub.mail.account_messages import Addressee, queue_for_account, reply_address
from eventhub.mail.dedupe import DedupeKey
from eventhub.mail.models import MessageKind
from eventhub.recovery import reset
from eventhub.speakers import invitations as speaker_invitations
from eventhub.teams import invitations as team_invitations
from eventhub.teams.models import MemberRole
from tests.mail.support import outbox
from tests.support.factories import Factories


def test_each_kind_renders_the_string_it_always_had(make: Factories) -> None:
    organiser = make.organiser(display_name="Olive Organiser")
    user = make.user(email="reader@example.org", display_name="Rita Reader")
    series = make.series(title="Re-industrialisation")
    session = make.session(series, starts_at=utcnow() + timedelta(days=3))
    speaker = make.speaker(full_name="Daniel Yip", honorific="Dr")
    make.link(session, speaker)
    db.session.flush()

    assert re.fullmatch(rf"password-reset:{user.id}:[0-9a-f]{{16}}", str(reset.reset_key(user)))
    reset.request_reset("reader@example.org")
    invited = speaker_invitations.invite(speaker, "daniel@example.org", organiser)
    joined = team_invitations.invite(series, "new@example.org", MemberRole.EDITOR, organiser)

    [reset_row] = outbox(MessageKind.PASSWORD_RESET)
    assert re.fullmatch(rf"password-reset:{user.id}:[0-9a-f]{{16}}", reset_row.dedupe_key)
    [speaker_row] = outbox(MessageKind.SPEAKER_INVITATION)
    assert speaker_row.dedupe_key == f"speaker-invitation:{invited.id}"
    [team_row] = outbox(MessageKind.TEAM_INVITATION)
    assert team_row.dedupe_key == f"team-invitation:{joined.id}"

    # Who each is for, who replies reach and which series sends it, as before the helper.
    olive = '"Olive Organiser" <' + organiser.email + ">"
    assert (reset_row.recipient_email, reset_row.recipient_name) == (user.email, "Rita Reader")
    assert (reset_row.reply_to, reset_row.series_id) == (None, None)
    assert (speaker_row.recipient_email, speaker_row.recipient_name) == (
        "daniel@example.org",
        "Dr Daniel Yip",
    )
    assert (speaker_row.reply_to, speaker_row.series_id) == (olive, series.id)
    assert (team_row.recipient_email, team_row.recipient_name) == ("new@example.org", "")
    assert (team_row.reply_to, team_row.series_id) == (olive, series.id)


def test_a_speaker_invited_by_nobody_replies_to_the_series_organiser(make: Factories) -> None:
    organiser = make.organiser(display_name="Olive Organiser")
    series = make.series(organiser_id=organiser.id)
    session = make.session(series, starts_at=utcnow() + timedelta(days=3))
    speaker = make.speaker()
    make.link(session, speaker)
    db.session.flush()
    speaker_invitations.invite(speaker, "daniel@example.org", None)
    team_invitations.invite(series, "new@example.org", MemberRole.VIEWER, None)
    [speaker_row] = outbox(MessageKind.SPEAKER_INVITATION)
    assert speaker_row.reply_to == '"Olive Organiser" <' + organiser.email + ">"
    # A team invitation without an inviter never had a reply address.
    [team_row] = outbox(MessageKind.TEAM_INVITATION)
    assert team_row.reply_to is None


def test_the_account_language_comes_first_then_the_series(app: Flask, make: Factories) -> None:
    reader = make.user(email="zh@example.org", language="zh-Hant")
    english = make.series(default_language="en")
    series = make.series(default_language="zh-Hant")
    db.session.flush()
    seen: list[str] = []

    def context() -> dict[str, object]:
        seen.append(str(get_locale()))
        return {"user": reader, "series_title": "eventhub", "primary_url": "", "primary_label": ""}

    key = DedupeKey("password-reset", reader.id, "pinned")
    with app.test_request_context(headers={"Accept-Language": "en"}):
        to_reader = Addressee(reader.email, account=reader, series=english)
        first = queue_for_account(
            to_reader, MessageKind.PASSWORD_RESET, "password_reset", key, context
        )
        again = queue_for_account(
            to_reader, MessageKind.PASSWORD_RESET, "password_reset", key, context
        )
        to_newcomer = Addressee("new@example.org", series=series)
        queue_for_account(
            to_newcomer, MessageKind.PASSWORD_RESET, "password_reset", key.child(2), context
        )
        queue_for_account(
            Addressee("other@example.org"),
            MessageKind.PASSWORD_RESET,
            "password_reset",
            key.child(3),
            context,
        )
    assert first is not None and again is None
    assert seen == ["zh_Hant", "zh_Hant", "zh_Hant", "en"]
    assert reply_address(None) is None
