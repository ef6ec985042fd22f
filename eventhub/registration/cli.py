"""Registration commands: import-attendance."""

from __future__ import annotations

from pathlib import Path

import click
from flask_babel import gettext as _

from eventhub.cli_help import LocalisedCommand
from eventhub.error_phrases import N_
from eventhub.extensions import db
from eventhub.registration import attendance
from eventhub.scheduling.models import Session


@click.command(
    "import-attendance",
    cls=LocalisedCommand,
    help=N_("Mark attendance from a Zoom, Teams or Google Meet report, or a CSV of emails."),
)
@click.argument("session_id", type=int)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--min-minutes",
    type=click.IntRange(min=1, max=24 * 60),
    default=None,
    help=N_("Count only people present at least this long (when the report gives durations)."),
)
def import_attendance_command(session_id: int, file: Path, min_minutes: int | None) -> None:
    session = db.session.get(Session, session_id)
    if session is None:
        raise click.ClickException(_("No session with id %(id)s.", id=session_id))
    try:
        result = attendance.import_attendance(session, file.read_bytes(), min_minutes=min_minutes)
    except attendance.ImportProblem as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(_("format: %(value)s", value=result.format))
    click.echo(_("matched: %(value)s", value=result.matched))
    click.echo(
        _(
            "attended: %(value)s (%(new)s newly marked)",
            value=result.attended,
            new=result.newly_marked,
        )
    )
    click.echo(_("not counted: %(value)s", value=len(result.no_shows)))
    click.echo(_("unmatched: %(value)s", value=len(result.unmatched)))
    for note in result.notes:
        click.echo(_("note: %(value)s", value=note))
    for row in result.no_shows:
        click.echo(
            "  "
            + _(
                "not counted, line %(line)s: %(email)s %(name)s (%(reason)s)",
                line=row.line,
                email=row.email,
                name=row.name,
                reason=row.reason,
            )
        )
    for row in result.unmatched:
        click.echo(
            "  "
            + _(
                "unmatched, line %(line)s: %(who)s (%(reason)s)",
                line=row.line,
                who=row.email or row.name,
                reason=row.reason,
            )
        )
