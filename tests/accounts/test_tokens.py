"""Personal access tokens: printed once, stored hashed, revocable."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskCliRunner

from eventhub.accounts import services
from eventhub.accounts.models import ApiToken
from eventhub.extensions import db
from tests.support.factories import Factories


def test_create_token_command_prints_it_once(
    app: Flask, runner: FlaskCliRunner, make: Factories
) -> None:
    user = make.organiser(email="org@example.org")
    db.session.commit()
    result = runner.invoke(args=["eventhub", "create-token", "org@example.org", "--name", "ci"])
    assert result.exit_code == 0, result.output
    token = result.output.strip()
    assert token.startswith(services.TOKEN_PREFIX)
    stored = db.session.scalars(db.select(ApiToken)).one()
    assert token not in stored.token_hash
    assert services.user_for_token(token) == user


def test_revoked_token_no_longer_works(app: Flask, make: Factories) -> None:
    user = make.organiser()
    token = services.create_api_token(user, "x")
    assert services.user_for_token(token) == user
    assert services.revoke_api_tokens(user) == 1
    assert services.user_for_token(token) is None


def test_speakers_get_no_tokens(app: Flask, runner: FlaskCliRunner, make: Factories) -> None:
    make.speaker_user(email="s@example.org")
    db.session.commit()
    result = runner.invoke(args=["eventhub", "create-token", "s@example.org"])
    assert result.exit_code != 0
