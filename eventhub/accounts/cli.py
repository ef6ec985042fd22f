"""Account commands: create-organiser, create-token, revoke-tokens."""

from __future__ import annotations

import click

from eventhub.accounts import services
from eventhub.extensions import db


@click.command("create-organiser")
@click.argument("email")
@click.option("--password", help="Omit to be prompted (kept out of shell history).")
@click.option("--name", "display_name", default="", help="Display name.")
@click.option("--admin", "is_admin", is_flag=True, help="An installation admin: sees all series.")
def create_organiser_command(
    email: str, password: str | None, display_name: str, is_admin: bool
) -> None:
    """Create an organiser account (an installation admin with --admin)."""
    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = services.create_organiser(email, password, display_name, is_admin=is_admin)
    except services.AccountError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"Created {'admin' if user.is_admin else 'organiser'} {user.email}.")


@click.command("create-token")
@click.argument("email")
@click.option("--name", default="", help="What the token is for (shown in listings).")
def create_token_command(email: str, name: str) -> None:
    """Create a personal access token for an organiser; it is printed once."""
    user = services.find_user(email)
    if user is None:
        raise click.ClickException(f"No account for {email}.")
    try:
        token = services.create_api_token(user, name)
    except services.AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(token)


@click.command("revoke-tokens")
@click.argument("email")
@click.option("--name", default=None, help="Only the tokens with this name.")
def revoke_tokens_command(email: str, name: str | None) -> None:
    """Revoke an organiser's personal access tokens."""
    user = services.find_user(email)
    if user is None:
        raise click.ClickException(f"No account for {email}.")
    count = services.revoke_api_tokens(user, name)
    db.session.commit()
    click.echo(f"Revoked {count} token(s).")
