"""`/password/reset`: ask for a link, then choose a new password from it."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from eventhub.accounts.forms import NewPasswordForm, ResetRequestForm
from eventhub.accounts.views import login_limit
from eventhub.extensions import limiter
from eventhub.recovery import reset
from eventhub.transaction import change

bp = Blueprint("recovery", __name__)


@bp.route("/password/reset", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"])
def password_reset() -> ResponseReturnValue:
    """Ask for a reset link; the answer is the same whether or not the address has an account."""
    form = ResetRequestForm()
    if form.validate_on_submit():
        with change():
            reset.request_reset(form.email.data or "")
        return render_template("recovery/reset_sent.html")
    return render_template("recovery/reset_request.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def password_reset_confirm(token: str) -> ResponseReturnValue:
    """Choose a new password from an emailed link."""
    user = reset.user_for(token)
    if user is None:
        return render_template("recovery/reset_invalid.html"), 410
    form = NewPasswordForm()
    if form.validate_on_submit():
        password = form.password.data or ""
        with change(show=lambda refusal: form.password.errors.append(str(refusal))) as done:
            reset.reset(user, password)
        if done.ok:
            flash(_("Your password is changed. Log in with it."), "success")
            return redirect(url_for("accounts.login"))
    return render_template("recovery/reset_form.html", form=form, user=user)
