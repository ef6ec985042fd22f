"""Privacy commands: erase-attendee, apply-retention."""

from __future__ import annotations

import click
from flask import current_app
from flask_babel import gettext as _

from eventhub.cli_help import LocalisedCommand
from eventhub.clock import utcnow
from eventhub.error_phrases import N_
from eventhub.privacy.erasure import ORGANISER_ERASURE, erase_person
from eventhub.privacy.retention import apply_retention
from eventhub.transaction import change, reraise


@click.command(
    "erase-attendee",
    cls=LocalisedCommand,
    help=N_("Erase an attendee's personal data in every series (an installation admin's act)."),
)
@click.argument("email")
def erase_attendee_command(email: str) -> None:
    with change(show=reraise):  # no page to show a refusal on: it leaves as an error
        outcome = erase_person(email, series_ids=None, actor=None, action=ORGANISER_ERASURE)
    click.echo(
        _(
            "registrations anonymised: %(registrations)s; unsent emails cancelled: "
            "%(cancelled)s; sent emails scrubbed: %(scrubbed)s",
            registrations=outcome.registrations + outcome.series_registrations,
            cancelled=outcome.messages_cancelled,
            scrubbed=outcome.messages_scrubbed,
        )
    )


@click.command(
    "apply-retention",
    cls=LocalisedCommand,
    help=N_("Run the retention sweep now (what beat does every hour)."),
)
def apply_retention_command() -> None:
    days = current_app.config.get("EVENTHUB_RETENTION_DAYS")
    if days is None:
        raise click.ClickException(_("EVENTHUB_RETENTION_DAYS is not set: nothing is erased."))
    count = apply_retention(utcnow(), days)
    click.echo(_("registrations anonymised: %(count)s", count=count))
