"""Organiser pages: the registration questions editor of a series."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from eventhub.extensions import db
from eventhub.registration import questions as question_services
from eventhub.registration.admin_forms import KIND_LABELS, QuestionForm
from eventhub.registration.answers import questions_for
from eventhub.registration.locking import begin_writer
from eventhub.registration.models import QuestionKind, RegistrationQuestion
from eventhub.registration.views import questions_bp as bp
from eventhub.scheduling.models import Series
from eventhub.transaction import change, keep_quiet


def _question(series_id: int, question_id: int) -> RegistrationQuestion:
    question = db.get_or_404(RegistrationQuestion, question_id)
    if question.series_id != series_id:
        abort(404)
    return question


def _question_fields(form: QuestionForm) -> question_services.QuestionFields:
    """What the question form says, in the services' terms."""
    return question_services.QuestionFields(
        label=form.label.data or "",
        kind=QuestionKind(form.kind.data),
        help_text=form.help_text.data or "",
        choices=question_services.parse_choices(form.choices.data or ""),
        is_required=bool(form.is_required.data),
    )


@bp.route("/", methods=["GET", "POST"])
def index(series_id: int) -> ResponseReturnValue:
    """The series' questions in order, and a form to add one."""
    series = db.get_or_404(Series, series_id)
    form = QuestionForm()
    if form.validate_on_submit():
        with change(show=keep_quiet) as done:
            question_services.add_question(series.id, _question_fields(form))
        if done.refusal is not None:
            form.choices.errors = [str(done.refusal)]
        else:
            flash(_("Question added."), "success")
            return redirect(url_for(".index", series_id=series.id))
    return render_template(
        "registration/organiser/questions.html",
        series=series,
        questions=questions_for(series.id),
        form=form,
        kinds=KIND_LABELS,
    ), (422 if request.method == "POST" else 200)


@bp.route("/<int:question_id>", methods=["GET", "POST"])
def edit(series_id: int, question_id: int) -> ResponseReturnValue:
    """Change one question."""
    question = _question(series_id, question_id)
    form = QuestionForm(
        data={
            "label": question.label,
            "help_text": question.help_text,
            "kind": question.kind.value,
            "choices": "\n".join(question.choices or []),
            "is_required": question.is_required,
        }
    )
    if form.validate_on_submit():
        with change(show=keep_quiet) as done:
            question_services.update_question(question, _question_fields(form))
        if done.refusal is not None:
            form.choices.errors = [str(done.refusal)]
        else:
            flash(_("Question saved."), "success")
            return redirect(url_for(".index", series_id=series_id))
    return render_template(
        "registration/organiser/question_edit.html",
        question=question,
        form=form,
        series=db.get_or_404(Series, series_id),
    )


@bp.route("/<int:question_id>/move", methods=["POST"])
def move(series_id: int, question_id: int) -> ResponseReturnValue:
    """Move a question up or down."""
    begin_writer()
    question = _question(series_id, question_id)
    with change():
        question_services.move(question, -1 if request.form.get("direction") == "up" else 1)
    return redirect(url_for(".index", series_id=series_id))


@bp.route("/<int:question_id>/delete", methods=["POST"])
def delete(series_id: int, question_id: int) -> ResponseReturnValue:
    """Remove a question (answers already given stay in the registrations)."""
    begin_writer()
    with change():
        question_services.remove(_question(series_id, question_id))
    flash(_("Question removed."), "success")
    return redirect(url_for(".index", series_id=series_id))
