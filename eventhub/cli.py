"""The `flask --app wsgi eventhub …` command group; each domain contributes its commands."""

from __future__ import annotations

from eventhub.accounts.cli import (
    create_organiser_command,
    create_token_command,
    reset_second_factor_command,
    revoke_tokens_command,
)
from eventhub.cli_help import LocalisedGroup
from eventhub.demo.cli import demo_command
from eventhub.error_phrases import N_
from eventhub.privacy.cli import apply_retention_command, erase_attendee_command
from eventhub.registration.cli import import_attendance_command

eventhub_cli = LocalisedGroup("eventhub", help=N_("eventhub administration."))

for command in (
    create_organiser_command,
    create_token_command,
    revoke_tokens_command,
    reset_second_factor_command,
    demo_command,
    import_attendance_command,
    erase_attendee_command,
    apply_retention_command,
):
    eventhub_cli.add_command(command)
