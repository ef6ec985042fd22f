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
from flask_babel import ngettext
from flask_login import current_user, login_required

from eventhub import signals
from eventhub.accounts import pending, services, sessions, totp
from eventhub.accounts.forms import CodeForm, LoginForm
from eventhub.accounts.models import PendingLogin, User
from eventhub.clock import utcnow
from eventhub.extensions import db, limiter
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
        elif user.has_second_factor:
            # Not logged in yet: the code comes next, on its own page.
            with change():
                pending.begin(
                    user, remember=bool(form.remember.data), next_url=safe_next(form.next.data)
                )
            return redirect(url_for("accounts.login_code"))
        else:
            with change():
                sessions.start(user, remember=bool(form.remember.data))
            flash(_("You are logged in."), "success")
            return redirect(safe_next(form.next.data) or _home_for(user))
    return render_template("accounts/login.html", form=form)


def _code_account() -> str:
    # Wrong codes also count per account, across however many pending logins.
    row = pending.current()
    return f"login-code-account:{row.user_id if row is not None else '-'}"


@bp.route("/login/code", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"])
@limiter.limit(login_limit, methods=["POST"], key_func=_code_account, deduct_when=_failed)
def login_code() -> ResponseReturnValue:
    """The second step of a login: a code from the authenticator app, or a recovery code."""
    if current_user.is_authenticated:
        return redirect(_home_for(current_user))
    row = pending.current()
    if row is None:
        pending.forget()
        flash(_("Please log in: the sign-in waiting for a code has ended."), "info")
        return redirect(url_for("accounts.login"))
    form = CodeForm()
    if form.validate_on_submit():
        user = db.get_or_404(User, row.user_id)
        proof = totp.check(user, form.code.data or "") if pending.reserve_attempt(row) else None
        if proof is not None:
            return _finish_login(row, user, proof)
        with change():  # the attempt stays counted
            left = pending.attempts_left(row)
        if left == 0:
            pending.forget()
            flash(_("Too many wrong codes. Log in again."), "error")
            return redirect(url_for("accounts.login"))
        form.code.errors.append(_("That code is not right, or it was used already."))
    return render_template("accounts/login_code.html", form=form)


def _finish_login(row: PendingLogin, user: User, proof: str) -> ResponseReturnValue:
    with change():
        next_url = pending.finish(row)
        user.last_login_at = utcnow()
        sessions.start(user, remember=row.is_remembered)
        if proof == "recovery_code":
            left = totp.recovery_codes_left(user)
            signals.account_action.send(
                user,
                action="accounts.use_recovery_code",
                target="Recovery code",
                changes={"codes_left": left},
            )
            flash(
                ngettext(
                    "You used a recovery code; %(num)d is left.",
                    "You used a recovery code; %(num)d are left.",
                    left,
                ),
                "warning",
            )
    flash(_("You are logged in."), "success")
    return redirect(safe_next(next_url) or _home_for(user))


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
