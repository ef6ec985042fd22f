"""Following an invitation link: set a password, land on the profile."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from eventhub.accounts import sessions
from eventhub.extensions import limiter
from eventhub.speakers import invitations
from eventhub.speakers.forms import SetPasswordForm
from eventhub.speakers.invitations import InvitationError, Problem
from eventhub.speakers.views import bp
from eventhub.transaction import change, keep_quiet

# What each unusable link says: a heading and what to do next.
PROBLEM_TEXT = {
    Problem.EXPIRED: (
        _l("This invitation has expired"),
        _l("Invitation links work for a limited time. Please ask the organisers for a new one."),
    ),
    Problem.USED: (
        _l("This invitation has already been used"),
        _l("Your account exists: log in with your email address and the password you chose."),
    ),
    Problem.REVOKED: (
        _l("This invitation was withdrawn"),
        _l(
            "The organisers cancelled this link. Please contact them if you expected an invitation."
        ),
    ),
    Problem.REPLACED: (
        _l("A newer invitation was sent"),
        _l("This link was replaced by a newer one. Please use the most recent invitation email."),
    ),
    Problem.INVALID: (
        _l("This invitation link is not valid"),
        _l(
            "The link may be incomplete: copy the whole address from the email, "
            "or ask the organisers to send it again."
        ),
    ),
}


def _limit() -> str:
    return str(current_app.config["EVENTHUB_RATELIMIT_LOGIN"])


def _problem_page(error: InvitationError) -> ResponseReturnValue:
    invitation = error.invitation
    if (
        error.problem is Problem.USED
        and invitation is not None
        and current_user.is_authenticated
        and invitation.speaker.user_id == current_user.id
    ):
        return redirect(url_for("speakers.my_profile"))
    status = 404 if error.problem is Problem.INVALID else 410
    heading, text = PROBLEM_TEXT[error.problem]
    page = render_template(
        "speakers/invitation_problem.html",
        problem=error.problem.value,
        heading=heading,
        text=text,
    )
    return page, status


@bp.route("/speakers/invitation/<token>", methods=["GET", "POST"])
@limiter.limit(_limit, methods=["POST"])
def accept_invitation(token: str) -> ResponseReturnValue:
    """Check the invitation link and let the speaker choose a password."""
    try:
        invitation = invitations.check(token)
    except InvitationError as error:
        return _problem_page(error)
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            with change(show=keep_quiet) as done:
                user = invitations.accept(invitation, form.password.data or "")
        except IntegrityError:
            # The same link submitted twice at once: the first request created the account.
            return _problem_page(InvitationError(Problem.USED))
        if isinstance(done.refusal, InvitationError):
            return _problem_page(done.refusal)
        if done.refusal is not None:
            form.password.errors.append(str(done.refusal))
        else:
            with change():
                if current_user.is_authenticated:
                    sessions.end_current()
                sessions.start(user)
            flash(_("Welcome! Your account is ready; please check your profile."), "success")
            return redirect(url_for("speakers.my_profile"))
    return render_template("speakers/accept_invitation.html", form=form, invitation=invitation)
