"""The recap editor: write, arrange, preview and publish a session's "read more" page."""

from __future__ import annotations

from collections.abc import Callable
from typing import NoReturn, TypeVar

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from eventhub.accounts.access import require_role_for_blueprint
from eventhub.accounts.models import Role
from eventhub.clock import utcnow
from eventhub.extensions import db
from eventhub.inputs import EventhubForm
from eventhub.mail.dispatch import wake_follow_ups
from eventhub.recaps import pages, services
from eventhub.recaps.forms import PhotoForm, QuoteForm, RecapForm, SectionForm
from eventhub.recaps.models import Recap, RecapSection
from eventhub.recaps.services import RecapFields, SectionText
from eventhub.refusal import Refusal
from eventhub.scheduling.models import Series, Session, SessionStatus
from eventhub.teams.access import in_reach
from eventhub.transaction import change, keep_quiet

bp = Blueprint("recap_editor", __name__, url_prefix="/organiser/recaps")
require_role_for_blueprint(bp, Role.ORGANISER)

F = TypeVar("F", bound=EventhubForm)


def _session(session_id: int) -> Session:
    session = db.get_or_404(Session, session_id)
    if session.status is SessionStatus.DRAFT:
        abort(404)
    return session


def _recap(session: Session) -> Recap:
    recap = services.recap_for(session)
    if recap is None:
        abort(404)
    return recap


def _back(session: Session, anchor: str = "") -> Response:
    return redirect(url_for("recap_editor.edit", session_id=session.id, _anchor=anchor or None))


def _section_text(form: SectionForm) -> SectionText:
    return SectionText(
        heading=form.heading.data or "",
        body=form.body.data or "",
        heading_zh=form.heading_zh.data or "",
        body_zh=form.body_zh.data or "",
    )


def _add_item(
    session_id: int,
    kind: str,
    form_for: Callable[[Session], F],
    add: Callable[[Recap, F], None],
    added_message: str,
) -> Response:
    """Add a section, quote or photo from its posted form, then back to its list; the editor
    page holds the three forms, so what is wrong with one is flashed above them all."""
    session = _session(session_id)
    recap = _recap(session)
    form = form_for(session)
    if form.validate_on_submit():
        with change() as added:
            add(recap, form)
        if added.ok:
            flash(added_message, "success")
    else:
        flash(" ".join(e for errors in form.errors.values() for e in errors), "error")
    return _back(session, kind)


@bp.route("/")
def index() -> ResponseReturnValue:
    """Sessions that have taken place, with the state of their recap."""
    sessions = list(
        db.session.scalars(
            select(Session)
            .where(
                Session.status != SessionStatus.DRAFT,
                Session.starts_at <= utcnow(),
                in_reach(Session.series_id),
            )
            .order_by(Session.starts_at.desc())
            .options(selectinload(Session.series))
        )
    )
    recaps = {
        r.session_id: r
        for r in db.session.scalars(
            select(Recap).where(Recap.session_id.in_([s.id for s in sessions]))
        )
    }
    upcoming = list(
        db.session.scalars(
            select(Session)
            .join(Series)
            .where(Session.status == SessionStatus.PUBLISHED, Session.starts_at > utcnow())
            .order_by(Session.starts_at)
            .limit(20)
            .options(selectinload(Session.series))
        )
    )
    return render_template(
        "recaps/editor/index.html", sessions=sessions, recaps=recaps, upcoming=upcoming
    )


@bp.route("/sessions/<int:session_id>", methods=["GET", "POST"])
def edit(session_id: int) -> ResponseReturnValue:
    """The recap's text and links, and its sections, quotes and photos."""
    session = _session(session_id)
    recap = services.recap_for(session)
    form = RecapForm(obj=recap)
    if form.validate_on_submit():
        with change() as done:
            services.save_recap(
                session,
                RecapFields(
                    headline=form.headline.data or "",
                    lead=form.lead.data or "",
                    body_markdown=form.body_markdown.data or "",
                    recording_url=form.recording_url.data or "",
                    slides_url=form.slides_url.data or "",
                    headline_zh=form.headline_zh.data or "",
                    lead_zh=form.lead_zh.data or "",
                    body_markdown_zh=form.body_markdown_zh.data or "",
                ),
            )
        if done.ok:
            flash(_("Recap saved."), "success")
            return _back(session)
    return render_template(
        "recaps/editor/edit.html",
        session=session,
        recap=recap,
        form=form,
        section_form=SectionForm(session, formdata=None),
        quote_form=QuoteForm(session, formdata=None),
        photo_form=PhotoForm(formdata=None),
    )


@bp.route("/sessions/<int:session_id>/sections", methods=["POST"])
def add_section(session_id: int) -> ResponseReturnValue:
    """Add what one speaker said."""
    return _add_item(session_id, "sections", SectionForm, _new_section, _("Section added."))


def _new_section(recap: Recap, form: SectionForm) -> None:
    services.add_section(recap, form.chosen_speaker_id, _section_text(form))


@bp.route("/sessions/<int:session_id>/sections/<int:section_id>", methods=["GET", "POST"])
def edit_section(session_id: int, section_id: int) -> ResponseReturnValue:
    """Change one section."""
    session = _session(session_id)
    recap = _recap(session)
    section = db.get_or_404(RecapSection, section_id)
    if section.recap_id != recap.id:
        abort(404)
    form = SectionForm(
        session, obj=section, body=section.body_markdown, body_zh=section.body_markdown_zh
    )
    if request.method == "GET":
        form.speaker_id.data = str(section.speaker_id or "")
    if form.validate_on_submit():
        with change(show=keep_quiet) as done:
            services.update_section(section, recap, form.chosen_speaker_id, _section_text(form))
        if done.refusal is not None:
            form.speaker_id.errors = [str(done.refusal)]
        else:
            flash(_("Section saved."), "success")
            return _back(session, "sections")
    return render_template(
        "recaps/editor/section.html", session=session, section=section, form=form
    )


def _not_found(refusal: Refusal) -> NoReturn:
    """A section, quote or photo that is not this recap's: as if it did not exist."""
    abort(404)


@bp.route("/sessions/<int:session_id>/<kind>/<int:item_id>/delete", methods=["POST"])
def delete_item(session_id: int, kind: str, item_id: int) -> ResponseReturnValue:
    """Remove a section, quote or photo."""
    session = _session(session_id)
    with change(show=_not_found):
        services.remove(_recap(session), kind, item_id)
    flash(_("Removed."), "success")
    return _back(session, kind)


@bp.route("/sessions/<int:session_id>/<kind>/<int:item_id>/move", methods=["POST"])
def move_item(session_id: int, kind: str, item_id: int) -> ResponseReturnValue:
    """Move a section, quote or photo up or down."""
    session = _session(session_id)
    step = -1 if request.form.get("direction") == "up" else 1
    with change(show=_not_found):
        services.move(services.items_of(_recap(session), kind), item_id, step)
    return _back(session, kind)


@bp.route("/sessions/<int:session_id>/quotes", methods=["POST"])
def add_quote(session_id: int) -> ResponseReturnValue:
    """Add a pull quote, attributed to a speaker."""
    return _add_item(session_id, "quotes", QuoteForm, _new_quote, _("Quote added."))


def _new_quote(recap: Recap, form: QuoteForm) -> None:
    text, text_zh = form.text.data or "", form.text_zh.data or ""
    services.add_quote(recap, form.chosen_speaker_id, text, text_zh)


@bp.route("/sessions/<int:session_id>/photos", methods=["POST"])
def add_photo(session_id: int) -> ResponseReturnValue:
    """Upload a photo (validated and re-encoded) with its caption."""
    return _add_item(session_id, "photos", _photo_form, _new_photo, _("Photo added."))


def _photo_form(session: Session) -> PhotoForm:
    return PhotoForm()


def _new_photo(recap: Recap, form: PhotoForm) -> None:
    # A refusal rolls back, and the stored files with it.
    services.add_photo(recap, form.photo.data.stream, form.caption.data or "")


@bp.route("/sessions/<int:session_id>/photos/<int:photo_id>/caption", methods=["POST"])
def photo_caption(session_id: int, photo_id: int) -> ResponseReturnValue:
    """Change a photo's caption."""
    session = _session(session_id)
    recap = _recap(session)
    photo = next((p for p in recap.photos if p.id == photo_id), None)
    if photo is None:
        abort(404)
    with change():
        photo.caption = (request.form.get("caption") or "").strip()[:500]
    flash(_("Caption saved."), "success")
    return _back(session, "photos")


@bp.route("/sessions/<int:session_id>/preview")
def preview(session_id: int) -> ResponseReturnValue:
    """The public page as it will look, published or not."""
    session = _session(session_id)
    recap = pages.load_recap(session)
    if recap is None:
        abort(404)
    page = pages.build_page(session, recap)
    page.others = pages.upcoming_first(page.others, utcnow())
    return render_template("recaps/show.html", page=page, cards=pages.cards(page), is_preview=True)


@bp.route("/sessions/<int:session_id>/publish", methods=["POST"])
def publish(session_id: int) -> ResponseReturnValue:
    """Publish the recap: the page goes public and the follow-ups can go out."""
    session = _session(session_id)
    recap = _recap(session)
    with change() as done:
        services.publish(recap, utcnow())
    if not done.ok:
        return _back(session)
    wake_follow_ups()  # due now if the follow-up delay has passed; the beat would in a minute
    flash(_("Recap published. Follow-up emails go out within a few minutes."), "success")
    return _back(session)


@bp.route("/sessions/<int:session_id>/unpublish", methods=["POST"])
def unpublish(session_id: int) -> ResponseReturnValue:
    """Take the recap page down."""
    session = _session(session_id)
    with change():
        services.unpublish(_recap(session))
    flash(_("Recap unpublished."), "success")
    return _back(session)
