"""wsgi.py, the module gunicorn and the Celery worker import: what it leaves in the process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_entry_point_freezes_what_it_built(tmp_path: Path) -> None:
    """The app's import-time objects are moved out of the collector's reach (gc.freeze), so a
    full collection in a web worker does not walk them: before, one pass every few thousand
    sign-ups took 40-110 ms. create_app alone must not freeze: the tests build many apps."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("EVENTHUB_", "DATABASE_", "REDIS_", "CELERY_", "MAIL_"))
    }
    env.update(EVENTHUB_INSTANCE_PATH=str(tmp_path), PYTHONPATH=str(ROOT))
    code = (
        "import gc\n"
        "from eventhub import create_app\n"
        "create_app()\n"
        "print(gc.get_freeze_count())\n"
        "import wsgi\n"
        "print(gc.get_freeze_count())\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    after_create_app, after_wsgi = (int(line) for line in result.stdout.split())
    assert after_create_app == 0
    # The app, its extensions, SQLAlchemy's mappers, Jinja, Babel, Celery: well over 50,000.
    assert after_wsgi > 50_000
