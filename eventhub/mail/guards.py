"""Last checks before a row goes out: unsubscribes here, the rest from the domains above.

Delivery sits below the domains, so what only they know (a reminder the world has overtaken,
a series' name and organiser address) comes back from receivers of the `checking_outbox_rows` and
`resolving_senders` signals, connected when the app registers its signals.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, tuple_

from eventhub import signals
from eventhub.extensions import db
from eventhub.mail.models import SERIES_MAIL, Unsubscribe


@dataclass(frozen=True)
class SeriesSender:
    """How a series' mail is signed: its title as the From name, its organiser as Reply-To."""

    name: str
    reply_to: str


def series_senders(series_ids: set[int]) -> dict[int, SeriesSender]:
    """The From name and organiser address of each series the rows are about."""
    senders: dict[int, SeriesSender] = {}
    if not series_ids:
        return senders
    for _, found in signals.resolving_senders.send(series_ids=series_ids):
        senders.update(found)
    return senders


def unsubscribed_pairs(pairs: set[tuple[int, str]]) -> set[tuple[int, str]]:
    """Which (series id, lower-cased email) pairs have unsubscribed, in one query."""
    if not pairs:
        return set()
    rows = db.session.execute(
        select(Unsubscribe.series_id, Unsubscribe.email).where(
            tuple_(Unsubscribe.series_id, Unsubscribe.email).in_(sorted(pairs))
        )
    )
    return {(series_id, email) for series_id, email in rows}


def suppression_reasons(rows: Sequence[Any], now: datetime) -> dict[int, str]:
    """Row id → why it must not be sent; rows not named go out. A fixed number of queries."""
    reasons: dict[int, str] = {}
    series_rows = [r for r in rows if r.kind in SERIES_MAIL and r.series_id is not None]
    pairs = {(r.series_id, r.recipient_email.lower()) for r in series_rows if r.series_id}
    unsubscribed = unsubscribed_pairs(pairs)
    for row in series_rows:
        if (row.series_id, row.recipient_email.lower()) in unsubscribed:
            reasons[row.id] = "suppressed: the recipient unsubscribed from this series"
    remaining = [r for r in rows if r.id not in reasons]
    if remaining:
        for _, found in signals.checking_outbox_rows.send(rows=remaining, now=now):
            for row_id, reason in found.items():
                reasons.setdefault(row_id, reason)
    return reasons
