"""Team pages: a series' members and invitations, accepting an invitation, accounts (admins)."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from eventhub.accounts import sessions
from eventhub.accounts.invitation_links import InvitationError
from eventhub.accounts.models import User
from eventhub.extensions import db
from eventhub.scheduling.forms import ConfirmForm
from eventhub.scheduling.models import Series
from eventhub.teams import accounts, invitations, services
from eventhub.teams.access import Need, can
from eventhub.teams.forms import ROLE_NAMES, AcceptForm, AddMemberForm, RoleForm
from eventhub.teams.models import MemberInvitation, MemberRole
from eventhub.transaction import change

bp = Blueprint("teams", __name__)


def _back(series_id: int) -> ResponseReturnValue:
    return redirect(url_for("teams.members", series_id=series_id))


def _confirmed(act: Callable[[], object], done_message: str, category: str) -> None:
    """Run the change a confirm button asked for; once it is committed, say what it did."""
    if ConfirmForm().validate_on_submit():
        with change() as done:
            act()
        if done.ok:
            flash(done_message, category)


@bp.route("/organiser/series/<int:series_id>/members", methods=["GET", "POST"])
def members(series_id: int) -> ResponseReturnValue:
    """The series' team; its owners add people (or invite them) here."""
    series = db.get_or_404(Series, series_id)
    form = AddMemberForm()
    if form.validate_on_submit():  # only owners get this far with a POST (access policy)
        role = MemberRole(form.role.data)
        email = form.email.data or ""
        with change(show=lambda refusal: form.email.errors.append(str(refusal))) as done:
            added = invitations.add_member(series, email, role, current_user)
        if done.ok:
            if added.invitation is not None:
                flash(_("Invitation sent to %(email)s.", email=added.invitation.email), "success")
            else:
                flash(
                    _(
                        "%(email)s is now %(role)s of this series.",
                        email=form.email.data,
                        role=ROLE_NAMES[role],
                    ),
                    "success",
                )
            return _back(series.id)
    return render_template(
        "teams/members.html",
        series=series,
        members=services.members(series.id),
        pending=invitations.pending(series.id),
        form=form,
        role_form=RoleForm(),
        confirm_form=ConfirmForm(),
        may_manage=can(current_user, Need.MANAGE, series.id),
    )


@bp.route("/organiser/series/<int:series_id>/members/<int:user_id>/role", methods=["POST"])
def change_role(series_id: int, user_id: int) -> ResponseReturnValue:
    """Give a member another role."""
    user = db.get_or_404(User, user_id)
    form = RoleForm()
    if form.validate_on_submit():
        role = MemberRole(form.role.data)
        with change() as done:
            services.set_role(series_id, user, role)
        if done.ok:
            flash(
                _("%(email)s is now %(role)s.", email=user.email, role=ROLE_NAMES[role]), "success"
            )
    return _back(series_id)


@bp.route("/organiser/series/<int:series_id>/members/<int:user_id>/remove", methods=["POST"])
def remove_member(series_id: int, user_id: int) -> ResponseReturnValue:
    """Take someone off the team (their account stays)."""
    user = db.get_or_404(User, user_id)
    removed = _("%(email)s removed from the team.", email=user.email)
    _confirmed(lambda: services.remove(series_id, user), removed, "info")
    return _back(series_id)


@bp.route(
    "/organiser/series/<int:series_id>/invitations/<int:invitation_id>/revoke", methods=["POST"]
)
def revoke_invitation(series_id: int, invitation_id: int) -> ResponseReturnValue:
    """Make an invitation link unusable."""
    invitation = db.get_or_404(MemberInvitation, invitation_id)
    revoked = _("The invitation to %(email)s no longer works.", email=invitation.email)
    _confirmed(lambda: invitations.revoke(invitation), revoked, "info")
    return _back(series_id)


@bp.route("/team/invitation/<token>", methods=["GET", "POST"])
def accept_invitation(token: str) -> ResponseReturnValue:
    """Join a series from an emailed link: as the logged-in account, or by setting a password."""
    try:
        invitation = invitations.check(token)
    except InvitationError as exc:
        return render_template("teams/invitation_problem.html", problem=exc.problem), 410
    existing = db.session.scalar(select(User.id).where(User.email == invitation.email))
    user = current_user if current_user.is_authenticated else None
    form = AcceptForm()
    join_as_user = user is not None
    if request.method == "POST" and (join_as_user or form.validate_on_submit()):
        password, name = form.password.data or "", form.display_name.data or ""

        def join() -> User:
            joined = invitations.accept(invitation, user, password=password, display_name=name)
            if not join_as_user:
                sessions.start(joined)  # the new account is logged in on this browser
            return joined

        errors = form.password.errors if not join_as_user else form.display_name.errors
        with change(show=lambda refusal: errors.append(str(refusal))) as done:
            join()
        if done.ok:
            flash(_("Welcome to the team of %(title)s.", title=invitation.series.title), "success")
            return redirect(url_for("scheduling.series_show", series_id=invitation.series_id))
    return render_template(
        "teams/accept.html",
        invitation=invitation,
        form=form,
        has_account=existing is not None,
        token=token,
    )


@bp.route("/organiser/accounts")
def accounts_page() -> ResponseReturnValue:
    """Every account of the installation (admins)."""
    return render_template(
        "teams/accounts.html", users=accounts.all_accounts(), confirm_form=ConfirmForm()
    )


@bp.route("/organiser/accounts/<int:user_id>/disable", methods=["POST"])
def disable_account(user_id: int) -> ResponseReturnValue:
    """Stop an account from logging in or using its tokens."""
    user = db.get_or_404(User, user_id)
    disabled = _("%(email)s can no longer log in.", email=user.email)
    _confirmed(lambda: accounts.disable(user, current_user), disabled, "info")
    return redirect(url_for("teams.accounts_page"))


@bp.route("/organiser/accounts/<int:user_id>/enable", methods=["POST"])
def enable_account(user_id: int) -> ResponseReturnValue:
    """Let a disabled account log in again."""
    user = db.get_or_404(User, user_id)
    enabled = _("%(email)s can log in again.", email=user.email)
    _confirmed(lambda: accounts.enable(user), enabled, "success")
    return redirect(url_for("teams.accounts_page"))
