"""The account security pages under /organiser/account/: the second factor and API tokens."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from eventhub.accounts import services, totp
from eventhub.accounts.models import TokenScope, User
from eventhub.activity import account_log
from eventhub.clock import utcnow
from eventhub.scheduling.forms import ConfirmForm
from eventhub.security import gate, qr
from eventhub.security import tokens as token_rules
from eventhub.security.forms import DisableForm, EnrolForm, TokenForm
from eventhub.transaction import change, keep_quiet

bp = Blueprint("security", __name__, url_prefix="/organiser/account")
gate.install(bp)

# The entries the overview lists: what happened to this person's own sign-in.
ACCOUNT_ACTIONS = (
    "security.enable_totp",
    "security.disable_totp",
    "security.regenerate_recovery_codes",
    "accounts.use_recovery_code",
    "security.create_token",
    "security.revoke_token",
)


def _me() -> User:
    user: User = current_user._get_current_object()
    return user


def _private(body: str) -> Response:
    # A page carrying a secret, a token or recovery codes: never cached, no back-button copy.
    response = current_app.make_response(body)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/")
def overview() -> ResponseReturnValue:
    """Your sign-in: the second factor, recovery codes left, tokens, recent changes."""
    user = _me()
    return render_template(
        "security/overview.html",
        user=user,
        codes_left=totp.recovery_codes_left(user),
        tokens=[t for t in services.tokens_of(user) if t.is_live(utcnow())],
        entries=account_log.recent_for(user.id, ACCOUNT_ACTIONS),
        disable_form=DisableForm(),
        confirm_form=ConfirmForm(),
    )


@bp.route("/two-factor", methods=["GET", "POST"])
def two_factor() -> ResponseReturnValue:
    """Enrol: add the secret to an app (QR code or text), then confirm with a current code."""
    user = _me()
    if user.has_second_factor:
        return redirect(url_for("security.overview"))
    form = EnrolForm()
    if form.validate_on_submit():
        with change(show=lambda refusal: form.code.errors.append(_(str(refusal)))) as done:
            codes = _enable(user, form.code.data or "")
        if done.ok:
            flash(_("Two-factor sign-in is on."), "success")
            return _private(render_template("security/recovery_codes.html", codes=codes))
    secret = totp.pending_secret(user)
    uri = totp.provisioning_uri(user, secret) if secret else None
    return _private(
        render_template(
            "security/two_factor.html",
            form=form,
            secret=secret,
            uri=uri,
            qr_svg=qr.svg(uri, _("QR code for your authenticator app")) if uri else Markup(""),
            start_form=ConfirmForm(),
            required=bool(current_app.config.get("EVENTHUB_REQUIRE_2FA")),
        )
    )


def _enable(user: User, code: str) -> list[str]:
    codes = totp.confirm_enrolment(user, code)
    account_log.record(user, "security.enable_totp", "Two-factor sign-in", enabled=True)
    return codes


@bp.route("/two-factor/start", methods=["POST"])
def two_factor_start() -> ResponseReturnValue:
    """Make a new secret to enrol (again, when the first one never reached the app)."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    user = _me()
    if not user.has_second_factor:
        with change():
            totp.start_enrolment(user)
    return redirect(url_for("security.two_factor"))


@bp.route("/two-factor/disable", methods=["POST"])
def two_factor_disable() -> ResponseReturnValue:
    """Turn the second factor off, proven by a current code or the password."""
    user = _me()
    form = DisableForm()
    if form.validate_on_submit():
        with change(show=lambda refusal: flash(_(str(refusal)), "error")) as done:
            _disable(user, form.proof.data or "")
        if done.ok:
            flash(_("Two-factor sign-in is off."), "info")
    return redirect(url_for("security.overview"))


def _disable(user: User, proof: str) -> None:
    totp.disable(user, proof)
    account_log.record(user, "security.disable_totp", "Two-factor sign-in", enabled=False)


@bp.route("/two-factor/recovery-codes", methods=["POST"])
def recovery_codes() -> ResponseReturnValue:
    """Replace the recovery codes with ten new ones (the old ones stop working)."""
    user = _me()
    if not ConfirmForm().validate_on_submit() or not user.has_second_factor:
        abort(400)
    with change():
        codes = totp.new_recovery_codes(user)
        account_log.record(user, "security.regenerate_recovery_codes", "Recovery codes")
    flash(_("New recovery codes made; the old ones no longer work."), "success")
    return _private(render_template("security/recovery_codes.html", codes=codes))


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
    return _private(
        render_template(
            "security/tokens.html",
            form=form,
            tokens=services.tokens_of(user),
            created=created,
            now=utcnow(),
            confirm_form=ConfirmForm(),
        )
    )


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
