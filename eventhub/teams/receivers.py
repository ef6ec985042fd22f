"""Teams hears about new series: whoever creates one owns it."""

from __future__ import annotations

from typing import Any

from eventhub import signals
from eventhub.accounts.models import User
from eventhub.scheduling.models import Series
from eventhub.teams import services


def _creator_owns(series: Series, creator: User | None = None, **_: Any) -> None:
    if creator is not None and creator.is_organiser:
        services.make_owner(series.id, creator)


def connect() -> None:
    signals.series_created.connect(_creator_owns)
