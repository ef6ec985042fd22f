"""`flask --app wsgi eventhub demo`: load the demo series (idempotent)."""

from __future__ import annotations

import secrets
from pathlib import Path

import click
from flask import current_app

from eventhub.demo.loader import DEMO_ORGANISER_EMAIL, load_demo
from eventhub.extensions import db


def demo_password() -> str:
    """The demo organiser's password: generated once into instance/, then reused."""
    path = Path(current_app.instance_path) / "demo-organiser-password"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(12))
        path.chmod(0o600)
    return path.read_text().strip()


@click.command("demo")
def demo_command() -> None:
    """Load the demo webinar series; running it again changes nothing."""
    result = load_demo(demo_password())
    db.session.commit()
    if result.created:
        click.echo(f"Demo loaded: {len(result.created)} item(s) created.")
    else:
        click.echo("Demo already loaded; nothing to do.")
    click.echo(f"Demo organiser: {DEMO_ORGANISER_EMAIL} / {demo_password()}")
