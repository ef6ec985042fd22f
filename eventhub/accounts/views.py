"""Log in and out."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required

from eventhub.accounts import services, sessions
from eventhub.accounts.forms import LoginForm
from eventhub.extensions import limiter
from eventhub.transaction import change

bp = Blueprint("accounts", __name__)


def safe_next(target: str | None) -> str | None:
    """A `next=` target only if it stays on this site (a path, no scheme or host)."""
    if not target:
        return None
    target = target.strip().replace("\\", "/")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def _home_for(user: object) -> str:
    if getattr(user, "is_speaker", False):
        return url_for("speakers.my_profile")
    if getattr(user, "is_organiser", False):
        return url_for("attention.home")
    return url_for("public.home")


def login_limit() -> str:
    return str(current_app.config["EVENTHUB_RATELIMIT_LOGIN"])


def _login_account() -> str:
    # Failed logins also count per account, so spreading guesses over addresses does not help.
    return "login-account:" + str(request.form.get("email", "")).strip().lower()[:320]


def _failed(response: Response) -> bool:
    return response.status_code != 302


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"])
@limiter.limit(login_limit, methods=["POST"], key_func=_login_account, deduct_when=_failed)
def login() -> ResponseReturnValue:
    """Show the login form and log the user in."""
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")) or _home_for(current_user))
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        user = services.authenticate(form.email.data or "", form.password.data or "")
        if user is None:
            form.password.errors.append(_("That email and password do not match an account."))
        else:
            with change():
                sessions.start(user, remember=bool(form.remember.data))
            flash(_("You are logged in."), "success")
            return redirect(safe_next(form.next.data) or _home_for(user))
    return render_template("accounts/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout() -> ResponseReturnValue:
    """Log out (POST only, so a link or image cannot log someone out)."""
    with change():
        sessions.end_current()
    flash(_("You are logged out."), "info")
    return redirect(url_for("public.home"))


@bp.route("/logout/everywhere", methods=["POST"])
@login_required
def logout_everywhere() -> ResponseReturnValue:
    """End every login of this account, on every device, this one included."""
    user = current_user._get_current_object()
    with change():
        sessions.revoke_all(user)
        sessions.end_current()
    flash(_("You are logged out on every device."), "info")
    return redirect(url_for("public.home"))
