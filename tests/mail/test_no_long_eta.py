"""No task waits in Redis with an ETA or countdown: Redis redelivers those after the visibility
timeout, again and again. Scheduled work is rows with a due time; this test reads the code."""

from __future__ import annotations

import ast
from pathlib import Path

from celery.schedules import crontab

from eventhub.celery_app import VISIBILITY_TIMEOUT_SECONDS, celery_config
from eventhub.mail import delivery

ROOT = Path(__file__).resolve().parents[2] / "eventhub"
DELAY_KEYWORDS = {"countdown", "eta"}
# Calls through which Celery accepts a countdown/ETA: task.apply_async(...), self.retry(...),
# task.signature(...)/.s(...)/.si(...), .set(...) on a signature.
CELERY_CALLS = {"apply_async", "retry", "signature", "s", "si", "set", "send_task"}


def _delayed_calls(tree: ast.AST) -> list[int]:
    lines = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            continue
        if node.func.attr not in CELERY_CALLS:
            continue
        names = {keyword.arg for keyword in node.keywords}
        if names & DELAY_KEYWORDS:
            lines.append(node.lineno)
    return lines


def test_no_task_is_scheduled_with_an_eta_or_countdown() -> None:
    offenders = [
        f"{path.relative_to(ROOT.parent)}:{line}"
        for path in sorted(ROOT.rglob("*.py"))
        for line in _delayed_calls(ast.parse(path.read_text()))
    ]
    assert offenders == [], "tasks with an ETA/countdown:\n" + "\n".join(offenders)


def test_the_code_check_would_catch_a_countdown() -> None:
    sample = "deliver_due.apply_async(countdown=7200)\nself.retry(eta=when)\nf(expires=1)"
    assert _delayed_calls(ast.parse(sample)) == [1, 2]


def test_backoff_and_stale_claims_stay_inside_the_visibility_timeout(app: object) -> None:
    # Retries wait as rows (due_at), but keep them well inside the timeout anyway, and a
    # claim is only re-queued long before Redis would redeliver the task that held it.
    assert delivery.MAX_BACKOFF_SECONDS <= VISIBILITY_TIMEOUT_SECONDS * 2
    assert delivery.STALE_AFTER.total_seconds() < VISIBILITY_TIMEOUT_SECONDS


def test_the_beat_runs_the_reminder_follow_up_and_sweep_tasks(app: object) -> None:
    from flask import current_app

    schedule = celery_config(current_app)["beat_schedule"]
    tasks = {entry["task"]: entry["schedule"] for entry in schedule.values()}
    # Reminders and follow-ups at second 0 of every minute: due at 14:28, queued at 14:28:00
    # (a 60 s interval from beat's start queued them up to a minute late).
    assert (
        tasks.items()
        >= {
            "eventhub.mail.sweep_outbox": 30.0,
            "eventhub.mail.create_reminders": crontab(minute="*"),
            "eventhub.mail.create_follow_ups": crontab(minute="*"),
        }.items()
    )
