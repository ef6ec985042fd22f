"""The organisers' page for a session's speakers: add, set role and order, remove."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from eventhub.extensions import db
from eventhub.scheduling.models import Session
from eventhub.speakers import lineup, queries
from eventhub.speakers.forms import ROLE_LABELS, AddSpeakerForm, LineupForm, choices
from eventhub.speakers.models import SpeakerProfile, SpeakerRole
from eventhub.speakers.views import bp
from eventhub.transaction import change, keep_quiet


def _page(
    session: Session, add_form: AddSpeakerForm | None = None, status: int = 200
) -> ResponseReturnValue:
    links = queries.lineup(session)
    taken = {link.speaker_id for link in links}
    add_form = add_form or AddSpeakerForm(formdata=None)
    add_form.speaker_id.choices = choices(
        (p.id, f"{p.name_line} — {p.organisation}" if p.organisation else p.name_line)
        for p in queries.all_profiles()
        if p.id not in taken
    )
    order_form = LineupForm(formdata=None)
    for index, link in enumerate(links):
        order_form.rows.append_entry(
            {"link_id": str(link.id), "role": link.role.value, "position": index + 1}
        )
    return (
        render_template(
            "speakers/session_speakers.html",
            session=session,
            links=list(zip(links, order_form.rows, strict=True)),
            add_form=add_form,
            order_form=order_form,
            roles=list(SpeakerRole),
        ),
        status,
    )


def _redirect(session: Session) -> ResponseReturnValue:
    return redirect(url_for("speakers.session_speakers", session_id=session.id))


# The one line-up editor; the organiser's session page links here. Changes post under /lineup/.
@bp.route("/organiser/sessions/<int:session_id>/speakers")
def session_speakers(session_id: int) -> ResponseReturnValue:
    """The line-up of one session, with forms to add, reorder and remove speakers."""
    return _page(db.get_or_404(Session, session_id))


@bp.route("/organiser/sessions/<int:session_id>/lineup/add", methods=["POST"])
def session_speakers_add(session_id: int) -> ResponseReturnValue:
    """Add a speaker with a role at the end of the line-up."""
    session = db.get_or_404(Session, session_id)
    form = AddSpeakerForm()
    form.speaker_id.choices = choices((p.id, p.name_line) for p in queries.all_profiles())
    if not form.validate():
        return _page(session, form, 400)
    profile = db.get_or_404(SpeakerProfile, form.speaker_id.data)
    with change(show=keep_quiet) as done:
        lineup.attach(session, profile, SpeakerRole(form.role.data))
        clashes = lineup.overlapping_sessions(profile, session)
    if not done.ok:
        form.speaker_id.errors = [str(done.refusal)]
        return _page(session, form, 400)
    role = str(ROLE_LABELS[SpeakerRole(form.role.data)]).lower()
    flash(_("%(name)s added as %(role)s.", name=profile.name_line, role=role), "success")
    for other in clashes:
        flash(
            _(
                "Note: %(name)s also speaks in “%(title)s”, which overlaps this one.",
                name=profile.name_line,
                title=other.title,
            ),
            "warning",
        )
    return _redirect(session)


@bp.route("/organiser/sessions/<int:session_id>/lineup/order", methods=["POST"])
def session_speakers_order(session_id: int) -> ResponseReturnValue:
    """Save roles and order for the whole line-up."""
    session = db.get_or_404(Session, session_id)
    form = LineupForm()
    if not form.validate():
        flash(_("Each speaker needs an order between 1 and 99."), "error")
        return _redirect(session)
    rows = []
    for row in form.rows:
        link_id = row.form.link_id.data or ""
        if not link_id.isdigit():
            flash(_("The line-up could not be read; please try again."), "error")
            return _redirect(session)
        rows.append((int(link_id), SpeakerRole(row.form.role.data), int(row.form.position.data)))
    with change() as done:
        lineup.reorder(session, rows)
    if done.ok:
        flash(_("Line-up saved."), "success")
    return _redirect(session)


@bp.route("/organiser/sessions/<int:session_id>/lineup/<int:link_id>/remove", methods=["POST"])
def session_speakers_remove(session_id: int, link_id: int) -> ResponseReturnValue:
    """Take a speaker off this session (their profile stays)."""
    session = db.get_or_404(Session, session_id)
    with change() as done:
        profile = lineup.detach(session, link_id)
    if done.ok:
        flash(_("%(name)s removed from this session.", name=profile.name_line), "info")
    return _redirect(session)
