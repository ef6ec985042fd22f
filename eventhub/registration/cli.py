"""Registration commands: import-attendance."""

from __future__ import annotations

from pathlib import Path

import click

from eventhub.extensions import db
from eventhub.registration import attendance
from eventhub.scheduling.models import Session


@click.command("import-attendance")
@click.argument("session_id", type=int)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--min-minutes",
    type=click.IntRange(min=1, max=24 * 60),
    default=None,
    help="Count only people present at least this long (when the report gives durations).",
)
def import_attendance_command(session_id: int, file: Path, min_minutes: int | None) -> None:
    """Mark attendance from a Zoom, Teams or Google Meet report, or a CSV of emails."""
    session = db.session.get(Session, session_id)
    if session is None:
        raise click.ClickException(f"No session with id {session_id}.")
    try:
        result = attendance.import_attendance(session, file.read_bytes(), min_minutes=min_minutes)
    except attendance.ImportProblem as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"format: {result.format}")
    click.echo(f"matched: {result.matched}")
    click.echo(f"attended: {result.attended} ({result.newly_marked} newly marked)")
    click.echo(f"not counted: {len(result.no_shows)}")
    click.echo(f"unmatched: {len(result.unmatched)}")
    for note in result.notes:
        click.echo(f"note: {note}")
    for row in result.no_shows:
        click.echo(f"  not counted, line {row.line}: {row.email} {row.name} ({row.reason})")
    for row in result.unmatched:
        click.echo(f"  unmatched, line {row.line}: {row.email or row.name} ({row.reason})")
