"""The account security pages under /organiser/account/: API tokens and the second factor."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from eventhub.accounts import services
from eventhub.accounts.models import TokenScope, User
from eventhub.clock import utcnow
from eventhub.scheduling.forms import ConfirmForm
from eventhub.security import tokens as token_rules
from eventhub.security.forms import TokenForm
from eventhub.transaction import change, keep_quiet

bp = Blueprint("security", __name__, url_prefix="/organiser/account")


def _me() -> User:
    user: User = current_user._get_current_object()
    return user


@bp.route("/tokens", methods=["GET", "POST"])
def tokens() -> ResponseReturnValue:
    """List, create and revoke your own personal access tokens; a new one is shown once."""
    user = _me()
    form = TokenForm()
    created: str | None = None
    if form.validate_on_submit():
        name = (form.name.data or "").strip()
        scope = TokenScope(form.scope.data)
        zone = str(current_app.config["EVENTHUB_TIMEZONE"])
        with change(show=keep_quiet) as done:
            created = token_rules.create(
                user,
                name,
                scope,
                token_rules.expiry(form.expires.data or "", form.expires_on.data, zone),
            )
        if done.refusal is not None:
            form.expires_on.errors = [*form.expires_on.errors, _(str(done.refusal))]
        else:
            form = TokenForm(formdata=None)
    response = current_app.make_response(
        render_template(
            "security/tokens.html",
            form=form,
            tokens=services.tokens_of(user),
            created=created,
            now=utcnow(),
            confirm_form=ConfirmForm(),
        )
    )
    # The page may carry a token value: no cache, no back-button copy.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/tokens/<int:token_id>/revoke", methods=["POST"])
def revoke_token(token_id: int) -> ResponseReturnValue:
    """Revoke one of your own tokens at once; others' tokens are not found."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    with change():  # nothing to commit when the token is not one of yours
        row = token_rules.revoke(_me(), token_id)
    if row is None:
        abort(404)
    flash(_("Token “%(name)s” revoked; it no longer works.", name=row.name), "success")
    return redirect(url_for("security.tokens"))
