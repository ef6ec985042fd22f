"""An organiser with a personal access token, for the organiser API tests."""

from __future__ import annotations

import pytest

from eventhub.accounts.services import create_api_token
from eventhub.extensions import db
from tests.support.factories import Factories


@pytest.fixture
def token(make: Factories) -> str:
    value = create_api_token(make.organiser(email="integration@example.org"), "import")
    db.session.commit()
    return value


@pytest.fixture
def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
