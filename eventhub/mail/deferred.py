"""Rows rendered at send time through the mail merge (their context a snapshot queued with
the row, or built for the batch by `building_contexts`).

A burst of sign-ups leaves thousands of confirmation and waitlist rows whose snapshots differ
only in the registrant's name and personal links. Rendering three templates per row (~1-4 ms
on these machines) was the largest cost of delivering them; one task renders each template
once per shared context (session, language, the registrant's zone, …) and fills in the
personal values per row (`MailMerge`), producing the same text as rendering the row alone.
"""

from __future__ import annotations

import json
from typing import Any

from eventhub.i18n import language
from eventhub.mail.merge import MailMerge, marker
from eventhub.mail.outbox import (
    RenderedEmail,
    contexts_at_send_time,
    deferred_context,
    render_deferred,
)

# Snapshot values that differ from one registrant to the next; everything else is shared.
PERSONAL_LINKS = ("manage_url", "primary_url", "series_manage_url")
FIELDS = ("name", *PERSONAL_LINKS)


class DeferredRenders:
    """Renders the deferred rows of one task; one merge per template, kept for the task."""

    def __init__(self) -> None:
        self._merges: dict[str, MailMerge] = {}
        # Contexts built at send time for rows queued without a snapshot, by row id.
        self._built: dict[int, dict[str, Any]] = {}

    def prepare(self, rows: list[Any]) -> None:
        """Build the contexts of a batch's rows queued without a snapshot (one read for all);
        call it before `render`, inside the batch's reading transaction."""
        self._built = contexts_at_send_time(rows)

    def render(self, row: Any) -> RenderedEmail | None:
        """What `render_deferred` gives for the row (None for a row rendered when queued)."""
        spec = row.render
        if not spec:
            return None
        if "context" not in spec and row.id not in self._built:
            self._built.update(contexts_at_send_time([row]))
        context = deferred_context(row, self._built)
        registration = context.get("registration")
        if not isinstance(registration, dict) or not isinstance(registration.get("name"), str):
            return render_deferred(row)
        # The registration's id is left out of the shared context (no template shows it), so
        # rows that differ only in whose they are share one render.
        shared = {k: v for k, v in context.items() if k not in PERSONAL_LINKS}
        shared["registration"] = {"name": marker("name")}
        key = json.dumps(shared, sort_keys=True, default=str)
        merge = self._merges.get(spec["template"])
        if merge is None:
            merge = self._merges[spec["template"]] = MailMerge(spec["template"], FIELDS)
        with language(context.get("language")):
            return merge.render(
                key,
                shared,
                name=registration["name"],
                **{link: context.get(link) for link in PERSONAL_LINKS},
            )
