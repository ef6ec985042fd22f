"""docker-compose.yml is parsed (no Docker engine here) and every command in it must exist."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from eventhub import create_app
from eventhub.config import _ENV

ROOT = Path(__file__).resolve().parents[2]
PROJECT_SERVICES = ("migrate", "web", "worker", "beat")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_has_the_production_services(compose: dict[str, Any]) -> None:
    assert set(compose["services"]) >= {"postgres", "redis", *PROJECT_SERVICES}
    for name in ("postgres", "redis", "web", "worker"):
        assert "healthcheck" in compose["services"][name], name


def test_project_services_use_documented_settings(compose: dict[str, Any]) -> None:
    documented = set(_ENV)
    for name in PROJECT_SERVICES:
        service = compose["services"][name]
        assert service["build"] == "."
        env = service["environment"]
        assert set(env) <= documented, set(env) - documented
        assert env["DATABASE_URL"].startswith("postgresql")
        assert env["CELERY_BROKER_URL"].startswith("redis://")
        assert env["EVENTHUB_ENV"] == "production"


def test_dockerfile_copies_paths_that_exist() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    for line in dockerfile.splitlines():
        if line.startswith("COPY "):
            for source in line.split()[1:-1]:
                assert (ROOT / source).exists(), source


def _run(argv: list[str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("EVENTHUB_", "MAIL_"))}
    env.pop("DATABASE_URL", None)
    env.pop("CELERY_BROKER_URL", None)
    env["EVENTHUB_INSTANCE_PATH"] = str(tmp_path)
    bindir = Path(sys.executable).parent
    program = bindir / argv[0]
    assert program.exists(), f"{argv[0]} is not installed by the project's dependencies"
    return subprocess.run(
        [str(program), *argv[1:]], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize("service", PROJECT_SERVICES)
def test_every_command_exists(compose: dict[str, Any], service: str, tmp_path: Path) -> None:
    argv = compose["services"][service]["command"]
    program = argv[0]
    if program == "flask":
        # Resolve the Flask CLI command path (e.g. `db upgrade`) without running it.
        result = _run([*argv, "--help"], tmp_path)
    elif program == "celery":
        result = _run([*argv, "--help"], tmp_path)
    elif program == "gunicorn":
        result = _run([program, "--check-config", *argv[1:]], tmp_path)
    else:
        pytest.fail(f"unexpected program {program!r} in service {service}")
    assert result.returncode == 0, result.stdout + result.stderr


def test_web_healthcheck_route_exists(compose: dict[str, Any], tmp_path: Path) -> None:
    test = " ".join(compose["services"]["web"]["healthcheck"]["test"])
    path = re.search(r"http://127\.0\.0\.1:8000(/\S*?)'", test)
    assert path is not None
    app = create_app({"EVENTHUB_INSTANCE_PATH": str(tmp_path), "TESTING": True})
    adapter = app.url_map.bind("localhost")
    assert adapter.match(path.group(1))[0] == "health.healthz"


def test_worker_healthcheck_uses_a_real_celery_command(compose: dict[str, Any]) -> None:
    test = compose["services"]["worker"]["healthcheck"]["test"][1]
    assert test.startswith("celery -A wsgi.celery inspect ping")
