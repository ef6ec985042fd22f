"""`flask --app wsgi eventhub demo`: load the demo series (idempotent)."""

from __future__ import annotations

import secrets
from pathlib import Path

import click
from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext

from eventhub.cli_help import LocalisedCommand
from eventhub.demo.loader import DEMO_ORGANISER_EMAIL, load_demo
from eventhub.error_phrases import N_
from eventhub.extensions import db


def demo_password() -> str:
    """The demo organiser's password: generated once into instance/, then reused."""
    path = Path(current_app.instance_path) / "demo-organiser-password"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(12))
        path.chmod(0o600)
    return path.read_text().strip()


@click.command(
    "demo",
    cls=LocalisedCommand,
    help=N_("Load the demo webinar series; running it again changes nothing."),
)
def demo_command() -> None:
    result = load_demo(demo_password())
    db.session.commit()
    if result.created:
        click.echo(
            ngettext(
                "Demo loaded: %(num)d item created.",
                "Demo loaded: %(num)d items created.",
                len(result.created),
            )
        )
    else:
        click.echo(_("Demo already loaded; nothing to do."))
    click.echo(
        _(
            "Demo organiser: %(email)s / %(password)s",
            email=DEMO_ORGANISER_EMAIL,
            password=demo_password(),
        )
    )
