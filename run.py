#!/usr/bin/env python3
"""One command for people: `python3 run.py` serves the demo; `python3 run.py test` runs the suite.

Only the standard library is used until the virtual environment exists, so a fresh machine with
Python >= 3.11 is enough. Each step is safe to repeat.
"""

from __future__ import annotations

import contextlib
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


# Exact, hash-checked versions of everything installed (README: "Reproducible installs").
LOCK_FILES = {"": ROOT / "requirements.lock", "dev": ROOT / "requirements-dev.lock"}


def ensure_environment(extra: str) -> None:
    """Create .venv and install the locked dependencies, then eventhub itself, unless the
    lock file and pyproject.toml are unchanged since the last install."""
    if sys.version_info < (3, 11):  # noqa: UP036 (run.py may be started by an older python3)
        sys.exit("eventhub needs Python 3.11 or newer.")
    if not VENV_PYTHON.exists():
        say("creating the virtual environment in .venv")
        venv.EnvBuilder(with_pip=True).create(VENV)
    lock = LOCK_FILES[extra]
    digest = hashlib.sha256(
        (ROOT / "pyproject.toml").read_bytes() + lock.read_bytes() + extra.encode()
    ).hexdigest()
    stamp = VENV / f".installed-{extra or 'base'}"
    if stamp.exists() and stamp.read_text() == digest:
        return
    say(f"installing eventhub{f'[{extra}]' if extra else ''} into .venv from {lock.name}")
    pip = [str(VENV_PYTHON), "-m", "pip", "install", "--disable-pip-version-check"]
    log = VENV / "install.log"
    with log.open("w") as handle:
        for args in (
            ["--require-hashes", "-r", str(lock)],
            # Every dependency is already there, pinned; eventhub itself is the only new install.
            ["--no-deps", "-e", "."],
        ):
            if subprocess.run([*pip, *args], cwd=ROOT, stdout=handle, stderr=handle).returncode:
                print(log.read_text()[-4000:], flush=True)
                sys.exit(f"Installing into .venv failed; the whole output is in {log}.")
    stamp.write_text(digest)


def in_venv(*args: str) -> list[str]:
    return [PYTHON, *args]


def flask(*args: str) -> list[str]:
    return in_venv("-m", "flask", "--app", "wsgi", *args)


def port_in_use(host: str, port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex((host, port)) == 0


# Lines worth a person's attention in a process's log; everything else stays in the file.
PROBLEM_MARKERS = ("ERROR", "CRITICAL", "Traceback", "Unrecoverable")
# Ctrl-C: how long each process gets to stop by itself before it is killed.
STOP_GRACE_SECONDS = 3.5


class LogWatch:
    """Follows one process's log file and reports only the lines that signal a real problem."""

    def __init__(self, name: str, path: Path) -> None:
        self.name, self.path, self.offset = name, path, 0
        self.in_traceback = False

    def problems(self) -> list[str]:
        try:
            with self.path.open("rb") as handle:
                handle.seek(self.offset)
                chunk = handle.read()
        except FileNotFoundError:
            return []
        complete = chunk[: chunk.rfind(b"\n") + 1]
        self.offset += len(complete)
        found = []
        for line in complete.decode(errors="replace").splitlines():
            if any(marker in line for marker in PROBLEM_MARKERS):
                self.in_traceback = "Traceback" in line
                found.append(line)
            elif self.in_traceback and line.startswith((" ", "\t")):
                found.append(line)
            else:
                self.in_traceback = False
        return found

    def tail(self, lines: int = 15) -> list[str]:
        try:
            return self.path.read_text(errors="replace").splitlines()[-lines:]
        except FileNotFoundError:
            return []


def serve_commands(instance: Path) -> dict[str, list[str]]:
    """Web, worker and beat as three processes, so each can be watched and stopped on its own."""
    return {
        "web": in_venv(
            "-m",
            "gunicorn",
            "--workers",
            "2",
            "--bind",
            f"{HOST}:{PORT}",
            # gunicorn 27's control socket is one per user by default; several servers clash.
            "--no-control-socket",
            "wsgi:app",
        ),
        "worker": in_venv(
            "-m",
            "celery",
            "-A",
            "wsgi.celery",
            "worker",
            "--loglevel=INFO",
            "--concurrency=2",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ),
        "beat": in_venv(
            "-m",
            "celery",
            "-A",
            "wsgi.celery",
            "beat",
            "--loglevel=INFO",
            "--schedule",
            str(instance / "celerybeat-schedule"),
        ),
    }


def serve() -> int:
    """Migrate, load the demo, start web, worker and beat; Ctrl-C stops them all."""
    instance = Path(os.environ.get("EVENTHUB_INSTANCE_PATH") or ROOT / "instance")
    logs = instance / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    if port_in_use(HOST, PORT):
        say(f"http://{HOST}:{PORT} is already in use — is eventhub already running?")
        return 1
    env = dict(os.environ, EVENTHUB_PORT=str(PORT))
    setup_log = logs / "setup.log"
    outputs = []
    for step in (flask("db", "upgrade"), flask("eventhub", "demo")):
        done = subprocess.run(step, cwd=ROOT, env=env, capture_output=True, text=True)
        with setup_log.open("a") as handle:
            handle.write(done.stdout + done.stderr)
        if done.returncode:
            say(f"`flask {' '.join(step[5:])}` failed; the last lines of {setup_log}:")
            print("\n".join(LogWatch("setup", setup_log).tail()), flush=True)
            return 1
        outputs.append(done.stdout)
    login = outputs[-1].strip().splitlines()[-1]
    processes: dict[str, subprocess.Popen[bytes]] = {}
    watches: dict[str, LogWatch] = {}
    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    for name, command in serve_commands(instance).items():
        path = logs / f"{name}.log"
        watches[name] = LogWatch(name, path)
        watches[name].offset = path.stat().st_size if path.exists() else 0
        with path.open("ab") as output:
            # Own sessions: Ctrl-C reaches this script alone, which then stops each in order.
            processes[name] = subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
    deadline = time.monotonic() + 60
    while not port_in_use(HOST, PORT) and time.monotonic() < deadline and not stopping:
        time.sleep(0.1)
    say(f"logs: {logs}/web.log, worker.log and beat.log")
    say(f"eventhub is running at http://{HOST}:{PORT}")
    say(login)
    say("press Ctrl-C to stop the web server, the worker and beat")
    exit_code = 0
    while not stopping:
        for name, process in processes.items():
            for line in watches[name].problems():
                print(f"[{name}] {line}", flush=True)
            if process.poll() is not None:
                say(f"{name} exited with code {process.returncode}; the last lines of its log:")
                print("\n".join(watches[name].tail()), flush=True)
                say("stopping the others")
                stopping, exit_code = True, 1
        if not stopping:
            time.sleep(0.3)
    stop_all(processes)
    say("stopped")
    return exit_code


def stop_all(processes: dict[str, subprocess.Popen[bytes]]) -> None:
    """SIGTERM each process (its main process only: it stops its own children), then kill
    whatever is left of its group after the grace period. Nothing is lost by a kill: every
    email is an outbox row that the next start delivers."""
    for process in processes.values():
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + STOP_GRACE_SECONDS
    for process in processes.values():
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=max(0.0, deadline - time.monotonic()))
    for process in processes.values():
        # The group also holds children (pool processes) that outlived their parent.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


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
        # Security lint: medium and high findings fail; each `# nosec` carries its reason.
        ("bandit", in_venv("-m", "bandit", "-q", "-r", "eventhub", "-ll")),
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
    args = list(argv)
    no_install = "--no-install" in args
    if no_install:  # the interpreter running this script already has eventhub
        args.remove("--no-install")
        PYTHON = sys.executable
    command = args[0] if args else "serve"
    rest = args[1:]
    if command in {"serve", "test"} and not no_install:
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
