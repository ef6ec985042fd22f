#!/usr/bin/env python3
"""One command for people: `python3 run.py` serves the demo; `python3 run.py test` runs the suite.

Only the standard library is used until the virtual environment exists, so a fresh machine with
Python >= 3.11 is enough. Each step is safe to repeat.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
VENV_PYTHON = VENV / "bin" / "python"
# Which interpreter runs the project: .venv's, or the current one with --no-install.
PYTHON = str(VENV_PYTHON)
HOST, PORT = "127.0.0.1", int(os.environ.get("EVENTHUB_PORT", "5000"))


def say(message: str) -> None:
    print(f"[eventhub] {message}", flush=True)


def ensure_environment(extra: str) -> None:
    """Create .venv and install the project (with `extra`) unless pyproject is unchanged."""
    if sys.version_info < (3, 11):  # noqa: UP036 (run.py may be started by an older python3)
        sys.exit("eventhub needs Python 3.11 or newer.")
    if not VENV_PYTHON.exists():
        say("creating the virtual environment in .venv")
        venv.EnvBuilder(with_pip=True).create(VENV)
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + extra.encode()).hexdigest()
    stamp = VENV / f".installed-{extra or 'base'}"
    if stamp.exists() and stamp.read_text() == digest:
        return
    say(f"installing eventhub{f'[{extra}]' if extra else ''} into .venv")
    pip = [str(VENV_PYTHON), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "--upgrade", "pip"], check=True)
    target = f".[{extra}]" if extra else "."
    subprocess.run([*pip, "-e", target], cwd=ROOT, check=True)
    stamp.write_text(digest)


def in_venv(*args: str) -> list[str]:
    return [PYTHON, *args]


def flask(*args: str) -> list[str]:
    return in_venv("-m", "flask", "--app", "wsgi", *args)


def port_in_use(host: str, port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex((host, port)) == 0


def serve() -> int:
    """Migrate, load the demo, start web + worker with embedded beat; Ctrl-C stops them all."""
    instance = Path(os.environ.get("EVENTHUB_INSTANCE_PATH") or ROOT / "instance")
    instance.mkdir(parents=True, exist_ok=True)
    if port_in_use(HOST, PORT):
        say(f"http://{HOST}:{PORT} is already in use — is eventhub already running?")
        return 1
    subprocess.run(flask("db", "upgrade"), cwd=ROOT, check=True)
    demo = subprocess.run(
        flask("eventhub", "demo"), cwd=ROOT, check=True, capture_output=True, text=True
    )
    login = demo.stdout.strip().splitlines()[-1]
    commands = {
        "web": in_venv(
            "-m",
            "gunicorn",
            "--workers",
            "2",
            "--bind",
            f"{HOST}:{PORT}",
            "--access-logfile",
            "-",
            "wsgi:app",
        ),
        "worker": in_venv(
            "-m",
            "celery",
            "-A",
            "wsgi.celery",
            "worker",
            "--beat",
            "--loglevel=INFO",
            "--concurrency=2",
            "--schedule",
            str(instance / "celerybeat-schedule"),
        ),
    }
    processes: dict[str, subprocess.Popen[bytes]] = {}
    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    for name, command in commands.items():
        # Own process groups: Ctrl-C reaches this script, which then stops each in order.
        processes[name] = subprocess.Popen(command, cwd=ROOT, start_new_session=True)
    deadline = time.monotonic() + 30
    while not port_in_use(HOST, PORT) and time.monotonic() < deadline and not stopping:
        time.sleep(0.2)
    say(f"eventhub is running at http://{HOST}:{PORT}")
    say(login)
    say("press Ctrl-C to stop the web server, the worker and beat")
    exit_code = 0
    while not stopping:
        for name, process in processes.items():
            if process.poll() is not None:
                say(f"{name} exited with code {process.returncode}; stopping the others")
                stopping, exit_code = True, 1
        time.sleep(0.3)
    for process in processes.values():
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
    for name, process in processes.items():
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            say(f"{name} did not stop in time; killing it")
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    say("stopped")
    return exit_code


ICALJS = ROOT / "tests" / "support" / "icaljs"


def ensure_icaljs() -> None:
    """Install ical.js (the tests' second calendar parser) from its lock file with `npm ci`.

    Skipped when the lock file is unchanged since the last install; without npm the calendar
    tests say so themselves (skip locally, fail under CI=true).
    """
    npm = shutil.which("npm")
    if npm is None:
        say("npm not found: the ical.js calendar checks will not run")
        return
    lock = (ICALJS / "package-lock.json").read_bytes()
    stamp = ICALJS / "node_modules" / ".eventhub-installed"
    digest = hashlib.sha256(lock).hexdigest()
    if stamp.exists() and stamp.read_text() == digest:
        return
    say("installing ical.js for the calendar tests (npm ci)")
    subprocess.run(
        [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=ICALJS, check=True
    )
    stamp.write_text(digest)


def test(pytest_args: list[str]) -> int:
    """Lint, type-check, then the suite on SQLite and again on PostgreSQL."""
    ensure_icaljs()
    steps = [
        ("ruff check", in_venv("-m", "ruff", "check", ".")),
        ("ruff format --check", in_venv("-m", "ruff", "format", "--check", ".")),
        ("mypy", in_venv("-m", "mypy")),
        ("pytest (SQLite default tier + service tiers)", in_venv("-m", "pytest", *pytest_args)),
        (
            "pytest (default tier on PostgreSQL)",
            in_venv(
                "-m", "pytest", "--db=postgres", "-m", "not browser and not slow", *pytest_args
            ),
        ),
    ]
    for title, command in steps:
        say(title)
        if subprocess.run(command, cwd=ROOT).returncode != 0:
            say(f"FAILED: {title}")
            return 1
    say("all checks passed")
    return 0


def main(argv: list[str]) -> int:
    global PYTHON
    command = argv[0] if argv else "serve"
    rest = argv[1:]
    if "--no-install" in rest:  # the interpreter running this script already has eventhub
        rest.remove("--no-install")
        PYTHON = sys.executable
    elif command in {"serve", "test"}:
        ensure_environment("dev" if command == "test" else "")
    if command == "serve":
        return serve()
    if command == "test":
        return test(rest)
    print(__doc__)
    print("usage: python3 run.py [serve | test [pytest args…]] [--no-install]")
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
