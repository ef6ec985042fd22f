"""What recaps says when scheduling deletes a series or a session: a recap depends on it."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import exists, select

from eventhub import signals
from eventhub.extensions import db
from eventhub.recaps.models import Recap
from eventhub.scheduling.models import Series, Session


def _series_dependants(series: Series) -> list[str]:
    session_ids = select(Session.id).where(Session.series_id == series.id).scalar_subquery()
    has_recap = db.session.scalar(select(exists().where(Recap.session_id.in_(session_ids))))
    return [_("a recap")] if has_recap else []


def _session_dependants(session: Session) -> list[str]:
    recap = db.session.scalar(select(Recap.id).where(Recap.session_id == session.id))
    return [_("a recap")] if recap is not None else []


def connect() -> None:
    signals.deleting_series.connect(_series_dependants)
    signals.deleting_session.connect(_session_dependants)
