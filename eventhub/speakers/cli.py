"""Speaker commands: load-seed-speakers."""

from __future__ import annotations

import click

from eventhub.extensions import db
from eventhub.speakers.seed import ensure_seed_speakers


@click.command("load-seed-speakers")
def load_seed_speakers_command() -> None:
    """Create or refresh the seed webinar's speaker profiles (safe to run again)."""
    profiles = ensure_seed_speakers()
    db.session.commit()
    for slug, profile in profiles.items():
        click.echo(f"{profile.name_line} → /speakers/{slug}")
