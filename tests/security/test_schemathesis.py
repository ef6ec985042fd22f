"""Finding 15 / proof: schemathesis against a live gunicorn on PostgreSQL.

Every operation of /api/v1/openapi.json is exercised with a bounded number of generated
examples per operation, with every check on: no server error, no answer that differs from
the document (status codes, content types, bodies), no accepted input the document refuses.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from eventhub import create_app
from eventhub.accounts.services import create_api_token
from eventhub.extensions import db
from tests.conftest import _empty_postgres, base_config
from tests.support.factories import Factories
from tests.support.services import free_port

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

PROJECT = Path(__file__).resolve().parents[2]
EXAMPLES_PER_OPERATION = 20


def _gunicorn(port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    sys.path.insert(0, str(PROJECT))
    from benches.benchserver import start_gunicorn

    return start_gunicorn("wsgi:app", port, env, PROJECT, probe="/api/v1/openapi.json")


def test_api_matches_its_openapi_document(pg_url: str, tmp_path: Path) -> None:
    from benches.benchserver import stop_gunicorn

    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    app = create_app(base_config(tmp_path / "seed", pg_url, EVENTHUB_BASE_URL=base_url))
    with app.app_context():
        make = Factories()
        organiser = make.organiser()
        session = make.session(make.series(slug="open", organiser_id=organiser.id), capacity=5)
        make.link(session, make.speaker())
        token = create_api_token(organiser)
        db.session.commit()
        db.session.remove()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("EVENTHUB_", "MAIL_"))},
        "DATABASE_URL": pg_url,
        "SECRET_KEY": "schemathesis-secret-key-of-32-bytes!",
        "EVENTHUB_BASE_URL": base_url,
        "EVENTHUB_INSTANCE_PATH": str(tmp_path / "instance"),
        "CELERY_BROKER_URL": "memory://",
        "EVENTHUB_PUBLIC_CACHE": "null",
        "EVENTHUB_RATELIMIT_REGISTRATION": "100000/minute",
        "EVENTHUB_RATELIMIT_LOGIN": "100000/minute",
    }
    server = _gunicorn(port, env)
    try:
        schemathesis = shutil.which("schemathesis", path=str(Path(sys.executable).parent))
        assert schemathesis is not None
        result = subprocess.run(
            [
                schemathesis,
                "run",
                f"{base_url}/api/v1/openapi.json",
                "--url",
                base_url,
                "--checks",
                "all",
                # Schema-valid but refused by a rule JSON Schema cannot state (a start in the
                # past, an unknown time zone, consent not given, an address email-validator
                # refuses): a documented 409/422, not a contract break.
                "--exclude-checks",
                "positive_data_acceptance",
                "--max-examples",
                str(EXAMPLES_PER_OPERATION),
                "--header",
                f"Authorization: Bearer {token}",
                "--generation-deterministic",
                "--workers",
                "2",
                "--no-color",
            ],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
    finally:
        stop_gunicorn(server)
        _empty_postgres(app)
    Path(os.environ.get("EVENTHUB_SCHEMATHESIS_LOG", tmp_path / "schemathesis.log")).write_text(
        result.stdout
    )
    summary = result.stdout[-6000:]
    print(summary)  # noqa: T201  (the run's own figures)
    assert result.returncode == 0, summary
