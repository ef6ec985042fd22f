"""Account commands: create-organiser, create-token, revoke-tokens, reset-second-factor."""

from __future__ import annotations

from datetime import timedelta

import click
from flask_babel import gettext as _
from flask_babel import ngettext

from eventhub import signals
from eventhub.accounts import services, sessions, totp
from eventhub.accounts.models import TokenScope
from eventhub.cli_help import LocalisedCommand
from eventhub.clock import utcnow
from eventhub.error_phrases import N_
from eventhub.extensions import db


@click.command(
    "create-organiser",
    cls=LocalisedCommand,
    help=N_("Create an organiser account (an installation admin with --admin)."),
)
@click.argument("email")
@click.option("--password", help=N_("Omit to be prompted (kept out of shell history)."))
@click.option("--name", "display_name", default="", help=N_("Display name."))
@click.option(
    "--admin", "is_admin", is_flag=True, help=N_("An installation admin: sees all series.")
)
def create_organiser_command(
    email: str, password: str | None, display_name: str, is_admin: bool
) -> None:
    if password is None:
        password = click.prompt(_("Password"), hide_input=True, confirmation_prompt=True)
    try:
        user = services.create_organiser(email, password, display_name, is_admin=is_admin)
    except services.AccountError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    if user.is_admin:
        click.echo(_("Created admin %(email)s.", email=user.email))
    else:
        click.echo(_("Created organiser %(email)s.", email=user.email))


@click.command(
    "create-token",
    cls=LocalisedCommand,
    help=N_("Create a personal access token for an organiser; it is printed once."),
)
@click.argument("email")
@click.option("--name", default="", help=N_("What the token is for (shown in listings)."))
@click.option(
    "--scope",
    type=click.Choice([scope.value for scope in TokenScope]),
    default=TokenScope.WRITE.value,
    help=N_("read: GET calls only; write (the default): whatever the account's roles allow."),
)
@click.option(
    "--expires-days",
    type=click.IntRange(min=1, max=3650),
    default=None,
    help=N_("Days until the token stops working (default: never)."),
)
def create_token_command(email: str, name: str, scope: str, expires_days: int | None) -> None:
    user = services.find_user(email)
    if user is None:
        raise click.ClickException(_("No account for %(email)s.", email=email))
    try:
        token = services.create_api_token(
            user,
            name,
            scope=TokenScope(scope),
            expires_at=None if expires_days is None else utcnow() + timedelta(days=expires_days),
        )
    except services.AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    # Run at the shell, so nobody is signed in: the entry names no actor.
    signals.account_action.send(
        None,
        action="cli.create_token",
        target=f"API token “{name}” of {user.email}",
        changes={"scope": scope, "expires_days": expires_days},
    )
    db.session.commit()
    click.echo(token)


@click.command(
    "revoke-tokens", cls=LocalisedCommand, help=N_("Revoke an organiser's personal access tokens.")
)
@click.argument("email")
@click.option("--name", default=None, help=N_("Only the tokens with this name."))
def revoke_tokens_command(email: str, name: str | None) -> None:
    user = services.find_user(email)
    if user is None:
        raise click.ClickException(_("No account for %(email)s.", email=email))
    count = services.revoke_api_tokens(user, name)
    if count:
        target = f"API tokens of {user.email}" + (f" named “{name}”" if name else "")
        signals.account_action.send(
            None, action="cli.revoke_tokens", target=target, changes={"revoked": count}
        )
    db.session.commit()
    click.echo(ngettext("Revoked %(num)d token.", "Revoked %(num)d tokens.", count))


@click.command(
    "reset-second-factor",
    cls=LocalisedCommand,
    help=N_(
        "Turn off someone's second factor (phone and recovery codes both lost); their logins end."
    ),
)
@click.argument("email")
def reset_second_factor_command(email: str) -> None:
    user = services.find_user(email)
    if user is None:
        raise click.ClickException(_("No account for %(email)s.", email=email))
    if not user.has_second_factor:
        raise click.ClickException(_("%(email)s has no second factor.", email=user.email))
    totp.reset(user)
    # Whoever held the phone may be logged in: end every login of the account.
    sessions.revoke_all(user)
    signals.account_action.send(
        None, action="cli.reset_second_factor", target=f"Two-factor sign-in of {user.email}"
    )
    db.session.commit()
    click.echo(
        _(
            "Second factor of %(email)s turned off; they log in with the password alone.",
            email=user.email,
        )
    )
